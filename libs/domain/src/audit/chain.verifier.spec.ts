import { EventEnvelope, firstEvent, nextEvent, sealEnvelope } from '@customs/contracts';
import { verifyChain } from './chain.verifier';

function chain(n: number): EventEnvelope[] {
  const events: EventEnvelope[] = [
    firstEvent({
      type: 'A',
      schemaVersion: 1,
      lrn: 'L1',
      producer: 't@1',
      payload: { i: 0 },
      occurredAt: '2026-01-01T00:00:00.000Z',
    }),
  ];
  for (let i = 1; i < n; i++) {
    events.push(
      nextEvent(events[i - 1], {
        type: `T${i}`,
        schemaVersion: 1,
        producer: 't@1',
        payload: { i },
        occurredAt: '2026-01-01T00:00:00.000Z',
      }),
    );
  }
  return events;
}

describe('verifyChain', () => {
  it('accepts an intact chain in any order', () => {
    const c = chain(5);
    expect(verifyChain(c)).toEqual([]);
    expect(verifyChain([...c].reverse())).toEqual([]);
  });

  it('finds an altered payload', () => {
    const c = chain(4);
    c[2] = { ...c[2], payload: { i: 99 } };
    expect(verifyChain(c).map((p) => p.code)).toContain('HASH_MISMATCH');
  });

  it('finds a deleted event', () => {
    const c = chain(4);
    c.splice(1, 1);
    const codes = verifyChain(c).map((p) => p.code);
    expect(codes).toContain('SEQUENCE_GAP');
    expect(codes).toContain('PREV_HASH_MISMATCH');
  });

  it('finds a re-sealed event whose link is broken', () => {
    const c = chain(3);
    const { hash: _h, ...unsigned } = c[2];
    c[2] = sealEnvelope({ ...unsigned, prevHash: 'f'.repeat(64) });
    expect(verifyChain(c).map((p) => p.code)).toEqual(['PREV_HASH_MISMATCH']);
  });

  it('finds a fork and a missing genesis', () => {
    const c = chain(3);
    const fork = nextEvent(c[0], { type: 'X', schemaVersion: 1, producer: 't@1', payload: {} });
    expect(verifyChain([...c, fork]).map((p) => p.code)).toContain('DUPLICATE_SEQUENCE');
    expect(verifyChain(c.slice(1)).map((p) => p.code)).toContain('FIRST_NOT_GENESIS');
  });

  it('accepts causes outside the chain only when declared', () => {
    const c = chain(2);
    const paid = nextEvent(c[1], {
      type: 'P',
      schemaVersion: 1,
      producer: 't@1',
      payload: {},
      causationId: '0b0e5f5e-1c3d-4b2a-9f00-000000000001',
    });
    expect(verifyChain([...c, paid]).map((p) => p.code)).toEqual(['UNKNOWN_CAUSE']);
    expect(verifyChain([...c, paid], new Set(['0b0e5f5e-1c3d-4b2a-9f00-000000000001']))).toEqual(
      [],
    );
  });
});
