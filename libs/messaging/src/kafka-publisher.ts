import { Producer } from 'kafkajs';
import { RecordSigner, signRecord } from '@customs/contracts';
import { OutgoingRecord } from './outgoing-record';
import { childTraceparent } from './trace-context';

/**
 * Publishes records outside a consume-transform-produce loop (an HTTP request, the CLI).
 * Idempotent producer, acks from all in-sync replicas. Every record is signed by the service.
 */
export class KafkaPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly signer: RecordSigner,
  ) {}

  async publish(records: OutgoingRecord[], traceparent?: string): Promise<void> {
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((r) => {
          const value = JSON.stringify(r.value);
          return {
            key: r.key,
            value,
            headers: {
              'content-type': 'application/json',
              traceparent: childTraceparent(traceparent),
              ...r.headers,
              ...signRecord({ topic, key: r.key, value }, this.signer),
            },
          };
        }),
      })),
    });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
