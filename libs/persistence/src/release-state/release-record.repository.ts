import { ReleaseRecord } from './release-record.model';

export abstract class ReleaseRecordRepository {
  abstract get<State>(mrn: string): Promise<ReleaseRecord<State> | null>;
  /** Writes the whole record: one document, so state, tail and outbox change together. */
  abstract save<State>(record: ReleaseRecord<State>): Promise<void>;
  abstract findWaiting(filter: {
    requirement?: string;
    office?: string;
    borderPost?: string;
    limit: number;
  }): Promise<ReleaseRecord[]>;
}
