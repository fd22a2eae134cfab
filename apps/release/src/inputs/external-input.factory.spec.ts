import { EVENT_TYPES, hasValidHash, TOPICS } from '@customs/contracts';
import { externalInputId, externalInputRecord } from './external-input.factory';

const spec = {
  topic: TOPICS.controlResults,
  type: EVENT_TYPES.controlResult,
  mrn: '26NL00000000000A15',
  lrn: 'LRN-1',
  payload: { control: 'documentary-check', outcome: 'conform', officerId: 'o1' },
  producer: 'release@test',
  occurredAt: '2026-03-01T10:00:00.000Z',
};

describe('externalInputRecord', () => {
  it('is a one-event record keyed by MRN with a valid hash', () => {
    const r = externalInputRecord(spec);
    expect(r.topic).toBe(TOPICS.controlResults);
    expect(r.key).toBe(spec.mrn);
    expect(r.value).toMatchObject({
      type: EVENT_TYPES.controlResult,
      schemaVersion: 1,
      mrn: spec.mrn,
      lrn: 'LRN-1',
      sequence: 1,
      prevHash: null,
      causationId: null,
      payload: spec.payload,
    });
    expect(r.value.correlationId).toBe(r.value.eventId);
    expect(hasValidHash(r.value)).toBe(true);
  });

  it('points at the declaration event it answers', () => {
    const r = externalInputRecord({ ...spec, about: { eventId: 'e-held', correlationId: 'c-1' } });
    expect(r.value.causationId).toBe('e-held');
    expect(r.value.correlationId).toBe('c-1');
  });

  it('gives the same id to the same idempotency key, and fresh ids without one', () => {
    const a = externalInputRecord({ ...spec, idempotencyKey: 'k1' });
    const b = externalInputRecord({
      ...spec,
      idempotencyKey: 'k1',
      occurredAt: '2026-03-02T00:00:00Z',
    });
    expect(a.value.eventId).toBe(b.value.eventId);
    expect(a.value.eventId).toBe(externalInputId(spec.mrn, spec.type, 'k1'));
    expect(externalInputId(spec.mrn, spec.type, 'k2')).not.toBe(a.value.eventId);
    expect(externalInputId(spec.mrn, EVENT_TYPES.payment, 'k1')).not.toBe(a.value.eventId);
    expect(externalInputRecord(spec).value.eventId).not.toBe(
      externalInputRecord(spec).value.eventId,
    );
  });
});
