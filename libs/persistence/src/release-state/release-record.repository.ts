import { ReleaseRecord } from './release-record.model';

/** Which held declarations a work queue lists. */
export interface WaitingFilter {
  /** Only those waiting for this (e.g. 'documentary-check'). */
  requirement?: string;
  office?: string;
  borderPost?: string;
  /** At most this many (capped at 500). */
  limit: number;
  /** Only MRNs after this one (the previous page's last MRN). */
  after?: string;
}

export abstract class ReleaseRecordRepository {
  abstract get<State>(mrn: string): Promise<ReleaseRecord<State> | null>;
  /** Writes the whole record: one document, so state, tail and outbox change together. */
  abstract save<State>(record: ReleaseRecord<State>): Promise<void>;
  /** The records of these MRNs that exist, by MRN: one store round trip for a chunk. */
  abstract getMany<State>(mrns: readonly string[]): Promise<Map<string, ReleaseRecord<State>>>;
  /** Writes whole records (each as `save` does) in one store round trip. */
  abstract saveMany<State>(records: readonly ReleaseRecord<State>[]): Promise<void>;
  /** Held declarations in MRN order. */
  abstract findWaiting(filter: WaitingFilter): Promise<ReleaseRecord[]>;
}
