import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The fixed event envelope of DESIGN.md. Every record value on every topic is one of these. */
export interface EventEnvelope<P = unknown> {
  eventId: string;
  type: string;
  schemaVersion: number;
  mrn: string | null;
  lrn: string;
  sequence: number;
  occurredAt: string;
  producer: string;
  correlationId: string;
  causationId: string | null;
  prevHash: string | null;
  hash: string;
  payload: P;
}

export type UnsignedEnvelope<P = unknown> = Omit<EventEnvelope<P>, 'hash'>;

/**
 * SHA-256 (lower-case hex) over the RFC 8785 canonical JSON of the envelope without `hash`.
 * Any client in any language can recompute it, which is why money travels as strings.
 */
export function computeEventHash(envelope: UnsignedEnvelope | EventEnvelope): string {
  const { hash: _ignored, ...unsigned } = envelope as EventEnvelope;
  const canonical = canonicalize(unsigned);
  if (canonical === undefined) throw new Error('envelope cannot be canonicalised');
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export function sealEnvelope<P>(unsigned: UnsignedEnvelope<P>): EventEnvelope<P> {
  return { ...unsigned, hash: computeEventHash(unsigned) };
}

export function hasValidHash(envelope: EventEnvelope): boolean {
  return typeof envelope.hash === 'string' && computeEventHash(envelope) === envelope.hash;
}
