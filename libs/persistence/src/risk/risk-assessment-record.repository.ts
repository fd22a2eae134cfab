import { RiskAssessmentCounts, RiskAssessmentRecord } from './risk-assessment-record.model';

export abstract class RiskAssessmentRecordRepository {
  /**
   * Idempotent by MRN: 'exists' when the MRN is recorded already (a redelivery records the
   * very same published decision, so the first record stands).
   */
  abstract record(record: RiskAssessmentRecord): Promise<'created' | 'exists'>;
  /** Bulk record for a batch; records already there are left as they are. */
  abstract recordMany(records: RiskAssessmentRecord[]): Promise<void>;
  abstract get(mrn: string): Promise<RiskAssessmentRecord | null>;
  /**
   * Lane counts and hits per rule, one entry per ruleset version that has decisions (only
   * `rulesetVersion`'s when given), sorted by version.
   */
  abstract counts(rulesetVersion?: string): Promise<RiskAssessmentCounts[]>;
}
