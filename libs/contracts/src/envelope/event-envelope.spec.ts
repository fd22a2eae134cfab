import { createHash } from 'node:crypto';
import {
  computeEventHash,
  EventEnvelope,
  hasValidHash,
  sealEnvelope,
  UnsignedEnvelope,
} from './event-envelope';
import { firstEvent, nextEvent, derivedEventId } from './event-factory';
import { parseEnvelope } from './envelope.parser';

const unsigned: UnsignedEnvelope = {
  eventId: '3f1c2b1e-8a4d-4c3e-9b2a-1d2e3f4a5b6c',
  type: 'DeclarationSubmitted',
  schemaVersion: 1,
  mrn: null,
  lrn: 'LRN-1',
  sequence: 1,
  occurredAt: '2026-11-28T10:00:00.000Z',
  producer: 'intake@0.1.0',
  correlationId: '3f1c2b1e-8a4d-4c3e-9b2a-1d2e3f4a5b6c',
  causationId: null,
  prevHash: null,
  payload: { z: 'é', a: ['1.50', { y: true, b: null }] },
};

describe('event hash (SHA-256 over RFC 8785 JSON)', () => {
  it('equals an independent computation over the canonical form written out by hand', () => {
    // RFC 8785: members sorted by UTF-16 code units, no whitespace, strings as JSON.
    const canonical =
      '{"causationId":null,"correlationId":"3f1c2b1e-8a4d-4c3e-9b2a-1d2e3f4a5b6c","eventId":"3f1c2b1e-8a4d-4c3e-9b2a-1d2e3f4a5b6c",' +
      '"lrn":"LRN-1","mrn":null,"occurredAt":"2026-11-28T10:00:00.000Z","payload":{"a":["1.50",{"b":null,"y":true}],"z":"é"},' +
      '"prevHash":null,"producer":"intake@0.1.0","schemaVersion":1,"sequence":1,"type":"DeclarationSubmitted"}';
    expect(computeEventHash(unsigned)).toBe(
      createHash('sha256').update(canonical, 'utf8').digest('hex'),
    );
  });

  it('does not depend on key order and ignores the hash field itself', () => {
    const reordered = Object.fromEntries(Object.entries(unsigned).reverse()) as UnsignedEnvelope;
    expect(computeEventHash(reordered)).toBe(computeEventHash(unsigned));
    const sealed = sealEnvelope(unsigned);
    expect(computeEventHash(sealed)).toBe(sealed.hash);
    expect(hasValidHash(sealed)).toBe(true);
    expect(hasValidHash({ ...sealed, lrn: 'LRN-2' })).toBe(false);
  });
});

describe('event factory', () => {
  const first = firstEvent({
    type: 'A',
    schemaVersion: 1,
    lrn: 'L',
    producer: 'p@1',
    payload: { n: '1' },
  });

  it('starts a chain and links the next event to it', () => {
    expect(first.sequence).toBe(1);
    expect(first.prevHash).toBeNull();
    const next = nextEvent(first, {
      type: 'B',
      schemaVersion: 1,
      producer: 'p@1',
      payload: {},
      mrn: '26NL0000000000000J1',
    });
    expect(next.sequence).toBe(2);
    expect(next.prevHash).toBe(first.hash);
    expect(next.causationId).toBe(first.eventId);
    expect(next.correlationId).toBe(first.correlationId);
    expect(next.mrn).toBe('26NL0000000000000J1');
    expect(hasValidHash(next)).toBe(true);
  });

  it('derives the same event id from the same cause and type, another from another', () => {
    const a = nextEvent(first, { type: 'B', schemaVersion: 1, producer: 'p@1', payload: {} });
    const b = nextEvent(first, {
      type: 'B',
      schemaVersion: 1,
      producer: 'p@1',
      payload: { other: true },
    });
    expect(a.eventId).toBe(b.eventId);
    expect(derivedEventId(first.eventId, 'C')).not.toBe(a.eventId);
    expect(derivedEventId(first.eventId, 'B', 'x')).not.toBe(a.eventId);
  });
});

describe('parseEnvelope', () => {
  const good: EventEnvelope = sealEnvelope(unsigned);

  it('accepts a sealed envelope', () => {
    expect(parseEnvelope(Buffer.from(JSON.stringify(good)))).toEqual(good);
  });

  it.each([
    ['not JSON', '{"a":', 'NOT_JSON'],
    ['an array', '[1]', 'NOT_AN_OBJECT'],
    ['empty', '', 'EMPTY_RECORD'],
  ])('refuses %s with a code', (_what, raw, code) => {
    expect(() => parseEnvelope(raw)).toThrow(expect.objectContaining({ code }));
  });

  it('names every missing or bad field', () => {
    const { eventId: _e, ...rest } = good;
    try {
      parseEnvelope(JSON.stringify({ ...rest, sequence: 0, payload: 'x' }));
      throw new Error('expected a failure');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/eventId/);
      expect(message).toMatch(/sequence/);
      expect(message).toMatch(/payload/);
    }
  });

  it('refuses an altered envelope by its hash', () => {
    expect(() => parseEnvelope(JSON.stringify({ ...good, lrn: 'OTHER' }))).toThrow(
      expect.objectContaining({ code: 'HASH_MISMATCH' }),
    );
  });
});
