import { Consumer, Kafka } from 'kafkajs';

/**
 * Which record keys appeared on some topics from their current end: the fuzz spec's way to
 * see that each hostile record became a rejection or a dead letter (their values need not
 * be envelopes, so the outcome watcher cannot be used for the dead letters).
 */
export class KeysWatcher {
  readonly seen = new Map<string, Set<string>>();
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[],
  ) {}

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = new Map<string, { partition: number; offset: string }[]>();
    for (const topic of this.topics) ends.set(topic, await admin.fetchTopicOffsets(topic));
    await admin.disconnect();
    const consumer = this.kafka.consumer({ groupId: `customs-fuzz-${process.pid}-${Date.now()}` });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: false });
    let ready!: () => void;
    const joined = new Promise<void>((r) => (ready = r));
    consumer.on(consumer.events.GROUP_JOIN, () => ready());
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, message }) => {
        const key = message.key?.toString('utf8') ?? '';
        const topics = this.seen.get(key) ?? new Set<string>();
        topics.add(topic);
        this.seen.set(key, topics);
      },
    });
    await joined;
    for (const [topic, offsets] of ends)
      for (const { partition, offset } of offsets) consumer.seek({ topic, partition, offset });
  }

  async waitFor(keys: string[], timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let missing = keys.filter((k) => !this.seen.has(k));
    while (missing.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      missing = keys.filter((k) => !this.seen.has(k));
    }
    return missing;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
