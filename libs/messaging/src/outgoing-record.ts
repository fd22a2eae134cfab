import { EventEnvelope } from '@customs/contracts';

/** A record a handler wants published, committed atomically with the input's offset. */
export interface OutgoingRecord {
  topic: string;
  key: string;
  value: EventEnvelope;
  headers?: Record<string, string>;
}

/** A record that failed schema or envelope checks, delivered only to handlers that ask for it. */
export interface MalformedRecord {
  malformed: true;
  code: string;
  error: string;
  key: string | null;
  value: string | null;
}

export function isMalformed(input: unknown): input is MalformedRecord {
  return (
    typeof input === 'object' && input !== null && (input as MalformedRecord).malformed === true
  );
}
