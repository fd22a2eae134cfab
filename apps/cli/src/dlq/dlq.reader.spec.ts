import { generateKeyPairSync } from 'node:crypto';
import {
  dlqTopic,
  KEY_ID_HEADER,
  keyIdOf,
  parseKeyRegistry,
  registryEntry,
  SIGNATURE_HEADER,
  signRecord,
  TOPICS,
  verifyRecordSignature,
} from '@customs/contracts';
import { DLQ_ORIGIN_KEY_ID_HEADER, DLQ_ORIGIN_SIGNATURE_HEADER } from '@customs/messaging';
import { toDeadLetter } from './dlq.reader';

const pair = (principal: string) => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    signer: { principal, keyId: keyIdOf(principal, publicKey), privateKey },
    entry: registryEntry(principal, publicKey, new Date(0)),
  };
};

describe('toDeadLetter', () => {
  it("gives back the original record's signature, not the dead letter's, for a redrive", () => {
    const intake = pair('svc-intake');
    const risk = pair('svc-risk');
    const registry = parseKeyRegistry({ version: 1, keys: [intake.entry, risk.entry] });
    const original = { topic: TOPICS.accepted, key: 'MRN-1', value: '{"eventId":"e"}' };
    const originalSig = signRecord(original, intake.signer);
    const dlq = dlqTopic('risk');
    const letter = { topic: dlq, key: 'MRN-1', value: original.value };
    const headers = {
      traceparent: 't',
      'dlq-origin-topic': TOPICS.accepted,
      'dlq-origin-partition': '3',
      'dlq-origin-offset': '42',
      'dlq-error-code': 'X',
      [DLQ_ORIGIN_SIGNATURE_HEADER]: originalSig[SIGNATURE_HEADER],
      [DLQ_ORIGIN_KEY_ID_HEADER]: originalSig[KEY_ID_HEADER],
      ...signRecord(letter, risk.signer),
    };
    const d = toDeadLetter('risk', { ...letter, partition: 0, offset: '7', headers }, new Map());
    expect(d.originalHeaders).toEqual({ traceparent: 't', ...originalSig });
    expect(
      verifyRecordSignature(
        { topic: d.origin!.topic, key: d.key, value: d.value, headers: d.originalHeaders },
        registry,
      ),
    ).toMatchObject({ ok: true, principal: 'svc-intake' });
  });
});
