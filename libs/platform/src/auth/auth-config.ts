import { createPublicKey, KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import {
  LOCAL_JWT_AUDIENCE,
  LOCAL_JWT_ISSUER,
  localJwtPublicKeyFile,
  runtimeMode,
} from './local-auth.defaults';

/** How tokens are checked and HTTP requests bounded; from the environment. */
export interface AuthConfig {
  publicKey: KeyObject;
  /** The one JWS algorithm the key allows (never taken from the token's header). */
  algorithm: 'EdDSA' | 'ES256' | 'ES384' | 'RS256';
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  /** Where the key came from, for the start-up log. */
  keySource: string;
}

export interface HttpLimits {
  /** Largest request body in bytes (413 above). */
  bodyLimitBytes: number;
  /** Requests per identity (or per address before authentication) in each window (429 above). */
  rateLimit: number;
  /** Requests per client address in each window, counted before parsing and authentication. */
  addressRateLimit: number;
  rateWindowMs: number;
  /**
   * Proxies in front of the service whose X-Forwarded-For to believe (Express `trust proxy`
   * as a hop count): behind an ingress, without it every client has the ingress's address.
   */
  trustProxyHops: number;
}

export class AuthConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid authentication configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'AuthConfigurationError';
  }
}

/**
 * `AUTH_JWT_PUBLIC_KEY` (PEM) or `AUTH_JWT_PUBLIC_KEY_FILE` (default: the local stack's
 * public key), `AUTH_JWT_ISSUER`, `AUTH_JWT_AUDIENCE`, `AUTH_CLOCK_TOLERANCE_SECONDS`.
 * There is no switch to turn authentication off: without a usable key the service does not
 * start (fail closed), naming the variable. In production mode (`CUSTOMS_ENV=production`)
 * nothing falls back to the local stack: the key, the issuer and the audience must be given,
 * and each one missing is named.
 */
export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const problems: string[] = [];
  let production = false;
  try {
    production = runtimeMode(env) === 'production';
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (production) {
    if (!env.AUTH_JWT_PUBLIC_KEY && !env.AUTH_JWT_PUBLIC_KEY_FILE)
      problems.push(
        'AUTH_JWT_PUBLIC_KEY or AUTH_JWT_PUBLIC_KEY_FILE is required in production (CUSTOMS_ENV=production): the local stack key is not used',
      );
    for (const name of ['AUTH_JWT_ISSUER', 'AUTH_JWT_AUDIENCE'] as const)
      if (!env[name])
        problems.push(
          `${name} is required in production (CUSTOMS_ENV=production): tokens of the local stack's ${name === 'AUTH_JWT_ISSUER' ? `issuer (${LOCAL_JWT_ISSUER})` : `audience (${LOCAL_JWT_AUDIENCE})`} must not be accepted`,
        );
    if (problems.length > 0) throw new AuthConfigurationError(problems);
  }
  let pem: string | null = null;
  let keySource = '';
  if (env.AUTH_JWT_PUBLIC_KEY) {
    pem = env.AUTH_JWT_PUBLIC_KEY.replace(/\\n/g, '\n');
    keySource = 'AUTH_JWT_PUBLIC_KEY';
  } else {
    const file = env.AUTH_JWT_PUBLIC_KEY_FILE || localJwtPublicKeyFile(env);
    keySource = file;
    if (!existsSync(file))
      problems.push(
        `AUTH_JWT_PUBLIC_KEY_FILE=${JSON.stringify(file)}: no such file (set AUTH_JWT_PUBLIC_KEY or AUTH_JWT_PUBLIC_KEY_FILE; locally \`customs stack up\` creates it)`,
      );
    else pem = readFileSync(file, 'utf8');
  }
  let publicKey: KeyObject | null = null;
  let algorithm: AuthConfig['algorithm'] | null = null;
  if (pem !== null) {
    try {
      // A private key where the public one belongs would work, and leak: refuse it.
      if (/PRIVATE KEY-----/.test(pem))
        throw new Error('this is a private key; give the public one');
      publicKey = createPublicKey(pem);
      algorithm = algorithmOf(publicKey);
      if (!algorithm)
        problems.push(
          `${keySource}: a ${publicKey.asymmetricKeyType} key; use Ed25519, EC P-256/P-384 or RSA`,
        );
    } catch (e) {
      problems.push(`${keySource}: not a PEM public key (${(e as Error).message})`);
    }
  }
  const clock = integer(env, 'AUTH_CLOCK_TOLERANCE_SECONDS', 30, 0, 600, problems);
  const issuer = env.AUTH_JWT_ISSUER || LOCAL_JWT_ISSUER;
  const audience = env.AUTH_JWT_AUDIENCE || LOCAL_JWT_AUDIENCE;
  if (problems.length > 0 || !publicKey || !algorithm) throw new AuthConfigurationError(problems);
  return { publicKey, algorithm, issuer, audience, clockToleranceSeconds: clock, keySource };
}

function algorithmOf(key: KeyObject): AuthConfig['algorithm'] | null {
  if (key.type !== 'public') return null;
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return 'EdDSA';
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return curve === 'prime256v1' ? 'ES256' : curve === 'secp384r1' ? 'ES384' : null;
    }
    case 'rsa':
      return 'RS256';
    default:
      return null;
  }
}

/**
 * `HTTP_BODY_LIMIT` (bytes, or with kb/mb: 1mb), `HTTP_RATE_LIMIT` (per identity),
 * `HTTP_ADDRESS_RATE_LIMIT` (per client address, before authentication),
 * `HTTP_RATE_WINDOW_SECONDS` (both windows), `HTTP_TRUST_PROXY` (proxy hops, 0).
 */
export function loadHttpLimits(env: NodeJS.ProcessEnv = process.env): HttpLimits {
  const problems: string[] = [];
  let bodyLimitBytes = 1024 * 1024;
  const raw = env.HTTP_BODY_LIMIT;
  if (raw !== undefined && raw !== '') {
    const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw.trim());
    const bytes = m
      ? Number(m[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[(m[2] ?? 'b').toLowerCase() as 'b']
      : NaN;
    if (!Number.isSafeInteger(bytes) || bytes < 1024 || bytes > 64 * 1024 * 1024)
      problems.push(
        `HTTP_BODY_LIMIT=${JSON.stringify(raw)}: bytes (or 512kb, 1mb) between 1kb and 64mb`,
      );
    else bodyLimitBytes = bytes;
  }
  const rateLimit = integer(env, 'HTTP_RATE_LIMIT', 6000, 1, 1_000_000, problems);
  // Above the per-identity default: many identities may share an address (a border post's
  // clerks behind one gateway); it bounds what one address can send unauthenticated.
  const addressRateLimit = integer(env, 'HTTP_ADDRESS_RATE_LIMIT', 60000, 1, 10_000_000, problems);
  const windowSeconds = integer(env, 'HTTP_RATE_WINDOW_SECONDS', 60, 1, 3600, problems);
  const trustProxyHops = integer(env, 'HTTP_TRUST_PROXY', 0, 0, 10, problems);
  if (problems.length > 0) throw new AuthConfigurationError(problems);
  return {
    bodyLimitBytes,
    rateLimit,
    addressRateLimit,
    rateWindowMs: windowSeconds * 1000,
    trustProxyHops,
  };
}

function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    problems.push(`${name}=${JSON.stringify(raw)}: an integer from ${min} to ${max}`);
    return fallback;
  }
  return n;
}
