import { createHash, KeyObject, sign, verify } from 'node:crypto';
import { KeyRegistry, lookupKey } from './key-registry';

/** Kafka headers that carry a record's signature; outside the envelope, so `hash` is unchanged. */
export const SIGNATURE_HEADER = 'customs-signature';
export const KEY_ID_HEADER = 'customs-key-id';

/** The signing domain: a signature over these bytes means nothing in any other protocol. */
const DOMAIN = 'customs-record-signature/v1';

/** Who signs: a principal's private key and the registry id of its public key. */
export interface RecordSigner {
  principal: string;
  keyId: string;
  privateKey: KeyObject;
}

type Bytes = string | Buffer | null | undefined;

export interface RecordToSign {
  /** The contract topic (without a scratch prefix). */
  topic: string;
  key: Bytes;
  value: Bytes;
}

export type SignatureHeaders = Record<typeof SIGNATURE_HEADER | typeof KEY_ID_HEADER, string>;

export interface SignedRecord extends RecordToSign {
  headers: Readonly<Record<string, string | Buffer | undefined>> | undefined;
}

export type SignatureFailureCode =
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_MALFORMED'
  | 'KEY_UNKNOWN'
  | 'KEY_NOT_VALID'
  | 'SIGNATURE_INVALID';

export type SignatureCheck =
  | { ok: true; principal: string; keyId: string }
  | { ok: false; code: SignatureFailureCode; reason: string; keyId?: string };

const sha256 = (b: Bytes) =>
  createHash('sha256')
    .update(b ?? '')
    .digest('hex');

/**
 * What is signed: the domain, the contract topic and the digests of key and value bytes (a
 * null key or value signs as empty). The topic binds a record to where it may be read, so a
 * signed record copied to another topic fails.
 */
export function signedBytes(record: RecordToSign): Buffer {
  return Buffer.from(
    `${DOMAIN}\n${record.topic}\n${sha256(record.key)}\n${sha256(record.value)}`,
    'utf8',
  );
}

/** The headers to add to a record. Ed25519 is deterministic: the same record, the same bytes. */
export function signRecord(record: RecordToSign, signer: RecordSigner): SignatureHeaders {
  return {
    [SIGNATURE_HEADER]: sign(null, signedBytes(record), signer.privateKey).toString('base64'),
    [KEY_ID_HEADER]: signer.keyId,
  };
}

const BASE64_SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;

const text = (v: string | Buffer | undefined) =>
  v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('utf8') : v;

/**
 * Checks a record's signature headers against the registry: the key id known and valid at
 * `at` (default now), the signature the key's over this record on this contract topic.
 */
export function verifyRecordSignature(
  record: SignedRecord,
  registry: KeyRegistry,
  at: number | Date = Date.now(),
): SignatureCheck {
  const signature = text(record.headers?.[SIGNATURE_HEADER]);
  const keyId = text(record.headers?.[KEY_ID_HEADER]);
  if (signature === undefined && keyId === undefined)
    return {
      ok: false,
      code: 'SIGNATURE_MISSING',
      reason: `unsigned record (no ${SIGNATURE_HEADER} header)`,
    };
  if (signature === undefined || !keyId)
    return {
      ok: false,
      code: 'SIGNATURE_MALFORMED',
      reason: `${signature === undefined ? SIGNATURE_HEADER : KEY_ID_HEADER} header missing`,
      keyId,
    };
  if (!BASE64_SIGNATURE.test(signature))
    return {
      ok: false,
      code: 'SIGNATURE_MALFORMED',
      reason: `${SIGNATURE_HEADER} is not the base64 of a 64-byte Ed25519 signature`,
      keyId,
    };
  const found = lookupKey(registry, keyId, typeof at === 'number' ? at : at.getTime());
  if (!found.valid) return { ok: false, code: found.code, reason: found.reason, keyId };
  const good = verify(
    null,
    signedBytes(record),
    found.key.publicKey,
    Buffer.from(signature, 'base64'),
  );
  if (!good)
    return {
      ok: false,
      code: 'SIGNATURE_INVALID',
      reason: `signature by ${keyId} does not match this record on ${record.topic} (altered, or copied from elsewhere)`,
      keyId,
    };
  return { ok: true, principal: found.key.principal, keyId };
}
