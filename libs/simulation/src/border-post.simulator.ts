import {
  CURRENT_SCHEMA_VERSION,
  Declaration,
  EVENT_TYPES,
  firstEvent,
  SubmittedPayload,
  TOPICS,
} from '@customs/contracts';
import { Message, Producer } from 'kafkajs';

/** The record a border post puts on the submitted topic for one declaration (sealed envelope). */
export function submittedRecord(
  declaration: Declaration,
  producerName = 'border-post-simulator@1',
  occurredAt?: string,
): Message & { key: string; value: string } {
  const event = firstEvent<SubmittedPayload>({
    type: EVENT_TYPES.submitted,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    lrn: declaration.lrn,
    producer: producerName,
    occurredAt,
    payload: { declaration, channel: 'kafka' },
  });
  return {
    key: declaration.lrn,
    value: JSON.stringify(event),
    headers: { 'content-type': 'application/json' },
  };
}

/** A border post streaming declarations straight onto the submitted topic. */
export class BorderPostSimulator {
  constructor(
    private readonly producer: Producer,
    private readonly producerName = 'border-post-simulator@1',
  ) {}

  async submit(declarations: Declaration[]): Promise<void> {
    await this.sendRecords(declarations.map((d) => submittedRecord(d, this.producerName)));
  }

  /** Records prepared beforehand (see submittedRecord), so a benchmark times only the sending. */
  async sendRecords(messages: Message[]): Promise<void> {
    await this.producer.send({ topic: TOPICS.submitted, messages });
  }
}
