import { randomUUID } from 'node:crypto';
import { Admin, Consumer, Kafka } from 'kafkajs';
import { LogRecord } from '@customs/domain';
import { AuditTopic } from './audit-topics';

export interface PartitionRange {
  topic: string;
  partition: number;
  /** First offset to read. */
  start: bigint;
  /** Offset after the last one to read (the high watermark when the read began). */
  end: bigint;
}

export interface ReadOptions {
  /** Called as offsets are consumed: offsets done so far, offsets to read in all. */
  onProgress?: (done: number, total: number) => void;
  /** Gives up on partitions that make no progress for this long (an open transaction). */
  idleTimeoutMs?: number;
  /** Start here instead of the beginning (topic -> partition -> offset), e.g. to copy a run. */
  startOffsets?: ReadonlyMap<string, ReadonlyMap<number, string>>;
  /** Records fetched per partition per request. */
  maxBytesPerPartition?: number;
}

export interface ReadResult {
  ranges: PartitionRange[];
  records: number;
  /** Partitions not read to their end before the idle timeout. */
  incomplete: { topic: string; partition: number; reachedOffset: string; end: string }[];
}

/** A topic created a moment ago may not have a leader known to every broker yet: retry briefly. */
async function fetchOffsets(admin: Admin, topic: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true;
      if (!retriable || attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** The offsets to read: from the low watermark (or a given start) to the current high watermark. */
export async function partitionRanges(
  admin: Admin,
  topics: readonly AuditTopic[],
  startOffsets?: ReadOptions['startOffsets'],
): Promise<PartitionRange[]> {
  const ranges: PartitionRange[] = [];
  for (const { topic } of topics) {
    for (const p of await fetchOffsets(admin, topic)) {
      const low = BigInt(p.low);
      const given = startOffsets?.get(topic)?.get(p.partition);
      const start = given !== undefined && BigInt(given) > low ? BigInt(given) : low;
      ranges.push({ topic, partition: p.partition, start, end: BigInt(p.high) });
    }
  }
  return ranges;
}

/**
 * Reads topics from a start to the high watermark they had when the read began, with
 * read_committed (aborted transactions never show), in offset order within each partition.
 * kafkajs consumers need a group: it is unique to this read, commits nothing, and is deleted
 * afterwards.
 */
export async function readLog(
  kafka: Kafka,
  topics: readonly AuditTopic[],
  onRecord: (record: LogRecord) => void,
  options: ReadOptions = {},
): Promise<ReadResult> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ranges = await partitionRanges(admin, topics, options.startOffsets);
    const pending = ranges.filter((r) => r.end > r.start);
    const total = pending.reduce((n, r) => n + Number(r.end - r.start), 0);
    options.onProgress?.(0, total);
    if (pending.length === 0) return { ranges, records: 0, incomplete: [] };

    const roleOf = new Map(topics.map((t) => [t.topic, t.role]));
    const byPartition = new Map(pending.map((r) => [`${r.topic}:${r.partition}`, r]));
    const position = new Map(pending.map((r) => [`${r.topic}:${r.partition}`, r.start]));
    let done = 0;
    let records = 0;
    let lastProgress = Date.now();
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const advance = (topic: string, partition: number, lastOffset: string) => {
      const k = `${topic}:${partition}`;
      const range = byPartition.get(k);
      const before = position.get(k);
      if (!range || before === undefined) return;
      const next = BigInt(lastOffset) + 1n;
      const capped = next > range.end ? range.end : next;
      if (capped <= before) return;
      done += Number(capped - before);
      position.set(k, capped);
      lastProgress = Date.now();
      options.onProgress?.(done, total);
      if (
        [...byPartition.values()].every((r) => position.get(`${r.topic}:${r.partition}`)! >= r.end)
      )
        finish();
    };

    const groupId = `customs-audit-${process.pid}-${randomUUID()}`;
    const consumer: Consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 8 * 1024 * 1024,
      maxBytes: 64 * 1024 * 1024,
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    });
    let joined!: () => void;
    const hasJoined = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    // Batches holding only transaction markers or aborted records reach no handler: this event
    // still moves the position past them.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      advance(payload.topic, payload.partition, payload.lastOffset),
    );
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: pending.map((r) => r.topic), fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          const k = `${batch.topic}:${batch.partition}`;
          const range = byPartition.get(k);
          if (!range) return;
          const role = roleOf.get(batch.topic)!;
          for (const m of batch.messages) {
            const offset = BigInt(m.offset);
            if (offset < range.start || offset >= range.end) continue;
            records++;
            onRecord({
              role,
              topic: batch.topic,
              partition: batch.partition,
              offset: m.offset,
              key: m.key ? m.key.toString('utf8') : null,
              value: m.value,
              timestamp: m.timestamp,
              headers: Object.fromEntries(
                Object.entries(m.headers ?? {}).map(([k, v]) => [
                  k,
                  String(Array.isArray(v) ? v[v.length - 1] : (v ?? '')),
                ]),
              ),
            });
          }
        },
      });
      await hasJoined;
      if (options.startOffsets)
        for (const r of pending)
          consumer.seek({ topic: r.topic, partition: r.partition, offset: r.start.toString() });

      const idle = options.idleTimeoutMs ?? 20_000;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (Date.now() - lastProgress > idle) {
            clearInterval(timer);
            resolve();
          }
        }, 250);
        void finished.then(() => {
          clearInterval(timer);
          resolve();
        });
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    const incomplete = pending
      .filter((r) => position.get(`${r.topic}:${r.partition}`)! < r.end)
      .map((r) => ({
        topic: r.topic,
        partition: r.partition,
        reachedOffset: position.get(`${r.topic}:${r.partition}`)!.toString(),
        end: r.end.toString(),
      }));
    return { ranges, records, incomplete };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
