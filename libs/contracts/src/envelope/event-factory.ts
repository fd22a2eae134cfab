import { v4 as uuidv4, v5 as uuidv5 } from 'uuid';
import { EventEnvelope, sealEnvelope } from './event-envelope';

/** Namespace for derived event ids (UUID v5): the same cause and type always give the same id. */
const EVENT_ID_NAMESPACE = 'c6a8f2c4-6f5e-4d3b-9a51-7d2f0e8b1c11';

export function derivedEventId(causationId: string, type: string, discriminator = ''): string {
  return uuidv5(`${causationId}|${type}|${discriminator}`, EVENT_ID_NAMESPACE);
}

export interface FirstEventInput<P> {
  type: string;
  schemaVersion: number;
  lrn: string;
  producer: string;
  payload: P;
  occurredAt?: string;
  eventId?: string;
  correlationId?: string;
}

/** The first event of a declaration's chain (sequence 1, no previous hash). */
export function firstEvent<P>(input: FirstEventInput<P>): EventEnvelope<P> {
  const eventId = input.eventId ?? uuidv4();
  return sealEnvelope({
    eventId,
    type: input.type,
    schemaVersion: input.schemaVersion,
    mrn: null,
    lrn: input.lrn,
    sequence: 1,
    occurredAt: input.occurredAt ?? new Date().toISOString(),
    producer: input.producer,
    correlationId: input.correlationId ?? eventId,
    causationId: null,
    prevHash: null,
    payload: input.payload,
  });
}

export interface NextEventInput<P> {
  type: string;
  schemaVersion: number;
  producer: string;
  payload: P;
  /** The MRN once assigned; defaults to the previous event's. */
  mrn?: string | null;
  /** The event that caused this one, when it is not the chain's previous event (a payment, say). */
  causationId?: string;
  /** Distinguishes several events of one type caused by one event. */
  discriminator?: string;
  occurredAt?: string;
}

/**
 * The next event of a declaration's chain: sequence + 1, prevHash = previous hash. The
 * event id derives from cause and type, so reprocessing the same input yields the same id
 * and downstream deduplication by id holds across crashes.
 */
export function nextEvent<P>(previous: EventEnvelope, input: NextEventInput<P>): EventEnvelope<P> {
  const causationId = input.causationId ?? previous.eventId;
  return sealEnvelope({
    eventId: derivedEventId(causationId, input.type, input.discriminator),
    type: input.type,
    schemaVersion: input.schemaVersion,
    mrn: input.mrn === undefined ? previous.mrn : input.mrn,
    lrn: previous.lrn,
    sequence: previous.sequence + 1,
    occurredAt: input.occurredAt ?? new Date().toISOString(),
    producer: input.producer,
    correlationId: previous.correlationId,
    causationId,
    prevHash: previous.hash,
    payload: input.payload,
  });
}
