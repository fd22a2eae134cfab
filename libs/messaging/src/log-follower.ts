import { randomUUID } from 'node:crypto';
import { Admin, Consumer, Kafka } from 'kafkajs';
import { headerStrings } from '@customs/contracts';

/** A record as it is in the log: raw bytes, offset and headers (no envelope parsing). */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

function toRaw(
  topic: string,
  partition: number,
  m: {
    offset: string;
    key: Buffer | null;
    value: Buffer | null;
    headers?: Record<string, unknown>;
    timestamp: string;
  },
): RawRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key ? m.key.toString('utf8') : null,
    value: m.value,
    headers: headerStrings(m.headers),
    timestamp: m.timestamp,
  };
}

/** A topic created a moment ago may not have a leader yet: retry briefly. */
async function topicOffsets(admin: Admin, topic: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true || attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Reads a whole topic, read_committed, up to the high watermarks it had when the read began,
 * each partition in offset order. The consumer group is unique to the read and deleted after.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  onRecord: (record: RawRecord) => void,
  options: { idleTimeoutMs?: number; groupPrefix?: string } = {},
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map<number, bigint>();
    const position = new Map<number, bigint>();
    for (const p of await topicOffsets(admin, topic)) {
      if (BigInt(p.high) > BigInt(p.low)) {
        ends.set(p.partition, BigInt(p.high));
        position.set(p.partition, BigInt(p.low));
      }
    }
    if (ends.size === 0) return;
    const groupId = `${options.groupPrefix ?? 'customs-audit'}-read-${randomUUID()}`;
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    });
    let lastProgress = Date.now();
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const advance = (partition: number, lastOffset: string) => {
      const end = ends.get(partition);
      if (end === undefined) return;
      const next = BigInt(lastOffset) + 1n;
      if (next > position.get(partition)!) {
        position.set(partition, next);
        lastProgress = Date.now();
      }
      if ([...ends].every(([p, e]) => position.get(p)! >= e)) done();
    };
    // Batches of only transaction markers reach no handler: this event still moves past them.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      advance(payload.partition, payload.lastOffset),
    );
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const end = ends.get(batch.partition);
          if (end === undefined) return;
          for (const m of batch.messages)
            if (BigInt(m.offset) < end) onRecord(toRaw(batch.topic, batch.partition, m));
        },
      });
      const idle = options.idleTimeoutMs ?? 30_000;
      await new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          if (Date.now() - lastProgress > idle) {
            clearInterval(timer);
            reject(new Error(`${topic}: no progress for ${idle} ms while reading to the end`));
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
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface LogFollowerOptions {
  topics: readonly string[];
  /** Group id; unique per run is right when offsets are kept elsewhere (a checkpoint). */
  groupId: string;
  /** The first offset to read of a partition (undefined: the log start). */
  startOffset: (topic: string, partition: number) => string | undefined;
  /** Records of one partition in offset order; the next batch of that partition waits for it. */
  onRecords: (topic: string, partition: number, records: RawRecord[]) => Promise<void>;
}

/**
 * Follows topics record by record, read_committed, without committing offsets: where to
 * start comes from the caller (the checkpointer's published heads), on every assignment.
 */
export class LogFollower {
  private consumer?: Consumer;
  private joined = false;
  private crashed?: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: LogFollowerOptions,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      // Without committed offsets a new assignment starts at the log start: move each
      // partition to where its tree ends (records before it are skipped anyway).
      for (const [topic, partitions] of Object.entries(payload.memberAssignment))
        for (const partition of partitions) {
          const offset = this.options.startOffset(topic, partition);
          if (offset !== undefined) consumer.seek({ topic, partition, offset });
        }
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // kafkajs restarts the consumer itself after a retriable crash.
      if (payload.restart) return;
      this.joined = false;
      this.crashed = payload.error?.message ?? 'crashed';
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.options.topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        if (batch.messages.length === 0) return;
        await this.options.onRecords(
          batch.topic,
          batch.partition,
          batch.messages.map((m) => toRaw(batch.topic, batch.partition, m)),
        );
        await heartbeat();
      },
    });
  }

  health(): { consuming: boolean; detail: string } {
    if (this.crashed) return { consuming: false, detail: `consumer crashed: ${this.crashed}` };
    return this.joined
      ? { consuming: true, detail: `following ${this.options.topics.length} topics` }
      : { consuming: false, detail: 'not in its group yet' };
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
