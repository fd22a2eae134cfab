import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKeyRegistry, registryEntry } from '@customs/contracts';
import { loadHeadKeys } from './head-keys';

describe('loadHeadKeys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'head-keys-'));
  const bytes = Buffer.from('{"treeSize":1}');
  const audit = generateKeyPairSync('ed25519');
  const intake = generateKeyPairSync('ed25519');
  const file = join(dir, 'svc-audit.pem');
  writeFileSync(file, audit.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const since = new Date('2026-01-01T00:00:00Z');
  const auditEntry = registryEntry('svc-audit', createPublicKey(audit.privateKey), since);
  const intakeEntry = registryEntry('svc-intake', intake.publicKey, since);
  const env = { CUSTOMS_SIGNING_KEY_FILE: file };

  it("signs heads with svc-audit's record-signing key, under its registry key id", () => {
    const registry = parseKeyRegistry({ version: 1, keys: [auditEntry, intakeEntry] });
    const keys = loadHeadKeys(env, registry);
    expect(keys.signer.keyId).toBe(auditEntry.keyId);
    expect(keys.recordSigner.principal).toBe('svc-audit');
    const sig = keys.signer.sign(bytes);
    expect(keys.verifier(auditEntry.keyId, bytes, sig)).toBe(true);
    expect(keys.verifier(auditEntry.keyId, Buffer.from('other'), sig)).toBe(false);
  });

  it("never takes another principal's key for a checkpointer's, and no revoked key", () => {
    const registry = parseKeyRegistry({ version: 1, keys: [auditEntry, intakeEntry] });
    const keys = loadHeadKeys(env, registry);
    // A valid signature, but by svc-intake's key: not a head.
    expect(keys.verifier(intakeEntry.keyId, bytes, sign(null, bytes, intake.privateKey))).toBe(
      false,
    );
    const revoked = parseKeyRegistry({
      version: 2,
      keys: [{ ...auditEntry, revokedAt: '2026-02-01T00:00:00Z' }],
    });
    const after = loadHeadKeys(env, revoked);
    expect(after.verifier(auditEntry.keyId, bytes, after.signer.sign(bytes))).toBe(false);
  });

  it('refuses to start without its key, naming the variable', () => {
    expect(() =>
      loadHeadKeys(
        { CUSTOMS_SIGNING_KEY_FILE: join(dir, 'missing.pem') },
        parseKeyRegistry({ version: 1, keys: [] }),
      ),
    ).toThrow(/CUSTOMS_SIGNING_KEY_FILE/);
  });
});
