import { HeldRelease, HoldReason, ReleaseRequirement, ValuedPayload } from '@customs/contracts';
import { Account, accountStanding, AccountStanding } from './account.model';
import { money, moneyString } from './money.model';
import {
  ControlKind,
  RecordedOfficerDecision,
  RecordedPayment,
  ReleaseContext,
  ReleaseState,
} from './release-state.model';

/** Valuation alerts that add a documentary check whatever the lane. */
export const DOCUMENTARY_CHECK_ALERTS: readonly string[] = ['UNDERVALUATION', 'OFFICER_REVIEW'];

/** Canonical order of `waitingFor`, so equal sets compare equal. */
export const REQUIREMENT_ORDER: readonly ReleaseRequirement[] = [
  'documentary-check',
  'physical-inspection',
  'officer-decision',
  'payment',
];

const CONTROL_ORDER: readonly ControlKind[] = ['documentary-check', 'physical-inspection'];

/**
 * Controls a declaration needs before release (ASYCUDA practice): green and blue none,
 * yellow documents, red documents and goods; a valuation alert asking for review adds a
 * documentary check to any lane.
 */
export function requiredControls(valued: ValuedPayload): ControlKind[] {
  const needed = new Set<ControlKind>();
  const channel = valued.risk.channel;
  if (channel === 'yellow' || channel === 'red') needed.add('documentary-check');
  if (channel === 'red') needed.add('physical-inspection');
  if (valued.valuation.alerts.some((a) => DOCUMENTARY_CHECK_ALERTS.includes(a.code))) {
    needed.add('documentary-check');
  }
  return CONTROL_ORDER.filter((c) => needed.has(c));
}

/** Id of the one debit a declaration can ask of its account: stable across replays. */
export function securityDebitEventId(mrn: string): string {
  return `release/${mrn}/debit`;
}

export function settlementCreditEventId(mrn: string, inputEventId: string): string {
  return `release/${mrn}/credit/${inputEventId}`;
}

export interface SecurityAssessment {
  secured: boolean;
  securedBy?: 'payment' | 'guarantee';
  /** True when paid (or nothing to pay), false when only secured. */
  debtFinal?: boolean;
  /** The amount to debit from the declaration's account, when the account secures it. */
  debit?: { account: Account; amount: string };
  reasons: HoldReason[];
  account?: HeldRelease['account'];
  /**
   * How the declarant stands to the named account, when it is known: only a holder's own
   * notification may carry the account's figures.
   */
  standing?: AccountStanding;
}

const byEventId = <T extends { eventId: string }>(a: T, b: T) =>
  a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;

/**
 * Are the duties paid or secured? A function of the set of payments (order never matters):
 * zero duty counts as paid; payments covering the total release as paid; payments plus
 * lodged guarantees covering it release as secured; otherwise the account named by the
 * declaration's guaranteeReference secures the rest if its balance allows. Payments and
 * guarantees in another currency than the duties are not counted (no conversion here).
 */
export function assessSecurity(
  valued: ValuedPayload,
  payments: readonly RecordedPayment[],
  ctx: ReleaseContext,
): SecurityAssessment {
  const currency = valued.valuation.currency;
  const total = money(valued.valuation.totalToPay);
  if (total.isZero()) return { secured: true, securedBy: 'payment', debtFinal: true, reasons: [] };
  const sum = (kind: 'payment' | 'guarantee') =>
    payments
      .filter((p) => p.kind === kind && p.currency === currency)
      .reduce((acc, p) => acc.plus(money(p.amount)), money('0'));
  const paid = sum('payment');
  if (paid.gte(total)) return { secured: true, securedBy: 'payment', debtFinal: true, reasons: [] };
  const covered = paid.plus(sum('guarantee'));
  if (covered.gte(total)) {
    return { secured: true, securedBy: 'guarantee', debtFinal: false, reasons: [] };
  }
  const reference = valued.declaration.guaranteeReference;
  if (!reference) return { secured: false, reasons: [] };
  const account = ctx.accounts?.[reference];
  if (!account) return { secured: false, reasons: ['account-not-found'] };
  // Authorisation before anything else about the account: a foreign account's currency or
  // balance is none of this declarant's business, and is never debited.
  const standing = accountStanding(account, valued.declaration.declarant?.id ?? '');
  if (standing === 'foreign') return { secured: false, reasons: ['guarantee-not-authorised'] };
  if (account.currency !== currency)
    return { secured: false, reasons: ['account-currency-mismatch'], standing };
  const outstanding = total.minus(covered);
  // After a crash the service may already have applied this very debit: count it as ours.
  const alreadyDebited = account.appliedEventIds.includes(
    securityDebitEventId(valued.acceptance.mrn),
  );
  const available = alreadyDebited
    ? money(account.balance).plus(outstanding)
    : money(account.balance);
  if (available.gte(outstanding)) {
    return {
      secured: true,
      securedBy: 'guarantee',
      debtFinal: false,
      debit: { account, amount: moneyString(outstanding) },
      reasons: [],
      standing,
    };
  }
  return {
    secured: false,
    reasons: ['insufficient-balance'],
    account: {
      id: account.id,
      kind: account.kind,
      required: moneyString(outstanding),
      available: moneyString(available),
    },
    standing,
  };
}

export type ReleaseEvaluation =
  | { verdict: 'refuse'; grounds: string[]; decidedBy: string }
  | { verdict: 'release'; grounds: string[]; decidedBy?: string; security: SecurityAssessment }
  | {
      verdict: 'hold';
      waitingFor: ReleaseRequirement[];
      reasons: HoldReason[];
      account?: HeldRelease['account'];
      standing?: AccountStanding;
    };

/** Refuse wins over release, then the lowest event id: the same set always picks the same one. */
function effectiveOfficerDecision(
  decisions: readonly RecordedOfficerDecision[],
): RecordedOfficerDecision | undefined {
  const sorted = [...decisions].sort(byEventId);
  return sorted.find((d) => d.decision === 'refuse') ?? sorted[0];
}

/**
 * The decision the facts in hand call for, as a function of the *set* of inputs recorded:
 * arrival order never enters, which is what makes release order-independent.
 *
 * - Each control the lane (or a valuation alert) requires must have a result; one not yet
 *   performed is waited for by name.
 * - Any not-conform result (required control or not) needs an officer decision. An officer
 *   decision counts only once a not-conform result is there (it may arrive first: it is
 *   kept). Refuse ends it at once, on the officer's grounds. Release lifts the findings;
 *   the lane's controls not yet performed and the duties are still waited for.
 * - The duties must be paid or secured.
 *
 * Grounds are built from the set too (the officer's grounds, the required controls'
 * results), never from what happened to be in hand first.
 */
export function evaluateRelease(state: ReleaseState, ctx: ReleaseContext): ReleaseEvaluation {
  if (!state.valued) throw new Error('evaluateRelease needs a valued declaration');
  const valued = state.valued.payload;
  const controls = [...state.controls].sort(byEventId);
  const hasNotConform = controls.some((c) => c.outcome === 'not-conform');
  const officer = hasNotConform ? effectiveOfficerDecision(state.officerDecisions) : undefined;

  if (officer?.decision === 'refuse') {
    return {
      verdict: 'refuse',
      grounds: [...officer.grounds, `refused by officer ${officer.officerId}`],
      decidedBy: officer.officerId,
    };
  }

  const waiting = new Set<ReleaseRequirement>();
  const required = requiredControls(valued);
  for (const control of required) {
    if (!controls.some((c) => c.control === control)) waiting.add(control);
  }
  if (hasNotConform && !officer) waiting.add('officer-decision');
  const security = assessSecurity(valued, state.payments, ctx);
  if (!security.secured) waiting.add('payment');

  if (waiting.size > 0) {
    return {
      verdict: 'hold',
      waitingFor: REQUIREMENT_ORDER.filter((r) => waiting.has(r)),
      reasons: security.secured ? [] : security.reasons,
      ...(security.account && !security.secured ? { account: security.account } : {}),
      ...(security.standing && !security.secured ? { standing: security.standing } : {}),
    };
  }

  const grounds = officer
    ? [...officer.grounds, `released by officer ${officer.officerId} after a not-conform control`]
    : [`channel ${valued.risk.channel}`];
  for (const control of required) {
    // With a not-conform result for this control, that is the one to cite; else the first conform.
    const result =
      controls.find((c) => c.control === control && c.outcome === 'not-conform') ??
      controls.find((c) => c.control === control)!;
    grounds.push(
      `${control} ${result.outcome === 'conform' ? 'conform' : 'not conform'} (officer ${result.officerId})${result.findings ? `: ${result.findings}` : ''}`,
    );
  }
  return {
    verdict: 'release',
    grounds,
    ...(officer ? { decidedBy: officer.officerId } : {}),
    security,
  };
}
