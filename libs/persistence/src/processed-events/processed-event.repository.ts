import { OutgoingRecord } from '@customs/messaging';

/**
 * Inputs a service has handled, with the records it produced for each. A redelivered input
 * gets the very same records back (same ids, same hashes), which is what makes a crash
 * between the store write and the Kafka commit harmless.
 */
export abstract class ProcessedEventRepository {
  abstract find(eventId: string): Promise<OutgoingRecord[] | null>;
  /** Returns false when the event was already recorded (by this or another replica). */
  abstract record(eventId: string, mrn: string | null, outputs: OutgoingRecord[]): Promise<boolean>;
  abstract findByMrn(mrn: string): Promise<OutgoingRecord[]>;
}
