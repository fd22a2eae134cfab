import {
  ControlResultPayload,
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
 * Out of scope: `revaluation-requested` (an officer asking valuation to re-value). A second
 * valued event with another id is recorded and ignored; re-valuation needs its own issue.
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
  | (InputBase & { type: 'officer-decision'; payload: OfficerDecisionPayload });

export type ReleaseInputType = ReleaseInput['type'];

/** What the service looks up for the reducer: accounts keyed by id (only the one named is needed). */
export interface ReleaseContext {
  accounts?: Readonly<Record<string, Account>>;
}

export type ReleaseStatus = 'awaiting-valuation' | 'held' | 'released' | 'refused';

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
  /** A second valued event with another id: re-valuation is out of scope. */
  | 'ignored-conflicting-valuation';

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
}

export type ReleaseOutcomeKind = 'held' | 'released' | 'refused';

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

/** A notification to publish on the notifications topic, keyed by `payload.recipient`. */
export interface ReleaseNotification {
  /** `<outcome discriminator>/<code>/<declarant|border-post>`: one decision, one notification each. */
  discriminator: string;
  decisionId: string;
  causationEventId: string;
  payload: NotificationPayload;
}

export interface ReleaseStep {
  state: ReleaseState;
  decisions: ReleaseOutcome[];
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
  };
}
