import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import {
  KeyRegistryDocument,
  KeyRegistryEntry,
  keyIdOf,
  parseKeyRegistry,
  registryEntry,
} from '@customs/contracts';
import { stackPaths } from './stack-paths';

/**
 * Every principal that signs records on the local stack (DESIGN.md "Trust"): the services, the
 * checkpointer, the local border posts and the local bank. The auditor, the admin CLI and the
 * broker's super user read or administer; they sign no business event.
 */

export interface SigningKeyPaths {
  dir: string;
  registry: string;
  keyFile: (principal: string) => string;
}

const KEY_SUFFIX = '.key.pem';

/** `<data dir>/keys`: private keys (0600) and the registry of their public halves. */
export function signingKeyPaths(env: NodeJS.ProcessEnv = process.env): SigningKeyPaths {
  const dir = join(dirname(stackPaths(env).logs), 'keys');
  return {
    dir,
    registry: join(dir, 'registry.json'),
    keyFile: (principal) => join(dir, `${principal}${KEY_SUFFIX}`),
  };
}

/** Writes `data` to `path` only if nothing is there: a hard link cannot replace a file. */
function createOnce(path: string, data: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, data, { mode });
  try {
    linkSync(tmp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(tmp);
  }
}

function registryOf(dir: string, previous: KeyRegistryDocument | null): KeyRegistryDocument {
  const keys: KeyRegistryEntry[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith(KEY_SUFFIX)) continue;
    const principal = file.slice(0, -KEY_SUFFIX.length);
    const path = join(dir, file);
    const publicKey = createPublicKey(createPrivateKey(readFileSync(path, 'utf8')));
    const kept = previous?.keys.find((k) => k.keyId === keyIdOf(principal, publicKey));
    // Valid from a minute before the key was made: the clocks of one machine, some slack.
    keys.push(
      kept ?? registryEntry(principal, publicKey, new Date(statSync(path).mtimeMs - 60_000)),
    );
  }
  const same =
    previous !== null &&
    previous.keys.length === keys.length &&
    previous.keys.every((k, i) => k.keyId === keys[i].keyId);
  return { version: same ? previous.version : (previous?.version ?? 0) + 1, keys };
}

function readRegistry(path: string): KeyRegistryDocument | null {
  if (!existsSync(path)) return null;
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as KeyRegistryDocument;
    parseKeyRegistry(doc, path);
    return doc;
  } catch {
    return null; // rewritten from the key files below
  }
}

/**
 * Creates, once, an Ed25519 key pair per principal (`<principal>.key.pem`, PKCS#8, 0600) and
 * writes `registry.json` with the public keys of every key file there (a new version when
 * the set changed). Safe when processes race: a key file is linked into place only if absent
 * (the loser keeps the winner's key), the registry is renamed into place, and rewritten
 * until it lists this caller's principals.
 */
export function ensureSigningKeys(
  principals: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): SigningKeyPaths {
  const paths = signingKeyPaths(env);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  for (const principal of principals) {
    if (existsSync(paths.keyFile(principal))) continue;
    const { privateKey } = generateKeyPairSync('ed25519');
    createOnce(
      paths.keyFile(principal),
      privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      0o600,
    );
  }
  for (let attempt = 1; ; attempt++) {
    const previous = readRegistry(paths.registry);
    const listed = new Set(previous?.keys.map((k) => k.principal));
    if (previous && principals.every((p) => listed.has(p))) {
      const next = registryOf(paths.dir, previous);
      if (next.version === previous.version) return paths;
    }
    const tmp = `${paths.registry}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(registryOf(paths.dir, previous), null, 2)}\n`);
    renameSync(tmp, paths.registry);
    if (attempt >= 5) return paths;
  }
}
