import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stackPaths } from './stack-paths';

/** Key id of the local stack's checkpoint signing key (until the key registry names it). */
export const LOCAL_CHECKPOINT_KEY_ID = 'svc-audit';

export interface CheckpointKeyPaths {
  dir: string;
  privateKey: string;
  publicKey: string;
}

/** The local checkpointer's Ed25519 key pair: in the stack's data dir, outside the git tree. */
export function checkpointKeyPaths(env: NodeJS.ProcessEnv = process.env): CheckpointKeyPaths {
  const dir = join(dirname(stackPaths(env).logs), 'checkpoint-keys');
  return {
    dir,
    privateKey: join(dir, 'checkpoint-private.pem'),
    publicKey: join(dir, 'checkpoint-public.pem'),
  };
}

/**
 * Creates the pair once; later calls keep it, so heads signed earlier still verify. Safe
 * when processes race (written to a temporary directory renamed into place).
 */
export function ensureCheckpointKeys(env: NodeJS.ProcessEnv = process.env): CheckpointKeyPaths {
  const paths = checkpointKeyPaths(env);
  if (existsSync(paths.privateKey) && existsSync(paths.publicKey)) return paths;
  mkdirSync(dirname(paths.dir), { recursive: true });
  const tmp = mkdtempSync(`${paths.dir}.tmp-`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(
    join(tmp, 'checkpoint-private.pem'),
    privateKey.export({ type: 'pkcs8', format: 'pem' }),
    { mode: 0o600 },
  );
  writeFileSync(
    join(tmp, 'checkpoint-public.pem'),
    publicKey.export({ type: 'spki', format: 'pem' }),
  );
  try {
    renameSync(tmp, paths.dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  return paths;
}
