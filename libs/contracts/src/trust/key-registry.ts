import { createHash, createPublicKey, KeyObject } from 'node:crypto';

/** One public key as the registry file lists it (public keys only, never a private one). */
export interface KeyRegistryEntry {
  keyId: string;
  principal: string;
  /** PEM, SPKI. Ed25519 only. */
  publicKey: string;
  /** ISO-8601: records signed before this instant are not valid under this key. */
  notBefore: string;
  notAfter?: string;
  /** ISO-8601: from this instant on the key signs nothing valid (stolen or retired). */
  revokedAt?: string;
}

/** The versioned file: a new version for every change, so that readers can tell which they hold. */
export interface KeyRegistryDocument {
  version: number;
  keys: KeyRegistryEntry[];
}

export interface RegisteredKey {
  keyId: string;
  principal: string;
  publicKey: KeyObject;
  notBefore: number;
  notAfter?: number;
  revokedAt?: number;
}

export interface KeyRegistry {
  version: number;
  keys: ReadonlyMap<string, RegisteredKey>;
}

export class KeyRegistryError extends Error {
  constructor(
    readonly problems: string[],
    source = 'key registry',
  ) {
    super(`invalid ${source}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'KeyRegistryError';
  }
}

/** Principal names as the principals table makes them: `svc-intake`, `bp-nl-vnl-venlo`, `pay-local-bank`. */
const PRINCIPAL = /^[a-z]+(-[A-Za-z0-9.]+)*$/;

/** The 32 raw bytes of an Ed25519 public key (the JWK `x`), which the key id is derived from. */
export function rawPublicKey(key: KeyObject): Buffer {
  const x = key.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('not an Ed25519 public key');
  return Buffer.from(x, 'base64url');
}

/** `<principal>:<first 16 hex digits of SHA-256 of the raw public key>`. */
export function keyIdOf(principal: string, publicKey: KeyObject): string {
  const digest = createHash('sha256').update(rawPublicKey(publicKey)).digest('hex');
  return `${principal}:${digest.slice(0, 16)}`;
}

function instant(
  value: unknown,
  field: string,
  where: string,
  problems: string[],
  required: boolean,
): number | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    problems.push(`${where}.${field}: ${JSON.stringify(value)} is not an ISO-8601 instant`);
    return undefined;
  }
  return Date.parse(value);
}

/**
 * Parses and checks a registry (its JSON text or the parsed value): every key Ed25519, its id
 * the one derived from the key and its principal (a key id cannot be reused for another key),
 * no id twice, dates readable. All problems are reported at once, each with its place.
 */
export function parseKeyRegistry(input: unknown, source?: string): KeyRegistry {
  let doc: unknown = input;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    try {
      doc = JSON.parse(input.toString());
    } catch (error) {
      throw new KeyRegistryError([`not JSON: ${(error as Error).message}`], source);
    }
  }
  const problems: string[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new KeyRegistryError(['expected an object {version, keys: [...]}'], source);
  const { version, keys } = doc as Partial<KeyRegistryDocument>;
  if (!Number.isInteger(version) || (version as number) < 1)
    problems.push(`version: ${JSON.stringify(version)} is not a positive integer`);
  if (!Array.isArray(keys)) throw new KeyRegistryError([...problems, 'keys: not an array'], source);
  const out = new Map<string, RegisteredKey>();
  keys.forEach((entry: Partial<KeyRegistryEntry>, i) => {
    const where = `keys[${i}]`;
    if (typeof entry !== 'object' || entry === null) {
      problems.push(`${where}: not an object`);
      return;
    }
    const { keyId, principal } = entry;
    if (typeof principal !== 'string' || !PRINCIPAL.test(principal))
      problems.push(`${where}.principal: ${JSON.stringify(principal)} is not a principal name`);
    if (typeof keyId !== 'string') {
      problems.push(`${where}.keyId: missing`);
      return;
    }
    let publicKey: KeyObject | undefined;
    try {
      if (typeof entry.publicKey !== 'string') throw new Error('missing');
      if (/PRIVATE KEY-----/.test(entry.publicKey))
        throw new Error('a private key; the registry holds public keys only');
      publicKey = createPublicKey(entry.publicKey);
      if (publicKey.asymmetricKeyType !== 'ed25519')
        throw new Error(`an ${publicKey.asymmetricKeyType} key; signing keys are Ed25519`);
    } catch (error) {
      problems.push(`${where}.publicKey (${keyId}): ${(error as Error).message}`);
      publicKey = undefined;
    }
    const notBefore = instant(entry.notBefore, 'notBefore', where, problems, true);
    const notAfter = instant(entry.notAfter, 'notAfter', where, problems, false);
    const revokedAt = instant(entry.revokedAt, 'revokedAt', where, problems, false);
    if (publicKey && typeof principal === 'string') {
      const expected = keyIdOf(principal, publicKey);
      if (keyId !== expected)
        problems.push(`${where}.keyId: ${keyId} is not the id of this key (${expected})`);
    }
    if (out.has(keyId)) problems.push(`${where}.keyId: ${keyId} is listed twice`);
    if (publicKey && typeof principal === 'string' && notBefore !== undefined)
      out.set(keyId, { keyId, principal, publicKey, notBefore, notAfter, revokedAt });
  });
  if (problems.length > 0) throw new KeyRegistryError(problems, source);
  return { version: version as number, keys: out };
}

/** The registry entry for a public key, valid from `notBefore` on. */
export function registryEntry(
  principal: string,
  publicKey: KeyObject,
  notBefore: Date,
): KeyRegistryEntry {
  return {
    keyId: keyIdOf(principal, publicKey),
    principal,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    notBefore: notBefore.toISOString(),
  };
}

export type KeyValidity =
  | { valid: true; key: RegisteredKey }
  | { valid: false; code: 'KEY_UNKNOWN' | 'KEY_NOT_VALID'; reason: string };

/** The key of an id, if the registry knows it and it was valid at `at` (epoch ms). */
export function lookupKey(registry: KeyRegistry, keyId: string, at: number): KeyValidity {
  const key = registry.keys.get(keyId);
  if (!key)
    return {
      valid: false,
      code: 'KEY_UNKNOWN',
      reason: `key id ${keyId} is not in the key registry (version ${registry.version})`,
    };
  const iso = (ms: number) => new Date(ms).toISOString();
  if (key.revokedAt !== undefined && at >= key.revokedAt)
    return {
      valid: false,
      code: 'KEY_NOT_VALID',
      reason: `key ${keyId} was revoked at ${iso(key.revokedAt)}`,
    };
  if (at < key.notBefore)
    return {
      valid: false,
      code: 'KEY_NOT_VALID',
      reason: `key ${keyId} is valid only from ${iso(key.notBefore)} (checked at ${iso(at)})`,
    };
  if (key.notAfter !== undefined && at > key.notAfter)
    return {
      valid: false,
      code: 'KEY_NOT_VALID',
      reason: `key ${keyId} expired at ${iso(key.notAfter)}`,
    };
  return { valid: true, key };
}
