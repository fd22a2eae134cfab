import {
  AmendedPayload,
  AmendmentRequestedPayload,
  ControlResultPayload,
  InvalidatedPayload,
  InvalidationRequestedPayload,
  HeldRelease,
  HoldReason,
  NotificationPayload,
  OfficerDecisionPayload,
  PaymentPayload,
  ReleaseDecision,
  ReleaseRequirement,
  SecurityAccountKind,
  ValuedPayload,
} from '@customs/contracts';
import { Account, AccountMovement } from './account.model';

/**
 * Inputs of the release reducer. Each carries the envelope's event id (deduplication) and
 * MRN (the state is one document per MRN); `occurredAt` is kept for the timeline only and
 * never used in a decision.
 *
 * Amendments and invalidations (requests checked by intake, or an officer's correction) are
 * inputs too: release holds the chain tail, so it is the one to append their chain links
 * (see release-changes.rules.ts). A second valued event is taken only when it values the
 * amendment release is waiting for; any other is recorded and ignored.
 */
interface InputBase {
  eventId: string;
  mrn: string;
  occurredAt?: string;
}

export type ReleaseInput =
  | (InputBase & { type: 'valued'; payload: ValuedPayload })
  | (InputBase & { type: 'payment'; payload: PaymentPayload })
  | (InputBase & { type: 'control-result'; payload: ControlResultPayload })
  | (InputBase & { type: 'officer-decision'; payload: OfficerDecisionPayload })
  | (InputBase & { type: 'amendment-requested'; payload: AmendmentRequestPayload })
  | (InputBase & { type: 'invalidation-requested'; payload: InvalidationRequestedPayload });

/**
 * An amendment request as release takes it: intake's payload, plus who asked and what they
 * found when an officer's correction (issue 6) asks for it. Absent: the declarant, via intake.
 */
export interface AmendmentRequestPayload {
  amendment: AmendmentRequestedPayload['amendment'] & { requestedBy?: string; findings?: string };
}

export type ReleaseInputType = ReleaseInput['type'];

/** What the service looks up for the reducer: accounts keyed by id (only the one named is needed). */
export interface ReleaseContext {
  accounts?: Readonly<Record<string, Account>>;
}

/**
 * `amending`: release appended DeclarationAmended and waits for the new version's valued
 * event (risk and valuation hold the chain meanwhile). `invalidated` is final, like
 * released and refused.
 */
export type ReleaseStatus =
  'awaiting-valuation' | 'held' | 'amending' | 'released' | 'refused' | 'invalidated';

/** A change request taken by release, applied at once or kept until release holds the chain tail. */
export type DeclarationChange =
  | {
      kind: 'amendment';
      eventId: string;
      version: number;
      declaration: AmendmentRequestedPayload['amendment']['declaration'];
      payloadHash: string;
      previousPayloadHash: string;
      requestedBy?: string;
      findings?: string;
    }
  | { kind: 'invalidation'; eventId: string; version: number; reason: string; requestedBy: string };

/** Why release did not apply a change request (sent with CDS code 03). */
export type ChangeRefusalCode =
  | 'DECLARATION_RELEASED'
  | 'DECLARATION_REFUSED'
  | 'DECLARATION_INVALIDATED'
  | 'INVALIDATION_PENDING'
  | 'VERSION_CONFLICT';

export type ControlKind = ControlResultPayload['control'];

export interface RecordedPayment extends PaymentPayload {
  eventId: string;
}
export interface RecordedControl extends ControlResultPayload {
  eventId: string;
}
export interface RecordedOfficerDecision extends OfficerDecisionPayload {
  eventId: string;
}

/** The guarantee/deferment account that secured the release: what was debited and paid back. */
export interface SecuringAccount {
  id: string;
  kind: SecurityAccountKind;
  currency: string;
  debited: string;
  credited: string;
}

/** How an input was taken. */
export type InputEffect =
  /** Applied to a valued declaration (it may or may not have changed the decision). */
  | 'applied'
  /** Arrived before the valued event: kept, applied once it arrives. */
  | 'kept-until-valued'
  /** Arrived after the final decision: changes nothing. */
  | 'ignored-after-final'
  /** A payment or guarantee after a release secured by an account: credits the account. */
  | 'settlement'
  /** A valued event that does not value the version release waits for: recorded, ignored. */
  | 'ignored-conflicting-valuation'
  /** The valued event of the pending amendment: it replaces the previous valuation. */
  | 'replaced-valuation'
  /** A change request applied now: its chain link is appended. */
  | 'change-applied'
  /** A change request that came while another stage holds the chain: applied on the next valued event. */
  | 'change-queued'
  /** A change request that cannot apply (final decision, stale version): refused with a notification. */
  | 'change-refused';

export type TimelineEntry =
  | {
      entry: 'input';
      eventId: string;
      inputType: ReleaseInputType;
      effect: InputEffect;
      occurredAt?: string;
    }
  | {
      entry: 'outcome';
      decisionId: string;
      eventId: string;
      outcome: ReleaseOutcomeKind;
      causationEventId: string;
      waitingFor?: ReleaseRequirement[];
      reasons?: HoldReason[];
      grounds?: string[];
    };

/**
 * Release state of one declaration, stored as one document keyed by MRN. Plain JSON: arrays
 * rather than maps keyed by event id, so no key ever holds '.' or '$' (MongoDB/FerretDB).
 */
export interface ReleaseState {
  schemaVersion: 1;
  mrn: string;
  status: ReleaseStatus;
  valued: { eventId: string; payload: ValuedPayload } | null;
  payments: RecordedPayment[];
  controls: RecordedControl[];
  officerDecisions: RecordedOfficerDecision[];
  /** Every input event id taken, in arrival order: a redelivery is recognised and dropped. */
  processedEventIds: string[];
  /** The last hold emitted (empty unless held): a new hold is emitted only when these change. */
  waitingFor: ReleaseRequirement[];
  holdReasons: HoldReason[];
  /** The final decision, once released or refused. */
  decision: ReleaseDecision | null;
  securingAccount: SecuringAccount | null;
  /** Outcomes emitted so far: numbers the next decision and its discriminator. */
  outcomeCount: number;
  /** Inputs taken after the final decision that changed nothing. */
  ignoredAfterFinal: number;
  timeline: TimelineEntry[];
  /**
   * Amendments (absent in states stored before they existed: read as version 1, nothing
   * pending). `version` is the declaration version `valued` is for; `payloadHash` the hash
   * of the newest version taken (applied, pending or queued), when known (not for version 1).
   */
  version?: number;
  payloadHash?: string | null;
  /** The amendment appended to the chain whose valued event release now waits for. */
  pendingAmendment?: { eventId: string; version: number; amendedEventId: string } | null;
  /** Requests taken while release did not hold the chain tail, in arrival order. */
  queuedChanges?: DeclarationChange[];
  /** The invalidation applied, once invalidated. */
  invalidation?: { version: number; reason: string; requestedBy: string; eventId: string } | null;
}

export type ReleaseOutcomeKind = 'held' | 'released' | 'refused' | 'amended' | 'invalidated';

interface OutcomeBase {
  /** `<mrn>/release/<n>`: unique per declaration, the same on every replay. */
  decisionId: string;
  /** Pass to the event factory's `nextEvent({ discriminator, causationId })`; gives `eventId`. */
  discriminator: string;
  causationEventId: string;
  /** derivedEventId(causationEventId, eventType, discriminator): the id of the event to publish. */
  eventId: string;
}

export type ReleaseOutcome =
  | (OutcomeBase & { outcome: 'held'; eventType: 'DeclarationHeld'; release: HeldRelease })
  | (OutcomeBase & {
      outcome: 'released' | 'refused';
      eventType: 'DeclarationReleased';
      release: ReleaseDecision;
    });

/**
 * The chain link release appends for a change request; it carries its whole payload. A
 * step has either decisions or one change link, never both.
 */
export type ReleaseChangeLink =
  | (OutcomeBase & { outcome: 'amended'; eventType: 'DeclarationAmended'; payload: AmendedPayload })
  | (OutcomeBase & {
      outcome: 'invalidated';
      eventType: 'DeclarationInvalidated';
      payload: InvalidatedPayload;
    });

/** A notification to publish on the notifications topic, keyed by `payload.recipient`. */
export interface ReleaseNotification {
  /** `<outcome discriminator>/<code>/<declarant|border-post>`: one decision, one notification each. */
  discriminator: string;
  decisionId: string;
  causationEventId: string;
  payload: NotificationPayload;
  /** True when it is about the input itself (a refused change request), not about a decision. */
  aboutInput?: boolean;
}

export interface ReleaseStep {
  state: ReleaseState;
  decisions: ReleaseOutcome[];
  /** The link appended for an amendment or invalidation (absent or empty otherwise). */
  changeLinks?: ReleaseChangeLink[];
  accountMovements: AccountMovement[];
  notifications: ReleaseNotification[];
}

export function initialReleaseState(mrn: string): ReleaseState {
  return {
    schemaVersion: 1,
    mrn,
    status: 'awaiting-valuation',
    valued: null,
    payments: [],
    controls: [],
    officerDecisions: [],
    processedEventIds: [],
    waitingFor: [],
    holdReasons: [],
    decision: null,
    securingAccount: null,
    outcomeCount: 0,
    ignoredAfterFinal: 0,
    timeline: [],
    version: 1,
    payloadHash: null,
    pendingAmendment: null,
    queuedChanges: [],
    invalidation: null,
  };
}
