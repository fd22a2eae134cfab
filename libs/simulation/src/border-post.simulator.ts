import {
  borderPostPrincipal,
  CURRENT_SCHEMA_VERSION,
  Declaration,
  EVENT_TYPES,
  firstEvent,
  signRecord,
  SubmittedPayload,
  TOPICS,
} from '@customs/contracts';
import { localSigners, SignerSource } from '@customs/messaging';
import { Message, Producer } from 'kafkajs';

/**
 * The principal of the border post a declaration is lodged at, which signs the submission
 * (the principals table's name: `bp-` and the post id in lower case).
 */
const postSigner = (declaration: Declaration): string =>
  borderPostPrincipal(String(declaration.borderPost));

/**
 * The record a border post puts on the submitted topic for one declaration (sealed envelope),
 * signed by that border post's key (`signers`: by default the local stack's keys). Each
 * declaration is signed by its own post: a simulator of three posts signs with three keys.
 */
export function submittedRecord(
  declaration: Declaration,
  producerName = 'border-post-simulator@1',
  occurredAt?: string,
  signers: SignerSource | null = defaultSigners(),
): Message & { key: string; value: string } {
  const event = firstEvent<SubmittedPayload>({
    type: EVENT_TYPES.submitted,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    lrn: declaration.lrn,
    producer: producerName,
    occurredAt,
    payload: { declaration, channel: 'kafka' },
  });
  const key = declaration.lrn;
  const value = JSON.stringify(event);
  return {
    key,
    value,
    headers: {
      'content-type': 'application/json',
      // null: unsigned, for tests that show an unsigned submission is refused.
      ...(signers &&
        signRecord({ topic: TOPICS.submitted, key, value }, signers(postSigner(declaration)))),
    },
  };
}

let shared: SignerSource | undefined;
/** The local stack's keys, read on first use. */
function defaultSigners(): SignerSource {
  return (shared ??= localSigners());
}

/** A border post streaming declarations straight onto the submitted topic. */
export class BorderPostSimulator {
  constructor(
    private readonly producer: Producer,
    private readonly producerName = 'border-post-simulator@1',
    private readonly signers: SignerSource = defaultSigners(),
  ) {}

  async submit(declarations: Declaration[]): Promise<void> {
    await this.sendRecords(
      declarations.map((d) => submittedRecord(d, this.producerName, undefined, this.signers)),
    );
  }

  /**
   * Records prepared (and signed) beforehand (see submittedRecord), so a benchmark times only
   * the sending.
   */
  async sendRecords(messages: Message[]): Promise<void> {
    await this.producer.send({ topic: TOPICS.submitted, messages });
  }
}
