import {
  checkpointEvent,
  CheckpointEvent,
  HeadSigner,
  LeafRecord,
  MerkleFrontier,
  recordLeafHash,
  signTreeHead,
  SignedTreeHead,
} from '@customs/contracts';

export interface CheckpointPolicy {
  /** A head after this many records since the last one... */
  everyRecords: number;
  /** ...or after this long, when the partition grew. */
  intervalMs: number;
}

/**
 * The tree of one partition as a checkpointer follows it: O(log n) state (the frontier),
 * records appended in offset order, a signed head cut when the policy says so. Resumed from
 * the last published head, it continues the same tree and the same chain of heads, so a
 * restart never publishes a head that conflicts with an earlier one.
 */
export class LogCheckpointer {
  private pendingRecords = 0;

  private constructor(
    readonly logId: string,
    private readonly frontier: MerkleFrontier,
    private firstOffset: string,
    private lastOffset: string,
    private lastEvent: CheckpointEvent | null,
    private lastHeadAtMs: number,
  ) {}

  static fresh(logId: string, nowMs: number): LogCheckpointer {
    return new LogCheckpointer(logId, MerkleFrontier.empty(), '', '', null, nowMs);
  }

  static resume(last: { event: CheckpointEvent; head: SignedTreeHead }): LogCheckpointer {
    const { head, event } = last;
    return new LogCheckpointer(
      head.logId,
      MerkleFrontier.fromHex(head.treeSize, head.frontier),
      head.firstOffset,
      head.lastOffset,
      event,
      Date.parse(head.timestamp),
    );
  }

  get treeSize(): number {
    return this.frontier.size;
  }

  /** Records appended since the last head. */
  get pending(): number {
    return this.pendingRecords;
  }

  /** The first offset still to read (undefined: from the log start). */
  get nextOffset(): string | undefined {
    return this.lastOffset === '' ? undefined : (BigInt(this.lastOffset) + 1n).toString();
  }

  /** Appends a record; false (and nothing changes) for one at or before the last offset. */
  add(record: LeafRecord): boolean {
    if (this.lastOffset !== '' && BigInt(record.offset) <= BigInt(this.lastOffset)) return false;
    this.frontier.append(recordLeafHash(record));
    if (this.firstOffset === '') this.firstOffset = record.offset;
    this.lastOffset = record.offset;
    this.pendingRecords++;
    return true;
  }

  due(nowMs: number, policy: CheckpointPolicy): boolean {
    return (
      this.pendingRecords >= policy.everyRecords ||
      (this.pendingRecords > 0 && nowMs - this.lastHeadAtMs >= policy.intervalMs)
    );
  }

  /** Signs the head at the current size and chains its envelope to the previous head's. */
  cut(now: Date, signer: HeadSigner, producer: string): CheckpointEvent {
    if (this.pendingRecords === 0) throw new Error(`${this.logId}: no record since the last head`);
    const head = signTreeHead(
      {
        logId: this.logId,
        treeSize: this.frontier.size,
        firstOffset: this.firstOffset,
        lastOffset: this.lastOffset,
        rootHash: this.frontier.root().toString('hex'),
        timestamp: now.toISOString(),
      },
      this.frontier,
      signer,
    );
    const event = checkpointEvent(this.lastEvent, head, producer);
    this.lastEvent = event;
    this.pendingRecords = 0;
    this.lastHeadAtMs = now.getTime();
    return event;
  }
}
