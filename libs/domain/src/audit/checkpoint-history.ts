import {
  checkpointHeadOf,
  CheckpointEvent,
  HeadVerifier,
  SignedTreeHead,
  verifyTreeHeadSignature,
} from '@customs/contracts';
import { readEnvelope } from './log-audit.engine';

/** One record of the checkpoints topic, as read. */
export interface CheckpointRecord {
  partition: number;
  offset: string;
  value: Buffer | string | null;
}

export interface CheckpointProblem {
  logId: string | null;
  partition: number;
  offset: string;
  message: string;
}

export interface CheckpointHistory {
  logId: string;
  /** Valid heads (hash, shape and, with a verifier, signature), in the order published. */
  heads: { event: CheckpointEvent; head: SignedTreeHead; offset: string }[];
}

export interface CheckpointHistories {
  logs: Map<string, CheckpointHistory>;
  /** Records that are not valid heads, and breaks of a log's chain of heads. */
  problems: CheckpointProblem[];
}

/**
 * Reads the checkpoints topic's records into one history of heads per log. A record that is
 * not a valid head (bad JSON, wrong hash, malformed or badly signed head) is left out and
 * reported; so are breaks of a log's chain (sequence, prevHash) and a head that shrinks the
 * tree or moves its first offset: a checkpointer resumes from the latest valid head, and an
 * auditor sees everything that does not fit.
 */
export function checkpointHistories(
  records: readonly CheckpointRecord[],
  verifier?: HeadVerifier,
): CheckpointHistories {
  const logs = new Map<string, CheckpointHistory>();
  const problems: CheckpointProblem[] = [];
  for (const r of records) {
    const problem = (logId: string | null, message: string) =>
      problems.push({ logId, partition: r.partition, offset: r.offset, message });
    const read = readEnvelope(r.value);
    if (!('envelope' in read)) {
      problem(null, read.message);
      continue;
    }
    const event = read.envelope as CheckpointEvent;
    const logId = typeof event.lrn === 'string' ? event.lrn : null;
    if (!read.hashValid) {
      problem(logId, 'envelope hash does not match');
      continue;
    }
    const of = checkpointHeadOf(event);
    if ('problem' in of) {
      problem(logId, of.problem);
      continue;
    }
    const head = of.head;
    if (verifier && !verifyTreeHeadSignature(head, verifier)) {
      problem(
        head.logId,
        `head at tree size ${head.treeSize}: signature does not verify (key ${head.keyId})`,
      );
      continue;
    }
    const history = logs.get(head.logId) ?? { logId: head.logId, heads: [] };
    logs.set(head.logId, history);
    const last = history.heads[history.heads.length - 1];
    if (last) {
      if (event.sequence !== last.event.sequence + 1 || event.prevHash !== last.event.hash)
        problem(
          head.logId,
          `chain of heads broken: sequence ${event.sequence} after ${last.event.sequence}` +
            (event.prevHash !== last.event.hash ? ', prevHash is not the previous hash' : ''),
        );
      if (head.treeSize < last.head.treeSize)
        problem(head.logId, `tree shrinks from ${last.head.treeSize} to ${head.treeSize}`);
      if (head.firstOffset !== last.head.firstOffset)
        problem(
          head.logId,
          `first offset moves from ${last.head.firstOffset} to ${head.firstOffset}`,
        );
    } else if (event.sequence !== 1 || event.prevHash !== null) {
      problem(head.logId, `first head read has sequence ${event.sequence}`);
    }
    history.heads.push({ event, head, offset: r.offset });
  }
  return { logs, problems };
}

/** The head a checkpointer resumes from: the last valid one of each log. */
export function latestHeads(
  histories: CheckpointHistories,
): Map<string, CheckpointHistory['heads'][number]> {
  return new Map(
    [...histories.logs].map(([logId, h]) => [logId, h.heads[h.heads.length - 1]] as const),
  );
}
