import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { HttpLimits } from './auth-config';

/**
 * Requests per client address in each window, counted before anything else runs: before
 * the body is read and parsed and before the token is checked, so traffic that fails
 * authentication (or sends bodies that fail to parse) is limited too. The per-identity
 * limit (IdentityThrottlerGuard) still applies after authentication; this one is the outer
 * bound for an address. 429 with Retry-After (seconds) and RateLimit headers. Counts are
 * per replica, in memory (a fixed window per address, expired entries dropped).
 */
export function addressRateLimit(
  limits: Pick<HttpLimits, 'addressRateLimit' | 'rateWindowMs'>,
): RequestHandler {
  const seconds = Math.round(limits.rateWindowMs / 1000);
  return rateLimit({
    windowMs: limits.rateWindowMs,
    limit: limits.addressRateLimit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).json({
        statusCode: 429,
        error: 'Too Many Requests',
        message: `rate limit exceeded for this address: at most ${limits.addressRateLimit} requests per ${seconds} s`,
      });
    },
  });
}
