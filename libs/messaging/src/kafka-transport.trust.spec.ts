import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  dlqTopic,
  EVENT_TYPES,
  firstEvent,
  KEY_ID_HEADER,
  keyIdOf,
  nextEvent,
  parseKeyRegistry,
  RecordSigner,
  registryEntry,
  SIGNATURE_HEADER,
  signRecord,
  TOPICS,
  verifyRecordSignature,
} from '@customs/contracts';
import { EachBatchPayload, KafkaMessage, Message, Producer } from 'kafkajs';
import { BatchItem, MalformedBatchItem } from './batch-item';
import { KafkaEventContext } from './kafka-event.context';
import {
  DLQ_ORIGIN_KEY_ID_HEADER,
  DLQ_ORIGIN_SIGNATURE_HEADER,
  KafkaTransport,
} from './kafka-transport.server';

function signer(principal: string): RecordSigner & { entry: ReturnType<typeof registryEntry> } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    principal,
    keyId: keyIdOf(principal, publicKey),
    privateKey,
    entry: registryEntry(principal, createPublicKey(privateKey), new Date('2020-01-01T00:00:00Z')),
  };
}
const intake = signer('svc-intake');
const risk = signer('svc-risk');
const post = signer('bp-nl-vnl-venlo');
const unregistered = signer('svc-intake');
const registry = parseKeyRegistry({
  version: 1,
  keys: [intake.entry, risk.entry, post.entry],
});

const submitted = firstEvent({
  type: EVENT_TYPES.submitted,
  schemaVersion: 1,
  lrn: 'LRN-1',
  producer: 'test',
  payload: { channel: 'kafka' },
});
const accepted = nextEvent(submitted, {
  type: EVENT_TYPES.accepted,
  schemaVersion: 1,
  producer: 'test',
  mrn: '26NL00000000000017',
  payload: {},
});

let offset = 0;
function record(
  topic: string,
  key: string,
  value: string,
  by: RecordSigner | null,
  tamper?: string,
): KafkaMessage {
  const headers = by ? signRecord({ topic, key, value }, by) : {};
  return {
    key: Buffer.from(key),
    value: Buffer.from(tamper ?? value),
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', ...headers },
    offset: String(offset++),
    timestamp: String(Date.now()),
    attributes: 0,
    size: 0,
  } as unknown as KafkaMessage;
}

/** Drives one batch through the transport with a producer that records what it sends. */
async function run(transport: KafkaTransport, topic: string, messages: KafkaMessage[]) {
  const sent: { topic: string; messages: Message[] }[] = [];
  const producer = {
    transaction: async () => ({
      sendBatch: async (b: { topicMessages: { topic: string; messages: Message[] }[] }) =>
        sent.push(...b.topicMessages),
      sendOffsets: async () => undefined,
      commit: async () => undefined,
      abort: async () => undefined,
    }),
  } as unknown as Producer;
  const payload = {
    batch: { topic, partition: 0, messages },
    heartbeat: async () => undefined,
    isRunning: () => true,
    isStale: () => false,
    resolveOffset: () => undefined,
  } as unknown as EachBatchPayload;
  await (
    transport as unknown as { processBatch(p: EachBatchPayload, p2: Producer): Promise<void> }
  ).processBatch(payload, producer);
  return sent.flatMap((t) => t.messages.map((m) => ({ topic: t.topic, ...m })));
}

const transport = () =>
  new KafkaTransport({
    service: 'risk',
    version: 'test',
    brokers: ['127.0.0.1:1'],
    groupId: 'g',
    transactionalId: 'tx',
    signer: risk,
    registry,
  });

describe('KafkaTransport: signatures and signer policy at the door', () => {
  const value = JSON.stringify(accepted);
  const cases = () => [
    record(TOPICS.accepted, accepted.mrn!, value, intake),
    record(TOPICS.accepted, accepted.mrn!, value, null),
    record(TOPICS.accepted, accepted.mrn!, value, intake, value.replace('LRN-1', 'LRN-2')),
    record(TOPICS.accepted, accepted.mrn!, value, unregistered),
    record(TOPICS.accepted, accepted.mrn!, value, post),
  ];
  const expectedCodes = [
    'SIGNATURE_MISSING',
    'SIGNATURE_INVALID',
    'KEY_UNKNOWN',
    'SIGNER_NOT_ALLOWED',
  ];

  it.each([['batch', true] as const, ['single', false] as const])(
    '%s handlers see only records signed by an allowed signer; the others are dead-lettered with the code',
    async (_, batch) => {
      const t = transport();
      const seen: { eventId: string; signer?: string }[] = [];
      t.addHandler(
        TOPICS.accepted,
        async (data: unknown, ctx: KafkaEventContext) => {
          const items = (batch ? data : [{ envelope: data, record: ctx.record }]) as BatchItem[];
          for (const i of items)
            seen.push({ eventId: i.envelope.eventId, signer: i.record.signer });
          return items.map((i) => ({
            topic: TOPICS.riskAssessed,
            key: i.record.key!,
            value: nextEvent(i.envelope, {
              type: EVENT_TYPES.riskAssessed,
              schemaVersion: 1,
              producer: 'risk',
              payload: {},
            }),
          }));
        },
        true,
        batch ? { batch: true } : {},
      );
      const input = cases();
      const out = await run(t, TOPICS.accepted, input);
      expect(seen).toEqual([{ eventId: accepted.eventId, signer: 'svc-intake' }]);

      const assessed = out.filter((o) => o.topic === TOPICS.riskAssessed);
      expect(assessed).toHaveLength(1);
      // Outputs are signed by the service itself.
      expect(
        verifyRecordSignature(
          { ...assessed[0], key: assessed[0].key!, headers: assessed[0].headers as never },
          registry,
        ),
      ).toMatchObject({ ok: true, principal: 'svc-risk' });

      const dead = out.filter((o) => o.topic === dlqTopic('risk'));
      const headers = dead.map((d) => d.headers as Record<string, string>);
      expect(headers.map((h) => h['dlq-error-code'])).toEqual(expectedCodes);
      expect(headers.map((h) => h['dlq-origin-offset'])).toEqual(
        input.slice(1).map((m) => m.offset),
      );
      for (const [i, d] of dead.entries()) {
        // The dead letter is signed by the service; the original bytes and signature are kept.
        expect(
          verifyRecordSignature({ ...d, key: d.key!, headers: headers[i] }, registry),
        ).toMatchObject({
          ok: true,
          principal: 'svc-risk',
        });
        expect(d.value).toEqual(input[i + 1].value);
        const original = input[i + 1].headers as Record<string, string>;
        expect(headers[i][DLQ_ORIGIN_SIGNATURE_HEADER]).toBe(original[SIGNATURE_HEADER]);
        expect(headers[i][DLQ_ORIGIN_KEY_ID_HEADER]).toBe(original[KEY_ID_HEADER]);
      }
      expect(headers[1]['dlq-error']).toMatch(/does not match this record/);
    },
  );

  it('an unsigned malformed record never reaches a handler that asks for malformed records', async () => {
    const t = transport();
    const seen: (BatchItem | MalformedBatchItem)[] = [];
    t.addHandler(
      TOPICS.submitted,
      async (items: (BatchItem | MalformedBatchItem)[]) => {
        seen.push(...items);
        return [];
      },
      true,
      { batch: true, malformed: 'deliver' },
    );
    const out = await run(t, TOPICS.submitted, [
      record(TOPICS.submitted, 'LRN-9', '{not json', null),
      record(TOPICS.submitted, 'LRN-8', '{not json', post),
      record(TOPICS.submitted, 'LRN-7', '{not json', risk),
    ]);
    // A border post may write the topic: its malformed record goes to intake, to be rejected.
    expect(seen.map((s) => ('malformed' in s ? s.record.key : null))).toEqual(['LRN-8']);
    expect(seen[0].record.signer).toBe('bp-nl-vnl-venlo');
    expect(out.map((o) => (o.headers as Record<string, string>)['dlq-error-code'])).toEqual([
      'SIGNATURE_MISSING',
      'SIGNER_NOT_ALLOWED',
    ]);
  });
});
