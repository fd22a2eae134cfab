import {
  HeadVerifier,
  MerkleTree,
  parseLogId,
  recordLeafHash,
  SignedTreeHead,
  treeHeadProblems,
  verifyConsistency,
  verifyTreeHeadSignature,
} from '@customs/contracts';
import { CheckpointHistories } from './checkpoint-history';

export const CHECKPOINT_EXPORT_FORMAT = 'customs-checkpoints/1';

/** What `customs audit checkpoint export` writes, for an auditor to keep outside the system. */
export interface CheckpointExport {
  format: typeof CHECKPOINT_EXPORT_FORMAT;
  exportedAt: string;
  /** The topic the heads were read from. */
  checkpointsTopic: string;
  logs: ExportedLog[];
}

export interface ExportedLog {
  logId: string;
  topic: string;
  partition: number;
  /** The newest head. */
  latest: SignedTreeHead;
  /** Every head published for the log, oldest first (the latest included): they locate a mismatch. */
  history: SignedTreeHead[];
}

export type CheckpointFindingKind =
  | 'deleted'
  | 'truncated'
  | 'rewritten'
  | 'missing'
  | 'bad signature'
  | 'checkpoint history rewritten';

export interface CheckpointFinding {
  kind: CheckpointFindingKind;
  message: string;
  logId: string;
  topic: string;
  partition: number;
  /** The offsets concerned (inclusive), when they are known. */
  fromOffset: string | null;
  toOffset: string | null;
  /** The head the finding is about. */
  treeSize?: number;
}

/** A partition's extent as the reader saw it: low watermark (log start) and high watermark. */
export interface PartitionExtent {
  topic: string;
  partition: number;
  low: string;
  high: string;
}

export interface CheckpointAuditReport {
  ok: boolean;
  logs: {
    logId: string;
    exportedHeads: number;
    /** Heads whose root the rebuilt tree reproduces. */
    matchingHeads: number;
    recordsRead: number;
    publishedTreeSize: number | null;
  }[];
  findings: CheckpointFinding[];
}

export function buildCheckpointExport(
  histories: CheckpointHistories,
  checkpointsTopic: string,
  exportedAt: string,
): CheckpointExport {
  const logs = [...histories.logs.values()]
    .filter((h) => h.heads.length > 0)
    .map((h): ExportedLog => {
      const { topic, partition } = parseLogId(h.logId);
      const history = h.heads.map((x) => x.head);
      return { logId: h.logId, topic, partition, latest: history[history.length - 1], history };
    })
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  return { format: CHECKPOINT_EXPORT_FORMAT, exportedAt, checkpointsTopic, logs };
}

/** Refuses a file that is not an export (before anything is read from Kafka). */
export function parseCheckpointExport(text: string): CheckpointExport {
  let parsed: CheckpointExport;
  try {
    parsed = JSON.parse(text) as CheckpointExport;
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message}`);
  }
  if (parsed?.format !== CHECKPOINT_EXPORT_FORMAT || !Array.isArray(parsed.logs))
    throw new Error(`not a checkpoint export (format ${CHECKPOINT_EXPORT_FORMAT})`);
  for (const log of parsed.logs) {
    const heads = [...(log.history ?? []), log.latest];
    for (const h of heads) {
      const problems = h ? treeHeadProblems(h) : ['no head'];
      if (problems.length > 0 || h.logId !== log.logId)
        throw new Error(`${log.logId}: a head does not fit: ${problems.join('; ') || 'log id'}`);
    }
    const p = parseLogId(log.logId);
    if (p.topic !== log.topic || p.partition !== log.partition)
      throw new Error(`${log.logId}: topic and partition differ from the log id`);
  }
  return parsed;
}

interface LogState {
  exported: ExportedLog;
  /** Heads by tree size, each once. */
  heads: SignedTreeHead[];
  start: bigint;
  tree: MerkleTree;
  /** Offsets of the leaves. */
  offsets: string[];
  read: number;
  lastSeen: bigint | null;
}

const pred = (offset: string) => (BigInt(offset) - 1n).toString();
const succ = (offset: string) => (BigInt(offset) + 1n).toString();

/**
 * Checks a partition's records against the heads an auditor exported earlier: the tree is
 * rebuilt from the exported first offset, and each exported head must be reproduced (same
 * size, same last offset, same root). The newest head on the checkpoints topic must extend
 * the exported ones, shown by an RFC 9162 consistency proof computed from the log. Records
 * arrive in offset order per partition (any order across partitions).
 */
export class CheckpointAuditor {
  private readonly logs = new Map<string, LogState>();
  private readonly findings: CheckpointFinding[] = [];
  private readonly checkpointsTopic: string;

  constructor(
    exported: CheckpointExport,
    private readonly published: CheckpointHistories,
    private readonly verifier: HeadVerifier,
  ) {
    this.checkpointsTopic = exported.checkpointsTopic;
    for (const log of exported.logs) {
      const bySize = new Map<number, SignedTreeHead>();
      for (const h of [...log.history, log.latest]) bySize.set(h.treeSize, h);
      const heads = [...bySize.values()].sort((a, b) => a.treeSize - b.treeSize);
      const first = heads.find((h) => h.treeSize > 0);
      this.logs.set(log.logId, {
        exported: log,
        heads,
        start: first ? BigInt(first.firstOffset) : 0n,
        tree: new MerkleTree(),
        offsets: [],
        read: 0,
        lastSeen: null,
      });
      for (const h of heads) {
        if (!verifyTreeHeadSignature(h, verifier))
          this.find(
            log,
            'bad signature',
            `exported head at tree size ${h.treeSize}: signature does not verify (key ${h.keyId})`,
            null,
            h.lastOffset,
            h.treeSize,
          );
        if (first && h.treeSize > 0 && h.firstOffset !== first.firstOffset)
          this.find(
            log,
            'checkpoint history rewritten',
            `exported heads disagree on the first offset (${first.firstOffset}, ${h.firstOffset})`,
            null,
            null,
            h.treeSize,
          );
      }
    }
  }

  /** Only the logs of the export matter; other partitions are skipped. */
  wants(topic: string, partition: number): boolean {
    return this.logs.has(`${topic}/${partition}`);
  }

  add(record: {
    topic: string;
    partition: number;
    offset: string;
    key: string | null;
    value: Buffer | string | null;
    headers?: Record<string, string>;
  }): void {
    const state = this.logs.get(`${record.topic}/${record.partition}`);
    if (!state) return;
    const offset = BigInt(record.offset);
    state.read++;
    if (state.lastSeen !== null && offset <= state.lastSeen) return; // redelivered
    state.lastSeen = offset;
    if (offset < state.start) return;
    state.tree.append(recordLeafHash(record));
    state.offsets.push(record.offset);
  }

  finish(extents: readonly PartitionExtent[]): CheckpointAuditReport {
    const extentOf = new Map(extents.map((e) => [`${e.topic}/${e.partition}`, e]));
    const publishedProblems = this.published.problems;
    for (const p of publishedProblems) {
      const log = p.logId ? this.logs.get(p.logId)?.exported : undefined;
      if (log)
        this.find(
          log,
          'checkpoint history rewritten',
          `checkpoints topic partition ${p.partition} offset ${p.offset}: ${p.message}`,
          null,
          null,
        );
      else if (p.logId === null)
        // Not even a head of some log: located on the checkpoints topic itself.
        this.findings.push({
          kind: 'checkpoint history rewritten',
          message: `a record that is not a head: ${p.message}`,
          logId: `${this.checkpointsTopic}/${p.partition}`,
          topic: this.checkpointsTopic,
          partition: p.partition,
          fromOffset: p.offset,
          toOffset: p.offset,
        });
    }
    const summary: CheckpointAuditReport['logs'] = [];
    for (const [logId, state] of this.logs) {
      const newest = this.published.logs.get(logId)?.heads.at(-1)?.head ?? null;
      const matching = this.checkLog(state, extentOf.get(logId), newest);
      summary.push({
        logId,
        exportedHeads: state.heads.length,
        matchingHeads: matching,
        recordsRead: state.read,
        publishedTreeSize: newest?.treeSize ?? null,
      });
    }
    return { ok: this.findings.length === 0, logs: summary, findings: this.findings };
  }

  /** Returns how many exported heads the log reproduces. */
  private checkLog(
    state: LogState,
    extent: PartitionExtent | undefined,
    newest: SignedTreeHead | null,
  ): number {
    const log = state.exported;
    const nonEmpty = state.heads.filter((h) => h.treeSize > 0);
    const biggest = state.heads[state.heads.length - 1];
    if (nonEmpty.length === 0) return state.heads.length;
    const first = nonEmpty[0].firstOffset;
    if (!extent) {
      this.find(
        log,
        'missing',
        `${log.topic} partition ${log.partition} is not in the log any more (topic or partition deleted); the export counts ${biggest.treeSize} records to offset ${biggest.lastOffset}`,
        first,
        biggest.lastOffset,
        biggest.treeSize,
      );
      return 0;
    }
    if (BigInt(extent.low) > BigInt(first)) {
      const to =
        BigInt(extent.low) - 1n > BigInt(biggest.lastOffset)
          ? biggest.lastOffset
          : pred(extent.low);
      this.find(
        log,
        'deleted',
        `records deleted: the log starts at offset ${extent.low}, the exported heads start at ${first} (log start moved, e.g. by deleteRecords)`,
        first,
        to,
        nonEmpty[0].treeSize,
      );
      return 0;
    }
    const { tree, offsets } = state;
    let lastMatch: SignedTreeHead | null = null;
    let matching = state.heads.length - nonEmpty.length;
    for (const head of nonEmpty) {
      if (tree.size < head.treeSize) {
        const from = offsets.length > 0 ? succ(offsets[offsets.length - 1]) : first;
        this.find(
          log,
          'truncated',
          `the log has ${tree.size} records from offset ${first}${offsets.length ? ` to ${offsets[offsets.length - 1]}` : ''}; the exported head at tree size ${head.treeSize} counted records to offset ${head.lastOffset}`,
          from,
          biggest.lastOffset,
          head.treeSize,
        );
        return matching;
      }
      const same =
        offsets[head.treeSize - 1] === head.lastOffset &&
        tree.root(head.treeSize).toString('hex') === head.rootHash;
      if (!same) {
        const from = lastMatch ? succ(lastMatch.lastOffset) : first;
        this.find(
          log,
          'rewritten',
          `records rewritten between offsets ${from} and ${head.lastOffset}: ${lastMatch ? `the log reproduces the exported head at tree size ${lastMatch.treeSize} but not the one at ${head.treeSize}` : `the log does not reproduce the first exported head (tree size ${head.treeSize})`}`,
          from,
          head.lastOffset,
          head.treeSize,
        );
        this.checkPublishedAgainstExport(state, newest);
        return matching;
      }
      lastMatch = head;
      matching++;
    }
    // The log reproduces every exported head: the newest published head must extend the latest.
    const latest = lastMatch!;
    if (!newest) {
      this.find(
        log,
        'checkpoint history rewritten',
        `no valid head of ${log.logId} on the checkpoints topic any more; the export has one at tree size ${latest.treeSize}`,
        null,
        null,
        latest.treeSize,
      );
      return matching;
    }
    if (newest.treeSize < latest.treeSize) {
      this.find(
        log,
        'checkpoint history rewritten',
        `the newest published head (tree size ${newest.treeSize}) is behind the exported one (${latest.treeSize})`,
        null,
        null,
        newest.treeSize,
      );
      return matching;
    }
    if (tree.size < newest.treeSize) {
      const from = offsets.length > 0 ? succ(offsets[offsets.length - 1]) : first;
      this.find(
        log,
        'truncated',
        `the log has ${tree.size} records from offset ${first}; the newest published head counts ${newest.treeSize} to offset ${newest.lastOffset}`,
        from,
        newest.lastOffset,
        newest.treeSize,
      );
      return matching;
    }
    const proof = tree.consistencyProof(latest.treeSize, newest.treeSize);
    const ok = verifyConsistency(
      latest.treeSize,
      newest.treeSize,
      Buffer.from(latest.rootHash, 'hex'),
      Buffer.from(newest.rootHash, 'hex'),
      proof,
    );
    if (!ok)
      this.find(
        log,
        'checkpoint history rewritten',
        `the newest published head (tree size ${newest.treeSize}) does not extend the exported head (tree size ${latest.treeSize}) by the log's consistency proof: the published heads were rewritten, or the records after offset ${latest.lastOffset} to ${newest.lastOffset} were`,
        succ(latest.lastOffset),
        newest.lastOffset,
        newest.treeSize,
      );
    return matching;
  }

  /** Without a log that reproduces the export, the published head can still contradict it directly. */
  private checkPublishedAgainstExport(state: LogState, newest: SignedTreeHead | null): void {
    if (!newest) return;
    const log = state.exported;
    const same = state.heads.find((h) => h.treeSize === newest.treeSize);
    const latest = state.heads[state.heads.length - 1];
    if (same && same.rootHash !== newest.rootHash)
      this.find(
        log,
        'checkpoint history rewritten',
        `the published head at tree size ${newest.treeSize} has another root than the exported one`,
        null,
        null,
        newest.treeSize,
      );
    else if (newest.treeSize < latest.treeSize)
      this.find(
        log,
        'checkpoint history rewritten',
        `the newest published head (tree size ${newest.treeSize}) is behind the exported one (${latest.treeSize})`,
        null,
        null,
        newest.treeSize,
      );
  }

  private find(
    log: ExportedLog,
    kind: CheckpointFindingKind,
    message: string,
    fromOffset: string | null,
    toOffset: string | null,
    treeSize?: number,
  ): void {
    this.findings.push({
      kind,
      message,
      logId: log.logId,
      topic: log.topic,
      partition: log.partition,
      fromOffset,
      toOffset,
      ...(treeSize === undefined ? {} : { treeSize }),
    });
  }
}
