/** Intake's record of one accepted lodgement. */
export interface Lodgement {
  mrn: string;
  declarantId: string;
  lrn: string;
  /** SHA-256 of the canonical declaration: a resubmission with another payload is a conflict. */
  payloadHash: string;
  submittedEventId: string;
  acceptedAt: string;
}
