import { errors, jwtVerify } from 'jose';
import { AuthConfig } from './auth-config';
import { Identity, identityFromClaims } from './identity';

export type Verification = { ok: true; identity: Identity } | { ok: false; reason: string };

/**
 * Checks a bearer token: signature with the configured public key and only its algorithm
 * (no `none`, no HMAC with the public key as secret), issuer, audience, expiry (required),
 * not-before; then the identity claims.
 */
export class JwtVerifier {
  constructor(private readonly config: AuthConfig) {}

  async verify(token: string): Promise<Verification> {
    try {
      const { payload } = await jwtVerify(token, this.config.publicKey, {
        algorithms: [this.config.algorithm],
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: this.config.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      return identityFromClaims(payload as Record<string, unknown>);
    } catch (e) {
      return { ok: false, reason: reasonOf(e) };
    }
  }
}

function reasonOf(e: unknown): string {
  if (e instanceof errors.JWTExpired) return 'token expired';
  if (e instanceof errors.JWTClaimValidationFailed) return `token claim ${e.claim}: ${e.reason}`;
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'token signature is not valid';
  if (e instanceof errors.JOSEAlgNotAllowed) return 'token algorithm not allowed';
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid)
    return 'token is not a well-formed JWT';
  return 'token could not be verified';
}
