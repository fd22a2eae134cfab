import { generateKeyPairSync } from 'node:crypto';
import {
  EVENT_TYPES,
  firstEvent,
  keyIdOf,
  parseKeyRegistry,
  registryEntry,
  TOPICS,
} from '@customs/contracts';
import { Message, Producer } from 'kafkajs';
import { KafkaPublisher } from './kafka-publisher';
import { checkRecordTrust } from './record-signing';

describe('KafkaPublisher', () => {
  it('signs every record it publishes, as the service, for its topic', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const signer = {
      principal: 'svc-release',
      keyId: keyIdOf('svc-release', publicKey),
      privateKey,
    };
    const registry = parseKeyRegistry({
      version: 1,
      keys: [registryEntry('svc-release', publicKey, new Date(0))],
    });
    const sent: { topic: string; messages: Message[] }[] = [];
    const producer = {
      sendBatch: async (b: { topicMessages: { topic: string; messages: Message[] }[] }) => {
        sent.push(...b.topicMessages);
        return [];
      },
    } as unknown as Producer;
    const payment = firstEvent({
      type: EVENT_TYPES.payment,
      schemaVersion: 1,
      lrn: 'L1',
      producer: 'release@1',
      payload: {},
    });
    const notice = firstEvent({
      type: EVENT_TYPES.notification,
      schemaVersion: 1,
      lrn: 'L1',
      producer: 'release@1',
      payload: {},
    });
    await new KafkaPublisher(producer, signer).publish([
      { topic: TOPICS.payments, key: 'MRN1', value: payment },
      { topic: TOPICS.notifications, key: 'D1', value: notice },
    ]);
    const check = (topic: string, type: string, m: Message) =>
      checkRecordTrust(
        {
          topic,
          key: m.key as string,
          value: m.value as string,
          headers: m.headers as Record<string, string>,
        },
        type,
        registry,
      );
    expect(sent.map((t) => t.topic)).toEqual([TOPICS.payments, TOPICS.notifications]);
    expect(check(TOPICS.payments, EVENT_TYPES.payment, sent[0].messages[0])).toMatchObject({
      ok: true,
      signer: 'svc-release',
    });
    expect(check(TOPICS.notifications, EVENT_TYPES.notification, sent[1].messages[0]).ok).toBe(
      true,
    );
    // Signed for its own topic only.
    expect(check(TOPICS.notifications, EVENT_TYPES.payment, sent[0].messages[0])).toMatchObject({
      ok: false,
      code: 'SIGNATURE_INVALID',
    });
  });
});
