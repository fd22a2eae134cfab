/** The topic contract of DESIGN.md: fixed names, shared by every service and outside party. */
export const TOPICS = {
  submitted: 'customs.declarations.submitted.v1',
  accepted: 'customs.declarations.accepted.v1',
  rejected: 'customs.declarations.rejected.v1',
  riskAssessed: 'customs.declarations.risk-assessed.v1',
  valued: 'customs.declarations.valued.v1',
  held: 'customs.declarations.held.v1',
  released: 'customs.declarations.released.v1',
  payments: 'customs.payments.v1',
  controlResults: 'customs.controls.results.v1',
  notifications: 'customs.notifications.v1',
  /** Amendment and invalidation requests checked by intake, for release (the chain's tail holder) to apply. */
  amendments: 'customs.declarations.amendments.v1',
  /**
   * Signed Merkle tree heads of every audited partition (RFC 9162), published by the
   * checkpointer (apps/audit); key `<topic>/<partition>`. Kept forever like the audit log.
   */
  checkpoints: 'customs.audit.checkpoints.v1',
  /**
   * Guarantee and deferment accounts: openings and credits (keyed by account id), so that
   * every balance release holds is explained by the log. Written by the admin CLI only.
   */
  accounts: 'customs.accounts.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** Topics that form the audit log of declarations: kept forever, same partition count. */
export const DECLARATION_TOPICS: readonly TopicName[] = [
  TOPICS.submitted,
  TOPICS.accepted,
  TOPICS.rejected,
  TOPICS.riskAssessed,
  TOPICS.valued,
  TOPICS.held,
  TOPICS.released,
];

/** Every topic the system owns, excluding per-service dead-letter topics. */
export const ALL_TOPICS: readonly TopicName[] = Object.values(TOPICS);

export type ServiceName = 'intake' | 'risk' | 'valuation' | 'release';
export const SERVICES: readonly ServiceName[] = ['intake', 'risk', 'valuation', 'release'];

export function dlqTopic(service: string): string {
  return `customs.${service}.dlq.v1`;
}
