import { EventEnvelope, hasValidHash } from './event-envelope';
import { MalformedEnvelopeError } from './envelope-errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const HEX64 = /^[0-9a-f]{64}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses and checks a record value: JSON, envelope shape, and the hash. Throws
 * MalformedEnvelopeError with a code naming the first problem found.
 */
export function parseEnvelope(value: Buffer | string | null): EventEnvelope {
  if (value === null || value.length === 0) {
    throw new MalformedEnvelopeError('EMPTY_RECORD', 'record has no value');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    throw new MalformedEnvelopeError('NOT_JSON', 'record value is not valid JSON');
  }
  return checkEnvelope(parsed);
}

export function checkEnvelope(parsed: unknown): EventEnvelope {
  if (!isObject(parsed))
    throw new MalformedEnvelopeError('NOT_AN_OBJECT', 'envelope must be a JSON object');
  const problems: string[] = [];
  const str = (k: string, nullable = false) => {
    const v = parsed[k];
    if (!(typeof v === 'string' && v.length > 0) && !(nullable && v === null)) {
      problems.push(`${k} must be a non-empty string${nullable ? ' or null' : ''}`);
    }
  };
  str('type');
  str('lrn');
  str('producer');
  str('mrn', true);
  if (typeof parsed.eventId !== 'string' || !UUID.test(parsed.eventId))
    problems.push('eventId must be a UUID');
  if (typeof parsed.correlationId !== 'string' || !UUID.test(parsed.correlationId)) {
    problems.push('correlationId must be a UUID');
  }
  if (
    parsed.causationId !== null &&
    (typeof parsed.causationId !== 'string' || !UUID.test(parsed.causationId))
  ) {
    problems.push('causationId must be a UUID or null');
  }
  if (!Number.isInteger(parsed.schemaVersion) || (parsed.schemaVersion as number) < 1) {
    problems.push('schemaVersion must be a positive integer');
  }
  if (!Number.isInteger(parsed.sequence) || (parsed.sequence as number) < 1) {
    problems.push('sequence must be a positive integer');
  }
  if (typeof parsed.occurredAt !== 'string' || Number.isNaN(Date.parse(parsed.occurredAt))) {
    problems.push('occurredAt must be an ISO-8601 timestamp');
  }
  if (
    parsed.prevHash !== null &&
    (typeof parsed.prevHash !== 'string' || !HEX64.test(parsed.prevHash))
  ) {
    problems.push('prevHash must be 64 hex characters or null');
  }
  if (typeof parsed.hash !== 'string' || !HEX64.test(parsed.hash))
    problems.push('hash must be 64 hex characters');
  if (!isObject(parsed.payload)) problems.push('payload must be an object');
  if (problems.length > 0) {
    throw new MalformedEnvelopeError('BAD_ENVELOPE', `malformed envelope: ${problems.join('; ')}`);
  }
  const envelope = parsed as unknown as EventEnvelope;
  if (!hasValidHash(envelope)) {
    throw new MalformedEnvelopeError('HASH_MISMATCH', 'hash does not match the canonical envelope');
  }
  return envelope;
}
