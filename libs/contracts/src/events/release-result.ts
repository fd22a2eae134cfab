/** What release adds to a declaration (held and released events' `release`). */
export type ReleaseRequirement = 'payment' | 'documentary-check' | 'physical-inspection';

export interface HeldRelease {
  status: 'held';
  waitingFor: ReleaseRequirement[];
  postClearanceAudit: boolean;
}

export interface ReleaseDecision {
  status: 'released' | 'refused';
  grounds: string[];
  postClearanceAudit: boolean;
  securedBy?: 'payment' | 'guarantee';
}
