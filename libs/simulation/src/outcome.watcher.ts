import { AUDITOR_GROUP_PREFIX } from '@customs/contracts';
import { EventEnvelope, parseEnvelope, TOPICS } from '@customs/contracts';
import { Consumer, Kafka } from 'kafkajs';

export interface Outcome {
  lrn: string;
  mrn: string | null;
  topic: string;
  event: EventEnvelope;
  /** W3C trace context of the record, when it carried one. */
  traceparent?: string;
}

/**
 * Follows the final topics (rejected, held, released) from their current end, so a run
 * sees its own declarations' outcomes without reading the whole (infinite) log.
 */
export class OutcomeWatcher {
  readonly outcomes = new Map<string, Outcome[]>();
  private consumer?: Consumer;
  private listeners: (() => void)[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[] = [TOPICS.rejected, TOPICS.held, TOPICS.released],
  ) {}

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = new Map<string, { partition: number; offset: string }[]>();
    for (const topic of this.topics) ends.set(topic, await admin.fetchTopicOffsets(topic));
    await admin.disconnect();
    const consumer = this.kafka.consumer({
      // A group of the auditor's, which is who watches outcomes (read-only).
      groupId: `${AUDITOR_GROUP_PREFIX}watch-${process.pid}-${Date.now()}`,
      readUncommitted: false,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: false });
    let ready!: () => void;
    const joined = new Promise<void>((r) => (ready = r));
    consumer.on(consumer.events.GROUP_JOIN, () => ready());
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, message }) => {
        try {
          const event = parseEnvelope(message.value);
          const list = this.outcomes.get(event.lrn) ?? [];
          list.push({
            lrn: event.lrn,
            mrn: event.mrn,
            topic,
            event,
            traceparent: message.headers?.traceparent?.toString(),
          });
          this.outcomes.set(event.lrn, list);
          this.listeners.forEach((l) => l());
        } catch {
          /* a malformed record on an output topic is the auditor's business, not the watcher's */
        }
      },
    });
    await joined;
    for (const [topic, offsets] of ends)
      for (const { partition, offset } of offsets) consumer.seek({ topic, partition, offset });
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Waits until every LRN has an outcome satisfying `done`, or the timeout passes. */
  async waitFor(
    lrns: string[],
    done: (outcomes: Outcome[]) => boolean,
    timeoutMs: number,
  ): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const pending = () => lrns.filter((l) => !done(this.outcomes.get(l) ?? []));
    while (Date.now() < deadline) {
      if (pending().length === 0) return [];
      await new Promise((r) => setTimeout(r, 200));
    }
    return pending();
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** A declaration has reached a final state of the foundation pipeline. */
export const isFinal = (outcomes: Outcome[]): boolean => outcomes.length > 0;
