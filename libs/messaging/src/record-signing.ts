import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  checkSignerPolicy,
  KeyRegistry,
  keyIdOf,
  parseKeyRegistry,
  RecordSigner,
  signRecord,
  verifyRecordSignature,
} from '@customs/contracts';
import { Message } from 'kafkajs';

export class SigningConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningConfigurationError';
  }
}

/**
 * The local stack's key directory (`customs stack up` writes it; libs/stack computes the same
 * path, which production code must not import): `<data dir>/keys`.
 */
export function localSigningKeysDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache =
    env.CUSTOMS_CACHE_DIR ??
    join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'customs-clearance');
  return join(env.CUSTOMS_DATA_DIR ?? join(cache, 'data'), 'keys');
}

/** A signer from a PEM private key file; its key id is derived from the key (as the registry's). */
export function signerFromFile(principal: string, file: string, keyId?: string): RecordSigner {
  const privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new SigningConfigurationError(
      `${file}: a ${privateKey.asymmetricKeyType} key; record signing keys are Ed25519`,
    );
  const derived = keyIdOf(principal, createPublicKey(privateKey));
  if (keyId && keyId !== derived)
    throw new SigningConfigurationError(
      `CUSTOMS_SIGNING_KEY_ID=${keyId} is not the id of the key in ${file} for ${principal} (${derived})`,
    );
  return { principal, keyId: derived, privateKey };
}

/**
 * The record-signing key of `principal`: `CUSTOMS_SIGNING_KEY_FILE` (PEM, PKCS#8) and
 * optionally `CUSTOMS_SIGNING_KEY_ID` (checked against the key), by default the local stack's
 * key of that principal. Without a readable key this throws, naming the variable: a service
 * that cannot sign does not start.
 */
export function loadSigner(principal: string, env: NodeJS.ProcessEnv = process.env): RecordSigner {
  const file =
    env.CUSTOMS_SIGNING_KEY_FILE || join(localSigningKeysDir(env), `${principal}.key.pem`);
  if (!existsSync(file))
    throw new SigningConfigurationError(
      `CUSTOMS_SIGNING_KEY_FILE=${JSON.stringify(file)}: no such file; ${principal} needs its record-signing key (set CUSTOMS_SIGNING_KEY_FILE; locally \`customs stack up\` creates it)`,
    );
  try {
    return signerFromFile(principal, file, env.CUSTOMS_SIGNING_KEY_ID || undefined);
  } catch (error) {
    if (error instanceof SigningConfigurationError) throw error;
    throw new SigningConfigurationError(
      `CUSTOMS_SIGNING_KEY_FILE=${JSON.stringify(file)}: not a PEM private key (${(error as Error).message})`,
    );
  }
}

/**
 * For tools that sign as several principals (the border-post simulator, the bench, tests):
 * the key of each principal in `CUSTOMS_SIGNING_KEYS_DIR` (`<principal>.key.pem`), by default
 * the local stack's key directory.
 */
export function signerFor(principal: string, env: NodeJS.ProcessEnv = process.env): RecordSigner {
  const file = join(
    env.CUSTOMS_SIGNING_KEYS_DIR || localSigningKeysDir(env),
    `${principal}.key.pem`,
  );
  if (!existsSync(file))
    throw new SigningConfigurationError(
      `${file}: no record-signing key for ${principal} (set CUSTOMS_SIGNING_KEYS_DIR; locally \`customs stack up\` creates it)`,
    );
  return signerFromFile(principal, file);
}

/** Where a tool that signs as several principals gets each one's signer (see signerFor). */
export type SignerSource = (principal: string) => RecordSigner;

/** signerFor, each key read once. */
export function localSigners(env: NodeJS.ProcessEnv = process.env): SignerSource {
  const cache = new Map<string, RecordSigner>();
  return (principal) => {
    let s = cache.get(principal);
    if (!s) cache.set(principal, (s = signerFor(principal, env)));
    return s;
  };
}

/** The key registry: `CUSTOMS_KEY_REGISTRY_FILE`, by default the local stack's. */
export function loadKeyRegistry(env: NodeJS.ProcessEnv = process.env): KeyRegistry {
  const file = env.CUSTOMS_KEY_REGISTRY_FILE || join(localSigningKeysDir(env), 'registry.json');
  if (!existsSync(file))
    throw new SigningConfigurationError(
      `CUSTOMS_KEY_REGISTRY_FILE=${JSON.stringify(file)}: no such file; records cannot be verified without the key registry (locally \`customs stack up\` creates it)`,
    );
  try {
    return parseKeyRegistry(readFileSync(file, 'utf8'), file);
  } catch (error) {
    throw new SigningConfigurationError(
      `CUSTOMS_KEY_REGISTRY_FILE=${JSON.stringify(file)}: ${(error as Error).message}`,
    );
  }
}

/**
 * Messages for one contract topic, each with its signature headers added (other headers kept).
 * Values and keys are signed as the bytes that go on the wire.
 */
export function signedMessages(
  topic: string,
  messages: Message[],
  signer: RecordSigner,
): Message[] {
  return messages.map((m) => ({
    ...m,
    headers: { ...m.headers, ...signRecord({ topic, key: m.key, value: m.value }, signer) },
  }));
}

export type RecordTrust =
  { ok: true; signer: string; keyId: string } | { ok: false; code: string; reason: string };

/**
 * What a consumer checks before any handler sees a record: the signature against the
 * registry, then whether its signer may emit this event type on this topic (`eventType`
 * null: the value is not an envelope).
 */
export function checkRecordTrust(
  record: {
    topic: string;
    key: string | Buffer | null;
    value: string | Buffer | null;
    headers: Record<string, string | Buffer | undefined>;
  },
  eventType: string | null,
  registry: KeyRegistry,
  at: number = Date.now(),
): RecordTrust {
  const signature = verifyRecordSignature(record, registry, at);
  if (!signature.ok) return { ok: false, code: signature.code, reason: signature.reason };
  const policy = checkSignerPolicy(record.topic, eventType, signature.principal);
  if (!policy.ok) return policy;
  return { ok: true, signer: signature.principal, keyId: signature.keyId };
}
