/** What release adds to a declaration (held and released events' `release`). */
export type ReleaseRequirement =
  | 'payment'
  | 'documentary-check'
  | 'physical-inspection'
  /** A control came back not conform: an officer must release or refuse. */
  | 'officer-decision';

/** Why the money side is not settled, beyond "no payment yet". */
export type HoldReason =
  /** The guarantee/deferment account named by the declaration has too little balance (CDS 14/15 style). */
  | 'insufficient-balance'
  /** The declaration names an account that release does not know. */
  | 'account-not-found'
  /** The named account is kept in another currency than the duties. */
  | 'account-currency-mismatch'
  /**
   * The named account is neither held by the declarant nor authorised for it by its holder:
   * it is not used, whatever its balance (which is then not looked at, nor reported).
   */
  | 'guarantee-not-authorised';

export type SecurityAccountKind = 'guarantee' | 'deferment';

export interface HeldRelease {
  status: 'held';
  waitingFor: ReleaseRequirement[];
  postClearanceAudit: boolean;
  /** Present when the money side waits for a reason other than a missing payment. */
  reasons?: HoldReason[];
  /** The account that could not secure the debt, with what was needed and what it had. */
  account?: { id: string; kind: SecurityAccountKind; required: string; available: string };
}

export interface ReleaseDecision {
  status: 'released' | 'refused';
  grounds: string[];
  postClearanceAudit: boolean;
  securedBy?: 'payment' | 'guarantee';
  /** Officer who released or refused after a not-conform control; absent for automatic release. */
  decidedBy?: string;
  /** False when released on a guarantee or deferment: the debt is not yet paid (CDS code 08). */
  debtFinal?: boolean;
  /** The guarantee/deferment account debited to secure the debt, and by how much. */
  account?: { id: string; kind: SecurityAccountKind; debited: string };
}

/** An officer's decision on a declaration held after a not-conform control (release's API). */
export interface OfficerDecisionPayload {
  decision: 'release' | 'refuse';
  grounds: string[];
  officerId: string;
}
