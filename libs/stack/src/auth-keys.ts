import { createPrivateKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { SignJWT } from 'jose';
import { stackPaths } from './stack-paths';

/** Issuer and audience of the tokens the local stack mints; the services' defaults. */
export const LOCAL_JWT_ISSUER = 'customs-local';
export const LOCAL_JWT_AUDIENCE = 'customs-clearance';

export interface AuthKeyPaths {
  dir: string;
  privateKey: string;
  publicKey: string;
}

/** The local stack's signing key pair: in its data dir, outside the git tree. */
export function authKeyPaths(env: NodeJS.ProcessEnv = process.env): AuthKeyPaths {
  const dir = join(dirname(stackPaths(env).logs), 'auth');
  return {
    dir,
    privateKey: join(dir, 'jwt-private.pem'),
    publicKey: join(dir, 'jwt-public.pem'),
  };
}

/**
 * Creates the local Ed25519 key pair once (later calls keep it, so tokens minted earlier
 * stay valid). Safe when several processes race: the pair is written to a temporary
 * directory renamed into place, and the loser of the rename uses the winner's pair.
 */
export function ensureAuthKeys(env: NodeJS.ProcessEnv = process.env): AuthKeyPaths {
  const paths = authKeyPaths(env);
  if (existsSync(paths.privateKey) && existsSync(paths.publicKey)) return paths;
  mkdirSync(dirname(paths.dir), { recursive: true });
  const tmp = mkdtempSync(`${paths.dir}.tmp-`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(join(tmp, 'jwt-private.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  writeFileSync(join(tmp, 'jwt-public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  try {
    renameSync(tmp, paths.dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  return paths;
}

export interface TokenClaims {
  sub: string;
  roles: string[];
  declarantId?: string;
  borderPost?: string;
}

export interface MintOptions {
  /** Lifetime: seconds, or a jose time span such as '1h', '30m'. */
  ttl?: string | number;
  issuer?: string;
  audience?: string;
  /** Another signing key (tests of foreign keys); the local one by default. */
  privateKey?: KeyObject;
  env?: NodeJS.ProcessEnv;
}

/** Signs a token with the local private key (EdDSA), as `customs token` does. */
export async function mintToken(claims: TokenClaims, opts: MintOptions = {}): Promise<string> {
  const key =
    opts.privateKey ?? createPrivateKey(readFileSync(ensureAuthKeys(opts.env).privateKey, 'utf8'));
  const alg = key.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'ES256';
  const body: Record<string, unknown> = { roles: claims.roles };
  if (claims.declarantId !== undefined) body.declarantId = claims.declarantId;
  if (claims.borderPost !== undefined) body.borderPost = claims.borderPost;
  const ttl = opts.ttl ?? '1h';
  return new SignJWT(body)
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(opts.issuer ?? LOCAL_JWT_ISSUER)
    .setAudience(opts.audience ?? LOCAL_JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(typeof ttl === 'number' ? Math.floor(Date.now() / 1000) + ttl : ttl)
    .sign(key);
}
