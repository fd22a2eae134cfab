/**
 * A claim on an idempotency key of HTTP lodgement. The key is scoped to the declarant: the
 * record's identity is (declarantId, key). The first request to claim it publishes the
 * submission; every later one with the same key gets the same answer (or a conflict when
 * its payload differs), whichever intake replica it reaches.
 */
export interface IdempotencyClaim {
  declarantId: string;
  /** `key:<Idempotency-Key header>` or `lrn:<LRN>` when the request carried no header. */
  key: string;
  lrn: string;
  /** SHA-256 of the canonical declaration. */
  payloadHash: string;
  /** The MRN announced in the first answer. */
  mrn: string;
  /** The submission published for the claim, kept so a lost publish can be repeated as is. */
  submittedEventId: string;
  submitted: string;
  published: boolean;
  claimedAt: string;
}
