/**
 * A notification as release keeps it for its recipient (a border post or a declarant) to
 * fetch: the envelope as published, and its place in the recipient's feed.
 */
export interface StoredNotification {
  eventId: string;
  recipient: string;
  /**
   * Position in the recipient's feed, strictly increasing in the order notifications were
   * published to that recipient: the Kafka offset + 1 on the recipient's partition (the
   * topic is keyed by recipient, so one recipient is on one partition, whose offsets grow).
   */
  cursor: number;
  partition: number;
  code: string;
  mrn: string | null;
  lrn: string;
  /** The whole envelope as received, so the reader can check its hash. */
  envelope: unknown;
}
