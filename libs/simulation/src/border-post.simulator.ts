import {
  CURRENT_SCHEMA_VERSION,
  Declaration,
  EVENT_TYPES,
  firstEvent,
  SubmittedPayload,
  TOPICS,
} from '@customs/contracts';
import { Producer } from 'kafkajs';

/** A border post streaming declarations straight onto the submitted topic. */
export class BorderPostSimulator {
  constructor(
    private readonly producer: Producer,
    private readonly producerName = 'border-post-simulator@1',
  ) {}

  async submit(declarations: Declaration[]): Promise<void> {
    await this.producer.send({
      topic: TOPICS.submitted,
      messages: declarations.map((declaration) => {
        const event = firstEvent<SubmittedPayload>({
          type: EVENT_TYPES.submitted,
          schemaVersion: CURRENT_SCHEMA_VERSION,
          lrn: declaration.lrn,
          producer: this.producerName,
          payload: { declaration, channel: 'kafka' },
        });
        return {
          key: declaration.lrn,
          value: JSON.stringify(event),
          headers: { 'content-type': 'application/json' },
        };
      }),
    });
  }
}
