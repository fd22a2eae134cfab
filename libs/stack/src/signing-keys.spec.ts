import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryEntry, signRecord, verifyRecordSignature } from '@customs/contracts';
import { loadKeyRegistry, loadSigner, localSigningKeysDir, signerFor } from '@customs/messaging';
import { ensureSigningKeys, signingKeyPaths } from './signing-keys';

describe('local signing keys', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'customs-keys-'));
    env = { CUSTOMS_DATA_DIR: dir };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a private key per principal (0600) and a registry of the public keys', () => {
    const paths = ensureSigningKeys(['svc-intake', 'bp-nl-vnl-venlo'], env);
    expect(paths.dir).toBe(join(dir, 'keys'));
    expect(statSync(paths.keyFile('svc-intake')).mode & 0o777).toBe(0o600);
    const text = readFileSync(paths.registry, 'utf8');
    expect(text).not.toMatch(/PRIVATE/);
    const registry = loadKeyRegistry(env);
    expect(registry.version).toBe(1);
    expect([...registry.keys.values()].map((k) => k.principal).sort()).toEqual([
      'bp-nl-vnl-venlo',
      'svc-intake',
    ]);
    // The loaders' default paths are the stack's.
    const signer = loadSigner('svc-intake', env);
    const record = { topic: 'customs.declarations.accepted.v1', key: 'k', value: 'v' };
    expect(
      verifyRecordSignature({ ...record, headers: signRecord(record, signer) }, registry),
    ).toMatchObject({ ok: true, principal: 'svc-intake' });
    expect(signerFor('bp-nl-vnl-venlo', env).keyId).toMatch(/^bp-nl-vnl-venlo:/);
  });

  it('keeps keys and version on later calls; a new principal makes a new version', () => {
    const paths = ensureSigningKeys(['svc-intake'], env);
    const key = readFileSync(paths.keyFile('svc-intake'), 'utf8');
    ensureSigningKeys(['svc-intake'], env);
    expect(readFileSync(paths.keyFile('svc-intake'), 'utf8')).toBe(key);
    expect(loadKeyRegistry(env).version).toBe(1);
    ensureSigningKeys(['svc-intake', 'svc-risk'], env);
    const registry = loadKeyRegistry(env);
    expect(registry.version).toBe(2);
    expect(registry.keys.size).toBe(2);
  });

  it('a racing process: its key file is kept, and a registry written without ours is rewritten', () => {
    // Another process won the race for svc-risk's key and wrote a registry listing only it.
    const paths = ensureSigningKeys(['svc-risk'], env);
    const theirs = readFileSync(paths.keyFile('svc-risk'), 'utf8');
    ensureSigningKeys(['svc-intake', 'svc-risk'], env);
    writeFileSync(
      paths.registry,
      JSON.stringify({
        version: 1,
        keys: [
          registryEntry('svc-risk', createPublicKey(theirs), new Date('2026-01-01T00:00:00Z')),
        ],
      }),
    );
    ensureSigningKeys(['svc-intake', 'svc-risk'], env);
    expect(readFileSync(paths.keyFile('svc-risk'), 'utf8')).toBe(theirs);
    const registry = loadKeyRegistry(env);
    expect(registry.version).toBe(2);
    for (const principal of ['svc-intake', 'svc-risk'])
      expect(registry.keys.has(loadSigner(principal, env).keyId)).toBe(true);
    expect(signingKeyPaths(env).registry).toBe(join(dir, 'keys', 'registry.json'));
  });

  it("the services' default key directory is the stack's, however the data dir is set", () => {
    for (const e of [
      { CUSTOMS_DATA_DIR: dir },
      { CUSTOMS_CACHE_DIR: dir },
      { XDG_CACHE_HOME: dir },
      { HOME: dir },
    ])
      expect(localSigningKeysDir(e)).toBe(signingKeyPaths(e).dir);
  });

  it('a service without its key, or without the registry, is told which variable to set', () => {
    expect(() => loadSigner('svc-risk', env)).toThrow(
      /CUSTOMS_SIGNING_KEY_FILE=.*svc-risk\.key\.pem.*no such file/,
    );
    expect(() => loadKeyRegistry(env)).toThrow(/CUSTOMS_KEY_REGISTRY_FILE=.*no such file/);
    ensureSigningKeys(['svc-risk'], env);
    expect(() =>
      loadSigner('svc-risk', { ...env, CUSTOMS_SIGNING_KEY_ID: 'svc-risk:0000000000000000' }),
    ).toThrow(/CUSTOMS_SIGNING_KEY_ID=svc-risk:0000000000000000 is not the id of the key/);
    expect(() =>
      loadSigner('svc-risk', { ...env, CUSTOMS_SIGNING_KEY_FILE: signingKeyPaths(env).registry }),
    ).toThrow(/CUSTOMS_SIGNING_KEY_FILE=.*not a PEM private key/);
  });
});
