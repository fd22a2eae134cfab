import { EVENT_TYPES } from '../events/declaration-events';
import { TOPICS } from '../topics';
import { CHECKPOINT_EVENT_TYPE } from './signed-tree-head';

const DLQ_TOPIC = /^customs\.([a-z]+)\.dlq\.v1$/;

/** A principal name, or a family of them: `bp-*` is every border post. */
type Signer =
  | 'svc-intake'
  | 'svc-risk'
  | 'svc-valuation'
  | 'svc-release'
  | 'svc-audit'
  | 'admin'
  | 'bp-*'
  | 'pay-*';

/**
 * Who may emit which event type on which topic; checked from the code's producers (each
 * `publish` and each handler's outputs). Partners write only their input topic; a service
 * writes what its own decisions are, and release its HTTP inputs (payments adapter, officer
 * API, corrections) on their topics.
 */
export const SIGNER_POLICY: Readonly<Record<string, Readonly<Record<string, readonly Signer[]>>>> =
  {
    // Border posts over Kafka; intake for what it authenticated over HTTP.
    [TOPICS.submitted]: { [EVENT_TYPES.submitted]: ['svc-intake', 'bp-*'] },
    [TOPICS.accepted]: {
      [EVENT_TYPES.accepted]: ['svc-intake'],
      // Release appends an amendment to the chain, on the accepted topic so risk assesses it.
      [EVENT_TYPES.amended]: ['svc-release'],
    },
    [TOPICS.rejected]: { [EVENT_TYPES.rejected]: ['svc-intake'] },
    [TOPICS.riskAssessed]: { [EVENT_TYPES.riskAssessed]: ['svc-risk'] },
    [TOPICS.valued]: { [EVENT_TYPES.valued]: ['svc-valuation'] },
    [TOPICS.held]: { [EVENT_TYPES.held]: ['svc-release'] },
    [TOPICS.released]: {
      [EVENT_TYPES.released]: ['svc-release'],
      [EVENT_TYPES.invalidated]: ['svc-release'],
    },
    // Payment systems, or release's HTTP payments adapter for what it authenticated.
    [TOPICS.payments]: { [EVENT_TYPES.payment]: ['svc-release', 'pay-*'] },
    // The officer API (release).
    [TOPICS.controlResults]: {
      [EVENT_TYPES.controlResult]: ['svc-release'],
      [EVENT_TYPES.officerDecision]: ['svc-release'],
    },
    // Release's decisions; intake's rejections, amendment answers and invalidation notices.
    [TOPICS.notifications]: { [EVENT_TYPES.notification]: ['svc-release', 'svc-intake'] },
    [TOPICS.amendments]: {
      // Intake checks declarants' amendments; release publishes an officer's corrections.
      [EVENT_TYPES.amendmentRequested]: ['svc-intake', 'svc-release'],
      [EVENT_TYPES.invalidationRequested]: ['svc-intake'],
    },
    // Accounts are opened and credited by the administration (the admin CLI) alone.
    [TOPICS.accounts]: {
      [EVENT_TYPES.accountOpened]: ['admin'],
      [EVENT_TYPES.accountCredited]: ['admin'],
    },
    // Signed Merkle tree heads of the log, by the checkpointer alone.
    [TOPICS.checkpoints]: { [CHECKPOINT_EVENT_TYPE]: ['svc-audit'] },
  };

export type SignerPolicyCheck =
  { ok: true } | { ok: false; code: 'SIGNER_NOT_ALLOWED'; reason: string };

const matches = (signer: Signer, principal: string) =>
  signer.endsWith('*')
    ? principal.startsWith(signer.slice(0, -1)) && principal.length > signer.length - 1
    : signer === principal;

/**
 * May `principal` emit an event of `eventType` on the contract `topic`? An unknown topic or
 * type is refused. `eventType` null (a record that is not an envelope) asks whether the
 * principal may write the topic at all: intake answers a border post's malformed submission
 * with a rejection, so such a record must still reach it.
 * Dead-letter topics carry any record, written by their service; checkpoints by the auditor's
 * checkpointer.
 */
export function checkSignerPolicy(
  topic: string,
  eventType: string | null,
  principal: string,
): SignerPolicyCheck {
  const refuse = (reason: string): SignerPolicyCheck => ({
    ok: false,
    code: 'SIGNER_NOT_ALLOWED',
    reason,
  });
  const dlq = DLQ_TOPIC.exec(topic);
  if (dlq)
    return principal === `svc-${dlq[1]}`
      ? { ok: true }
      : refuse(`${principal} may not write the dead-letter topic ${topic} (only svc-${dlq[1]})`);
  const types = SIGNER_POLICY[topic];
  if (!types) return refuse(`${topic} is not a contract topic: no one may sign records for it`);
  if (eventType === null)
    return Object.values(types).some((signers) => signers.some((s) => matches(s, principal)))
      ? { ok: true }
      : refuse(`${principal} may not write ${topic}`);
  const signers = Object.prototype.hasOwnProperty.call(types, eventType)
    ? types[eventType]
    : undefined;
  if (!signers) return refuse(`${eventType} is not an event type of ${topic}`);
  return signers.some((s) => matches(s, principal))
    ? { ok: true }
    : refuse(`${principal} may not emit ${eventType} on ${topic} (allowed: ${signers.join(', ')})`);
}
