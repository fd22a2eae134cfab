import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { keyIdOf, parseKeyRegistry, registryEntry } from './key-registry';
import {
  KEY_ID_HEADER,
  RecordSigner,
  SIGNATURE_HEADER,
  signRecord,
  verifyRecordSignature,
} from './record-signature';

function signer(principal: string): RecordSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { principal, keyId: keyIdOf(principal, publicKey), privateKey };
}
const entryOf = (s: RecordSigner, extra: object = {}) => ({
  ...registryEntry(
    s.principal,
    // The public half of the signer's private key.
    createPublicKey(s.privateKey),
    new Date('2026-01-01T00:00:00Z'),
  ),
  ...extra,
});

const intake = signer('svc-intake');
const post = signer('bp-nl-vnl-venlo');
const registry = parseKeyRegistry({ version: 1, keys: [entryOf(intake), entryOf(post)] });
const record = {
  topic: 'customs.declarations.accepted.v1',
  key: '26NL00000000000017',
  value: JSON.stringify({ eventId: 'e-1', type: 'DeclarationAccepted', payload: { x: 'é' } }),
};
const now = Date.parse('2026-05-01T00:00:00Z');

describe('record signatures', () => {
  const headers = signRecord(record, intake);

  it('signs with a base64 Ed25519 signature and the key id, deterministically', () => {
    expect(headers[KEY_ID_HEADER]).toBe(intake.keyId);
    expect(Buffer.from(headers[SIGNATURE_HEADER], 'base64')).toHaveLength(64);
    expect(signRecord({ ...record, value: Buffer.from(record.value) }, intake)).toEqual(headers);
  });

  it('verifies the signer of an unaltered record, with string or Buffer headers', () => {
    expect(verifyRecordSignature({ ...record, headers }, registry, now)).toEqual({
      ok: true,
      principal: 'svc-intake',
      keyId: intake.keyId,
    });
    const buffers = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]),
    );
    expect(verifyRecordSignature({ ...record, headers: buffers }, registry, now).ok).toBe(true);
  });

  it.each([
    ['value', { value: record.value.replace('e-1', 'e-2') }],
    ['key', { key: '26NL00000000000025' }],
    ['topic', { topic: 'customs.declarations.released.v1' }],
    ['null value', { value: null }],
  ])('finds a tampered %s', (_, change) => {
    expect(verifyRecordSignature({ ...record, ...change, headers }, registry, now)).toMatchObject({
      ok: false,
      code: 'SIGNATURE_INVALID',
    });
  });

  it('refuses a signature by another registered key under this key id', () => {
    const forged = signRecord(record, post)[SIGNATURE_HEADER];
    expect(
      verifyRecordSignature(
        { ...record, headers: { ...headers, [SIGNATURE_HEADER]: forged } },
        registry,
        now,
      ),
    ).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID', keyId: intake.keyId });
  });

  it('refuses an unregistered key, even one that names a registered principal', () => {
    const rogue = { ...signer('svc-intake'), keyId: 'svc-intake:0123456789abcdef' };
    expect(
      verifyRecordSignature({ ...record, headers: signRecord(record, rogue) }, registry, now),
    ).toMatchObject({ ok: false, code: 'KEY_UNKNOWN' });
  });

  it('refuses a revoked key and one not yet valid', () => {
    const revoked = parseKeyRegistry({
      version: 2,
      keys: [entryOf(intake, { revokedAt: '2026-04-01T00:00:00Z' })],
    });
    expect(verifyRecordSignature({ ...record, headers }, revoked, now)).toMatchObject({
      ok: false,
      code: 'KEY_NOT_VALID',
    });
    expect(
      verifyRecordSignature({ ...record, headers }, revoked, Date.parse('2026-03-01T00:00:00Z')).ok,
    ).toBe(true);
    expect(
      verifyRecordSignature({ ...record, headers }, registry, new Date('2025-12-01T00:00:00Z')),
    ).toMatchObject({ ok: false, code: 'KEY_NOT_VALID' });
  });

  it('tells an unsigned record from a malformed signature', () => {
    expect(verifyRecordSignature({ ...record, headers: {} }, registry, now)).toMatchObject({
      ok: false,
      code: 'SIGNATURE_MISSING',
    });
    expect(verifyRecordSignature({ ...record, headers: undefined }, registry, now).ok).toBe(false);
    for (const bad of [
      { [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER] },
      { [KEY_ID_HEADER]: intake.keyId },
      { ...headers, [SIGNATURE_HEADER]: 'c2lnbmF0dXJl' },
      { ...headers, [SIGNATURE_HEADER]: `${headers[SIGNATURE_HEADER].slice(0, -3)}!==` },
    ])
      expect(verifyRecordSignature({ ...record, headers: bad }, registry, now)).toMatchObject({
        ok: false,
        code: 'SIGNATURE_MALFORMED',
      });
  });
});
