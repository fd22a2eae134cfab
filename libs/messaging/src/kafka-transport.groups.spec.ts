import { generateKeyPairSync } from 'node:crypto';
import { keyIdOf } from '@customs/contracts';
import { KafkaTransport } from './kafka-transport.server';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signer = { principal: 'svc-intake', keyId: keyIdOf('svc-intake', publicKey), privateKey };

const transport = (handlerGroup?: string) => {
  const t = new KafkaTransport({
    service: 'intake',
    version: 'test',
    brokers: ['127.0.0.1:1'], // never connected: only the handler table is read
    groupId: 'g',
    transactionalId: 'tx',
    handlerGroup,
    signer,
    registry: { version: 1, keys: new Map() },
  });
  // Nest keeps the extras on the function itself: one function per handler, as in an app.
  const handler = () => async () => [];
  t.addHandler('decisions.v1', handler(), true, { batch: true });
  t.addHandler('read-model-a.v1', handler(), true, { group: 'timeline' });
  t.addHandler('read-model-b.v1', handler(), true, { group: 'timeline', batch: true });
  t.addHandler('other.v1', handler(), true, { group: 'other' });
  return t;
};

describe('KafkaTransport handler groups', () => {
  it('the main consumer takes only the handlers that name no group', () => {
    expect(transport().topics()).toEqual(['decisions.v1']);
  });

  it('a group consumer takes only its own handlers', () => {
    expect(transport('timeline').topics()).toEqual(['read-model-a.v1', 'read-model-b.v1']);
    expect(transport('other').topics()).toEqual(['other.v1']);
  });

  it('a group without handlers has no topics (its consumer refuses to start)', () => {
    expect(transport('none').topics()).toEqual([]);
  });
});
