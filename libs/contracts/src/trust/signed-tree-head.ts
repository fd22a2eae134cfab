import { createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import canonicalize from 'canonicalize';
import { EventEnvelope } from '../envelope/event-envelope';
import { firstEvent, nextEvent } from '../envelope/event-factory';
import { KeyRegistry } from './key-registry';
import { MerkleFrontier } from './merkle-tree';

export const CHECKPOINT_EVENT_TYPE = 'CheckpointPublished';
export const CHECKPOINT_SCHEMA_VERSION = 1;

/** The id of a log: one partition of one topic. */
export function logIdOf(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

export function parseLogId(logId: string): { topic: string; partition: number } {
  const m = /^(.+)\/(0|[1-9]\d*)$/.exec(logId);
  if (!m) throw new Error(`log id ${logId}: expected <topic>/<partition>`);
  return { topic: m[1], partition: Number(m[2]) };
}

/**
 * What a head commits to: the first `treeSize` records of a partition, read in offset order
 * from `firstOffset` (the log start when the checkpointer began) to `lastOffset`, have the
 * RFC 9162 root `rootHash`. Offsets are decimal strings (64-bit).
 */
export interface TreeHead {
  logId: string;
  treeSize: number;
  /** Offset of the first leaf ("" for an empty tree). */
  firstOffset: string;
  /** Offset of the last leaf ("" for an empty tree). */
  lastOffset: string;
  /** Lower-case hex. */
  rootHash: string;
  /** ISO-8601, when the head was made. */
  timestamp: string;
}

export interface SignedTreeHead extends TreeHead {
  /** The tree's frontier (largest perfect subtree first, hex): a checkpointer resumes from it. */
  frontier: string[];
  keyId: string;
  /** Base64 Ed25519 signature over `treeHeadBytes(head)`. */
  signature: string;
}

/** Who signs heads: a key id and an Ed25519 signing function (wired to the key registry). */
export interface HeadSigner {
  keyId: string;
  sign(bytes: Buffer): Buffer;
}

/** Checks a signature by key id; false for an unknown key. */
export type HeadVerifier = (keyId: string, bytes: Buffer, signature: Buffer) => boolean;

/** The signed bytes: the UTF-8 of the RFC 8785 canonical JSON of the head's fields only. */
export function treeHeadBytes(head: TreeHead): Buffer {
  const { logId, treeSize, firstOffset, lastOffset, rootHash, timestamp } = head;
  const canonical = canonicalize({ logId, treeSize, firstOffset, lastOffset, rootHash, timestamp });
  if (canonical === undefined) throw new Error('tree head cannot be canonicalised');
  return Buffer.from(canonical, 'utf8');
}

const OFFSET = /^(0|[1-9]\d*)$/;

/** Refuses a head whose fields do not fit together (sizes, offsets, hashes, frontier). */
export function treeHeadProblems(head: SignedTreeHead): string[] {
  const problems: string[] = [];
  try {
    parseLogId(head.logId);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (!Number.isSafeInteger(head.treeSize) || head.treeSize < 0)
    problems.push(`treeSize ${head.treeSize}: not a tree size`);
  const empty = head.treeSize === 0;
  for (const [name, v] of [
    ['firstOffset', head.firstOffset],
    ['lastOffset', head.lastOffset],
  ] as const)
    if (empty ? v !== '' : !OFFSET.test(v)) problems.push(`${name} ${v}: not an offset`);
  if (!empty && OFFSET.test(head.firstOffset) && OFFSET.test(head.lastOffset)) {
    // Offsets of a partition grow; transaction markers leave gaps, so only a lower bound holds.
    if (BigInt(head.lastOffset) - BigInt(head.firstOffset) + 1n < BigInt(head.treeSize))
      problems.push(
        `offsets ${head.firstOffset}..${head.lastOffset} cannot hold ${head.treeSize} records`,
      );
  }
  if (!/^[0-9a-f]{64}$/.test(head.rootHash)) problems.push(`rootHash: not 64 hex digits`);
  if (Number.isNaN(Date.parse(head.timestamp))) problems.push(`timestamp: not an instant`);
  if (typeof head.keyId !== 'string' || head.keyId === '') problems.push('keyId missing');
  if (typeof head.signature !== 'string' || head.signature === '')
    problems.push('signature missing');
  try {
    const frontier = MerkleFrontier.fromHex(head.treeSize, head.frontier ?? []);
    if (frontier.root().toString('hex') !== head.rootHash)
      problems.push('frontier does not give rootHash');
  } catch (error) {
    problems.push((error as Error).message);
  }
  return problems;
}

export function signTreeHead(
  head: TreeHead,
  frontier: MerkleFrontier,
  signer: HeadSigner,
): SignedTreeHead {
  if (frontier.size !== head.treeSize)
    throw new Error(`frontier of ${frontier.size} leaves for a head of ${head.treeSize}`);
  if (frontier.root().toString('hex') !== head.rootHash)
    throw new Error('frontier does not give the head root');
  return {
    ...head,
    frontier: frontier.toHex(),
    keyId: signer.keyId,
    signature: signer.sign(treeHeadBytes(head)).toString('base64'),
  };
}

export function verifyTreeHeadSignature(head: SignedTreeHead, verifier: HeadVerifier): boolean {
  try {
    return verifier(head.keyId, treeHeadBytes(head), Buffer.from(head.signature, 'base64'));
  } catch {
    return false;
  }
}

/** A signer over a node:crypto Ed25519 private key (PEM or KeyObject). */
export function ed25519HeadSigner(keyId: string, privateKey: KeyObject | string): HeadSigner {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`key ${keyId}: not an Ed25519 key`);
  return { keyId, sign: (bytes) => sign(null, bytes, key) };
}

/** A verifier over known Ed25519 public keys by key id (PEM or KeyObject). */
export function ed25519HeadVerifier(
  keys: ReadonlyMap<string, KeyObject | string> | Record<string, KeyObject | string>,
): HeadVerifier {
  const entries = keys instanceof Map ? [...keys.entries()] : Object.entries(keys);
  const byId = new Map(
    entries.map(([id, k]) => [id, typeof k === 'string' ? createPublicKey(k) : k] as const),
  );
  return (keyId, bytes, signature) => {
    const key = byId.get(keyId);
    if (!key || signature.length !== 64) return false;
    return verify(null, bytes, key, signature);
  };
}

export type CheckpointEvent = EventEnvelope<SignedTreeHead>;

/**
 * The envelope a head travels in on the checkpoints topic: one chain per log id (lrn = the
 * log id, no MRN), so a checkpoint that goes missing or is rewritten breaks the chain too.
 */
export function checkpointEvent(
  previous: CheckpointEvent | null,
  head: SignedTreeHead,
  producer: string,
): CheckpointEvent {
  if (previous && previous.lrn !== head.logId)
    throw new Error(`previous checkpoint is of ${previous.lrn}, not ${head.logId}`);
  const input = {
    type: CHECKPOINT_EVENT_TYPE,
    schemaVersion: CHECKPOINT_SCHEMA_VERSION,
    producer,
    payload: head,
    occurredAt: head.timestamp,
  };
  return previous
    ? nextEvent(previous, { ...input, mrn: null, discriminator: String(head.treeSize) })
    : firstEvent({ ...input, lrn: head.logId });
}

/** A checkpoint envelope's head, or why it is not one. */
export function checkpointHeadOf(
  envelope: EventEnvelope,
): { head: SignedTreeHead } | { problem: string } {
  if (envelope.type !== CHECKPOINT_EVENT_TYPE)
    return { problem: `type ${envelope.type}, not ${CHECKPOINT_EVENT_TYPE}` };
  const head = envelope.payload as SignedTreeHead;
  if (!head || typeof head !== 'object') return { problem: 'no head in the payload' };
  const problems = treeHeadProblems(head);
  if (problems.length > 0) return { problem: problems.join('; ') };
  if (head.logId !== envelope.lrn)
    return { problem: `head of ${head.logId} in the chain of ${envelope.lrn}` };
  return { head };
}

/**
 * A verifier over the key registry: a head verifies under any registered key of `principal`
 * (the checkpointer) that was not revoked before the head's check, so heads signed before a
 * rotation stay verifiable; a key of anyone else never verifies a head.
 */
export function registryHeadVerifier(
  registry: KeyRegistry,
  principal: string,
  now: () => number = Date.now,
): HeadVerifier {
  return (keyId, bytes, signature) => {
    const key = registry.keys.get(keyId);
    if (!key || key.principal !== principal) return false;
    if (key.revokedAt !== undefined && now() >= key.revokedAt) return false;
    try {
      return verify(null, bytes, key.publicKey, signature);
    } catch {
      return false;
    }
  };
}
