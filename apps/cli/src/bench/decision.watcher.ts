import { AUDITOR_GROUP_PREFIX } from '@customs/contracts';
import { Consumer, Kafka, KafkaMessage } from 'kafkajs';

/**
 * Follows topics from their end as of start() (so earlier records do not count) and calls
 * `onRecord` with each record's arrival time; also tallies record sizes per topic, which the
 * passthrough baseline reuses. Batches, and no parsing unless `identify` asks for it.
 */
export class DecisionWatcher {
  readonly sizes = new Map<string, { records: number; bytes: number }>();
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[],
    private readonly onRecord: (topic: string, message: KafkaMessage, at: number) => void,
  ) {}

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = new Map<string, { partition: number; offset: string }[]>();
    for (const topic of this.topics) ends.set(topic, await admin.fetchTopicOffsets(topic));
    await admin.disconnect();
    const consumer = this.kafka.consumer({
      groupId: `${AUDITOR_GROUP_PREFIX}bench-watch-${process.pid}-${Date.now()}`,
      readUncommitted: false,
      maxBytesPerPartition: 8 * 1024 * 1024,
      maxWaitTimeInMs: 50,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: false });
    let ready!: () => void;
    const joined = new Promise<void>((r) => (ready = r));
    consumer.on(consumer.events.GROUP_JOIN, () => ready());
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        const at = Date.now();
        const size = this.sizes.get(batch.topic) ?? { records: 0, bytes: 0 };
        for (const m of batch.messages) {
          size.records++;
          size.bytes += m.value?.length ?? 0;
          this.onRecord(batch.topic, m, at);
        }
        this.sizes.set(batch.topic, size);
      },
    });
    await joined;
    for (const [topic, offsets] of ends)
      for (const { partition, offset } of offsets) consumer.seek({ topic, partition, offset });
  }

  meanSize(topic: string): number {
    const s = this.sizes.get(topic);
    return s && s.records > 0 ? Math.round(s.bytes / s.records) : 0;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
