import { OutgoingRecord } from '@customs/messaging';

/** What a service produced for one input, and where in the log that input was read. */
export interface ProcessedInput {
  outputs: OutgoingRecord[];
  /** `topic:partition:offset` of the record first handled; null for inputs recorded before it was kept. */
  source: string | null;
}

/**
 * Inputs a service has handled, with the records it produced for each. A redelivered input
 * gets the very same records back (same ids, same hashes), which is what makes a crash
 * between the store write and the Kafka commit harmless.
 */
export abstract class ProcessedEventRepository {
  abstract find(eventId: string): Promise<ProcessedInput | null>;
  /** Returns false when the event was already recorded (by this or another replica). */
  abstract record(
    eventId: string,
    mrn: string | null,
    outputs: OutgoingRecord[],
    source?: string | null,
  ): Promise<boolean>;
  abstract findByMrn(mrn: string): Promise<OutgoingRecord[]>;
  /** Bulk lookup for a batch: event id -> what was recorded. */
  abstract findMany(eventIds: string[]): Promise<Map<string, ProcessedInput>>;
  /** Bulk insert; returns the ids another writer recorded first (those rows were not written). */
  abstract recordMany(
    rows: {
      eventId: string;
      mrn: string | null;
      outputs: OutgoingRecord[];
      source: string | null;
    }[],
  ): Promise<Set<string>>;
}
