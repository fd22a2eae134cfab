import {
  ed25519HeadSigner,
  HeadSigner,
  HeadVerifier,
  KeyRegistry,
  RecordSigner,
  registryHeadVerifier,
  SERVICE_PRINCIPAL,
} from '@customs/contracts';
import { loadKeyRegistry, loadSigner } from '@customs/messaging';

export const CHECKPOINTER_CONFIG = Symbol('CHECKPOINTER_CONFIG');
export const HEAD_KEYS = Symbol('HEAD_KEYS');

export interface HeadKeys {
  signer: HeadSigner;
  /** Checks heads read back from the checkpoints topic before resuming from them. */
  verifier: HeadVerifier;
  /** Signs the checkpoint records themselves, like every record on the broker. */
  recordSigner: RecordSigner;
}

/**
 * The checkpointer signs as svc-audit with its record-signing key (CUSTOMS_SIGNING_KEY_FILE,
 * the local stack's key by default) and checks heads against every registered svc-audit key
 * (CUSTOMS_KEY_REGISTRY_FILE), so heads signed before a key rotation still verify.
 */
export function loadHeadKeys(
  env: NodeJS.ProcessEnv = process.env,
  registry: KeyRegistry = loadKeyRegistry(env),
): HeadKeys {
  const recordSigner = loadSigner(SERVICE_PRINCIPAL.audit, env);
  return {
    signer: ed25519HeadSigner(recordSigner.keyId, recordSigner.privateKey),
    verifier: registryHeadVerifier(registry, SERVICE_PRINCIPAL.audit),
    recordSigner,
  };
}
