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
} as const;

export const CURRENT_SCHEMA_VERSION = 1;

export interface SubmittedPayload {
  declaration: Declaration;
  /** How it came in: the HTTP API or the topic straight from a border post. */
  channel: 'http' | 'kafka';
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

export interface NotificationPayload {
  /** CDS-style code: 01 accepted, 03 rejected, 05 physical control, 06 documents required, 09 cleared... */
  code: string;
  text: string;
  recipient: string;
  declarantId: string;
  borderPost: string;
  mrn: string | null;
  lrn: string;
  /** The declaration event this notification reports. */
  aboutEventId: string;
}
