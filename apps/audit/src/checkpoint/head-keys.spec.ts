import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHeadKeys } from './head-keys';

describe('loadHeadKeys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'head-keys-'));
  const bytes = Buffer.from('{"treeSize":1}');

  it('signs with the configured key file under the configured key id, and verifies its own heads', () => {
    const file = join(dir, 'k.pem');
    writeFileSync(
      file,
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    const keys = loadHeadKeys({
      CHECKPOINT_KEY_ID: 'svc-audit#2',
      CHECKPOINT_SIGNING_KEY_FILE: file,
    });
    expect(keys.signer.keyId).toBe('svc-audit#2');
    const sig = keys.signer.sign(bytes);
    expect(keys.verifier('svc-audit#2', bytes, sig)).toBe(true);
    expect(keys.verifier('svc-audit', bytes, sig)).toBe(false);
    expect(keys.verifier('svc-audit#2', Buffer.from('other'), sig)).toBe(false);
  });

  it('generates the local pair once outside production, and refuses to run without a key in production', () => {
    const env = { CUSTOMS_DATA_DIR: join(dir, 'data') };
    const a = loadHeadKeys({ CHECKPOINT_KEY_ID: 'svc-audit' }, env);
    const b = loadHeadKeys({ CHECKPOINT_KEY_ID: 'svc-audit' }, env);
    expect(b.verifier('svc-audit', bytes, a.signer.sign(bytes))).toBe(true);
    expect(() =>
      loadHeadKeys({ CHECKPOINT_KEY_ID: 'svc-audit' }, { ...env, NODE_ENV: 'production' }),
    ).toThrow(/CHECKPOINT_SIGNING_KEY_FILE is required in production/);
  });
});
