import { Declaration } from '../declaration/declaration.model';
import { RejectionReason } from '../declaration/rejection-reason';
import { RiskResult } from './risk-result';
import { ValuationResult } from './valuation-result';
import { HeldRelease, ReleaseDecision } from './release-result';

/** Event type names and the schema versions each reader knows. */
export const EVENT_TYPES = {
  submitted: 'DeclarationSubmitted',
  accepted: 'DeclarationAccepted',
  rejected: 'DeclarationRejected',
  riskAssessed: 'DeclarationRiskAssessed',
  valued: 'DeclarationValued',
  held: 'DeclarationHeld',
  released: 'DeclarationReleased',
  payment: 'PaymentReceived',
  controlResult: 'ControlResultRecorded',
  officerDecision: 'OfficerDecisionRecorded',
  notification: 'NotificationIssued',
  amendmentRequested: 'DeclarationAmendmentRequested',
  invalidationRequested: 'DeclarationInvalidationRequested',
  /** Chain links release appends when it applies a request. */
  amended: 'DeclarationAmended',
  invalidated: 'DeclarationInvalidated',
  /** customs.accounts.v1: an account opened (holder, kind, opening balance, authorisations). */
  accountOpened: 'AccountOpened',
  /** customs.accounts.v1: money added to an account (a top-up of the guarantee, say). */
  accountCredited: 'AccountCredited',
} as const;

export const CURRENT_SCHEMA_VERSION = 1;

export interface SubmittedPayload {
  declaration: Declaration;
  /** How it came in: the HTTP API or the topic straight from a border post. */
  channel: 'http' | 'kafka';
  /** HTTP: the authenticated caller (token subject) intake lodged it for. */
  submittedBy?: string;
}

export interface Acceptance {
  mrn: string;
  acceptedAt: string;
  /** Reference data versions the declaration was judged by. */
  referenceData: { nomenclature: string };
}

export interface AcceptedPayload {
  declaration: Declaration;
  acceptance: Acceptance;
  /**
   * Who is accountable for the submission: the signer of a Kafka submission (`bp-<post id in lower case>`), or
   * `svc-intake:<token subject>` for one lodged over HTTP. Absent on events from before.
   */
  submittedBy?: string;
}

export interface RejectedPayload {
  /** The submission as received (it may not be a valid declaration). */
  submission: unknown;
  reasons: RejectionReason[];
}

export interface RiskAssessedPayload extends AcceptedPayload {
  risk: RiskResult;
}

export interface ValuedPayload extends RiskAssessedPayload {
  valuation: ValuationResult;
}

export interface HeldPayload extends ValuedPayload {
  release: HeldRelease;
}

export interface ReleasedPayload extends ValuedPayload {
  release: ReleaseDecision;
}

export interface PaymentPayload {
  amount: string;
  currency: string;
  kind: 'payment' | 'guarantee';
  reference: string;
}

export interface ControlResultPayload {
  control: 'documentary-check' | 'physical-inspection';
  outcome: 'conform' | 'not-conform';
  findings?: string;
  officerId: string;
}

/** Who a notification is for: a declarant (EORI) or a border post (registry id). */
export type NotificationRecipientKind = 'declarant' | 'border-post';
export const NOTIFICATION_RECIPIENT_KINDS: readonly NotificationRecipientKind[] = [
  'declarant',
  'border-post',
];

export interface NotificationPayload {
  /** CDS-style code: 01 accepted, 03 rejected, 05 physical control, 06 documents required, 09 cleared... */
  code: string;
  text: string;
  /** The recipient's id (declarant or border post): also the record key. */
  recipient: string;
  /**
   * What the recipient is. Set by every producer; optional only so that notifications
   * written before it still read (an additive field: schemaVersion stays 1).
   */
  recipientKind?: NotificationRecipientKind;
  declarantId: string;
  borderPost: string;
  mrn: string | null;
  lrn: string;
  /** The declaration event this notification reports. */
  aboutEventId: string;
}

/** A new version of an accepted declaration, checked by intake (not yet a link of the chain). */
export interface AmendmentRequestedPayload {
  amendment: {
    /** 2 for the first amendment (version 1 is the declaration as accepted). */
    version: number;
    declaration: Declaration;
    /** SHA-256 of the canonical declaration of this version, and of the one it replaces. */
    payloadHash: string;
    previousPayloadHash: string;
    referenceData: { nomenclature: string };
    requestedAt: string;
  };
}

export interface InvalidationRequestedPayload {
  invalidation: { version: number; reason: string; requestedBy: string; requestedAt: string };
}

/** The chain link release appends for an amendment: the new version, to be assessed again. */
export interface AmendedPayload extends AcceptedPayload {
  amendment: {
    version: number;
    requestEventId: string;
    payloadHash: string;
    previousPayloadHash: string;
  };
}

/** The chain link release appends for an invalidation: the declaration ends here. */
export interface InvalidatedPayload {
  declaration: Declaration;
  acceptance: Acceptance;
  invalidation: { version: number; reason: string; requestedBy: string; requestEventId: string };
  release: { status: 'invalidated'; grounds: string[] };
}
