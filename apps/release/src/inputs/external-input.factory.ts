import { randomUUID } from 'node:crypto';
import { derivedEventId, EventEnvelope, sealEnvelope, TopicName } from '@customs/contracts';
import { OutgoingRecord } from '@customs/messaging';

export interface ExternalInputSpec<P> {
  topic: TopicName;
  type: string;
  mrn: string;
  lrn: string;
  payload: P;
  producer: string;
  /** When it was recorded: for the timeline only, never used in a decision. */
  occurredAt: string;
  /** The declaration event the input answers (release's chain tail), when known. */
  about?: Pick<EventEnvelope, 'eventId' | 'correlationId'> | null;
  /**
   * The caller's idempotency key (a payment reference, an Idempotency-Key header): the same
   * key for the same MRN and type always gives the same event id, so a retried request is
   * dropped by the release reducer instead of counting twice. Without one, a fresh id.
   */
  idempotencyKey?: string;
}

/** The event id an input gets for an idempotency key (the same key, the same id). */
export function externalInputId(mrn: string, type: string, idempotencyKey?: string): string {
  return idempotencyKey ? derivedEventId(`input/${mrn}`, type, idempotencyKey) : randomUUID();
}

/**
 * An input from outside the pipeline (an officer's control result or decision, a payment)
 * as its own one-event record: it is not a link of the declaration's chain (release links
 * its held/released events to it by causation instead), so sequence 1 and no previous
 * hash, like notifications. Keyed by MRN, so it lands on the declaration's partition.
 */
export function externalInputRecord<P>(spec: ExternalInputSpec<P>): OutgoingRecord {
  const eventId = externalInputId(spec.mrn, spec.type, spec.idempotencyKey);
  const value = sealEnvelope<P>({
    eventId,
    type: spec.type,
    schemaVersion: 1,
    mrn: spec.mrn,
    lrn: spec.lrn,
    sequence: 1,
    occurredAt: spec.occurredAt,
    producer: spec.producer,
    correlationId: spec.about?.correlationId ?? eventId,
    causationId: spec.about?.eventId ?? null,
    prevHash: null,
    payload: spec.payload,
  });
  return { topic: spec.topic, key: spec.mrn, value: value as EventEnvelope };
}
