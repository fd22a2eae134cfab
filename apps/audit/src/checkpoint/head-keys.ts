import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CheckpointerConfig } from '@customs/config';
import {
  ed25519HeadSigner,
  ed25519HeadVerifier,
  HeadSigner,
  HeadVerifier,
} from '@customs/contracts';
import { ensureCheckpointKeys } from '@customs/stack';

export const CHECKPOINTER_CONFIG = Symbol('CHECKPOINTER_CONFIG');
export const HEAD_KEYS = Symbol('HEAD_KEYS');

export interface HeadKeys {
  signer: HeadSigner;
  /** Checks heads read back from the checkpoints topic before resuming from them. */
  verifier: HeadVerifier;
}

/**
 * The checkpointer's signing key: CHECKPOINT_SIGNING_KEY_FILE, or outside production the
 * local stack's generated pair. (To be wired to the key registry: the verifier should then
 * accept every registered key of the checkpointer, so heads signed before a rotation verify.)
 */
export function loadHeadKeys(
  config: Pick<CheckpointerConfig, 'CHECKPOINT_KEY_ID' | 'CHECKPOINT_SIGNING_KEY_FILE'>,
  env: NodeJS.ProcessEnv = process.env,
): HeadKeys {
  let file = config.CHECKPOINT_SIGNING_KEY_FILE;
  if (!file) {
    if (env.NODE_ENV === 'production')
      throw new Error('CHECKPOINT_SIGNING_KEY_FILE is required in production');
    file = ensureCheckpointKeys(env).privateKey;
  }
  const privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  const signer = ed25519HeadSigner(config.CHECKPOINT_KEY_ID, privateKey);
  const verifier = ed25519HeadVerifier({
    [config.CHECKPOINT_KEY_ID]: createPublicKey(privateKey),
  });
  return { signer, verifier };
}
