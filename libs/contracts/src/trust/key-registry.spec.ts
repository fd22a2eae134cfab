import { generateKeyPairSync } from 'node:crypto';
import {
  keyIdOf,
  KeyRegistryError,
  lookupKey,
  parseKeyRegistry,
  rawPublicKey,
  registryEntry,
} from './key-registry';

const pair = () => generateKeyPairSync('ed25519');
const at = new Date('2026-01-01T00:00:00Z');

describe('key registry', () => {
  it('derives key ids from the principal and the first 16 hex digits of SHA-256 of the raw key', () => {
    const { publicKey } = pair();
    expect(rawPublicKey(publicKey)).toHaveLength(32);
    expect(keyIdOf('svc-intake', publicKey)).toMatch(/^svc-intake:[0-9a-f]{16}$/);
    expect(keyIdOf('svc-intake', publicKey)).not.toBe(keyIdOf('svc-intake', pair().publicKey));
  });

  it('parses a registry and looks keys up by id', () => {
    const a = pair();
    const entry = registryEntry('bp-nl-vnl-venlo', a.publicKey, at);
    const registry = parseKeyRegistry(JSON.stringify({ version: 3, keys: [entry] }));
    expect(registry.version).toBe(3);
    const found = lookupKey(registry, entry.keyId, Date.parse('2026-02-01T00:00:00Z'));
    expect(found.valid && found.key.principal).toBe('bp-nl-vnl-venlo');
  });

  it('refuses a key id that is not derived from its key, twice-listed ids, private keys, other key types', () => {
    const a = pair();
    const entry = registryEntry('svc-risk', a.publicKey, at);
    const stolenId = { ...registryEntry('svc-release', pair().publicKey, at), keyId: entry.keyId };
    const priv = {
      ...entry,
      keyId: 'svc-x:0',
      publicKey: a.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    };
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const rsaEntry = {
      ...entry,
      keyId: 'svc-y:0',
      publicKey: rsa.export({ type: 'spki', format: 'pem' }),
    };
    let error: KeyRegistryError | undefined;
    try {
      parseKeyRegistry({ version: 1, keys: [entry, entry, stolenId, priv, rsaEntry] });
    } catch (e) {
      error = e as KeyRegistryError;
    }
    expect(error).toBeInstanceOf(KeyRegistryError);
    const text = error!.problems.join('\n');
    expect(text).toContain('keys[1].keyId: ' + entry.keyId + ' is listed twice');
    expect(text).toContain('keys[2].keyId: ' + entry.keyId + ' is not the id of this key');
    expect(text).toContain('keys[3].publicKey (svc-x:0): a private key');
    expect(text).toContain('keys[4].publicKey (svc-y:0): an rsa key');
  });

  it('reports bad documents clearly', () => {
    expect(() => parseKeyRegistry('{')).toThrow(/not JSON/);
    expect(() => parseKeyRegistry([])).toThrow(/expected an object/);
    expect(() => parseKeyRegistry({ version: 0, keys: {} })).toThrow(
      /version: 0 is not a positive integer[\s\S]*keys: not an array/,
    );
    const entry = registryEntry('svc-risk', pair().publicKey, at);
    expect(() =>
      parseKeyRegistry({
        version: 1,
        keys: [{ ...entry, notBefore: 'yesterday', principal: 'Svc Risk' }],
      }),
    ).toThrow(/principal: "Svc Risk" is not a principal name[\s\S]*notBefore: "yesterday"/);
  });

  it('a key is valid from notBefore, until notAfter, and not from its revocation on', () => {
    const entry = {
      ...registryEntry('pay-local-bank', pair().publicKey, at),
      notAfter: '2026-06-01T00:00:00Z',
      revokedAt: '2026-03-01T00:00:00Z',
    };
    const registry = parseKeyRegistry({ version: 1, keys: [entry] });
    const check = (iso: string) => lookupKey(registry, entry.keyId, Date.parse(iso));
    expect(check('2025-12-31T23:59:59Z')).toMatchObject({ valid: false, code: 'KEY_NOT_VALID' });
    expect(check('2026-02-01T00:00:00Z')).toMatchObject({ valid: true });
    expect(check('2026-03-01T00:00:00Z')).toMatchObject({
      valid: false,
      code: 'KEY_NOT_VALID',
      reason: expect.stringContaining('revoked'),
    });
    const expiring = parseKeyRegistry({ version: 1, keys: [{ ...entry, revokedAt: undefined }] });
    expect(lookupKey(expiring, entry.keyId, Date.parse('2026-07-01T00:00:00Z'))).toMatchObject({
      valid: false,
      reason: expect.stringContaining('expired'),
    });
    expect(lookupKey(registry, 'pay-OTHER:0000', Date.now())).toMatchObject({
      valid: false,
      code: 'KEY_UNKNOWN',
    });
  });
});
