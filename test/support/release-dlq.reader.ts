import { Consumer, Kafka } from 'kafkajs';

export interface DeadLetter {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/**
 * Reads a service's dead-letter topic from its current end, keeping the headers (origin
 * and error) that the outcome watcher drops. Creates the topic first if no record went
 * there yet, so that the subscription sees its partitions.
 */
export class DeadLetterReader {
  readonly letters: DeadLetter[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly partitions = Number(process.env.KAFKA_PARTITIONS ?? 6),
  ) {}

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    let ends: { partition: number; offset: string }[];
    try {
      // false (and nothing done) when the topic exists already.
      await admin.createTopics({
        topics: [{ topic: this.topic, numPartitions: this.partitions }],
        waitForLeaders: true,
      });
      ends = await admin.fetchTopicOffsets(this.topic);
    } finally {
      await admin.disconnect();
    }
    const consumer = this.kafka.consumer({
      groupId: `customs-dlq-read-${process.pid}-${Date.now()}`,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: false });
    let ready!: () => void;
    const joined = new Promise<void>((r) => (ready = r));
    consumer.on(consumer.events.GROUP_JOIN, () => ready());
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {}))
          if (v !== undefined) headers[k] = String(Array.isArray(v) ? v[v.length - 1] : v);
        this.letters.push({
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? '',
          headers,
        });
      },
    });
    await joined;
    for (const { partition, offset } of ends)
      consumer.seek({ topic: this.topic, partition, offset });
  }

  async waitFor(match: (l: DeadLetter) => boolean, timeoutMs: number): Promise<DeadLetter | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.letters.find(match);
      if (found || Date.now() > deadline) return found ?? null;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
