import fc from 'fast-check';
import { CHANNELS } from '@customs/contracts';
import { Account, AccountMovement, applyAccountMovement } from './account.model';
import { money, moneyString } from './money.model';
import { applyReleaseInput } from './release.engine';
import { requiredControls } from './release-requirements.rules';
import { ReleaseInput, ReleaseState } from './release-state.model';
import { account, control, officer, payment, valued, valuedPayload } from './release-test.fixtures';

/**
 * Order independence: whatever order the inputs of one declaration arrive in, and however
 * often each is redelivered, the final outcome is the same and the accounts end the same.
 *
 * The input sets are the coherent ones the pipeline produces: one valued event, at most one
 * result per control the lane requires, at most one officer decision. (A second, contrary
 * result for the same control, or a not-conform result on a control the lane did not ask
 * for, can legitimately race a release: once the goods have left, a later finding goes to
 * post-clearance audit, not back to the border.)
 *
 * What "the same" covers: status, what is waited for and why, grounds, post-clearance audit
 * flag, deciding officer; the net movement on each account and its final balance. Not the
 * exact list of movements nor `securedBy`: a payment that arrives before the release means
 * the account is never touched (released as paid), one that arrives after means the account
 * is debited at release and credited back. Both net to the same, which is what the account
 * holder and the auditor see.
 */

const ACCOUNT_ID = 'DAN-7654321';
type Result = 'conform' | 'not-conform';

const scenario = fc
  .record({
    hasValued: fc.constantFrom(true, true, true, false),
    channel: fc.constantFrom(...CHANNELS),
    alert: fc.constantFrom(null, null, 'UNDERVALUATION', 'OFFICER_REVIEW', 'ROUNDING'),
    total: fc.constantFrom('0', '100.00', '250.50'),
    account: fc.option(
      fc.record({
        kind: fc.constantFrom<Account['kind']>('guarantee', 'deferment'),
        balance: fc.constantFrom('0', '50.00', '100.00', '1000'),
      }),
    ),
    doc: fc.constantFrom<Result | null>(null, 'conform', 'not-conform'),
    phys: fc.constantFrom<Result | null>(null, 'conform', 'not-conform'),
    officer: fc.constantFrom<'release' | 'refuse' | null>(null, 'release', 'refuse'),
    payments: fc.array(
      fc.record({
        kind: fc.constantFrom<'payment' | 'guarantee'>('payment', 'payment', 'guarantee'),
        amount: fc.constantFrom('10.00', '50.00', '100.00', '250.50'),
        currency: fc.constantFrom('EUR', 'EUR', 'EUR', 'USD'),
      }),
      { maxLength: 3 },
    ),
  })
  .map((s) => {
    const inputs: ReleaseInput[] = [];
    const v = valued('v1', {
      channel: s.channel,
      totalToPay: s.total,
      alerts: s.alert ? [s.alert] : [],
      ...(s.account ? { guaranteeReference: ACCOUNT_ID } : {}),
    });
    if (s.hasValued) inputs.push(v);
    const required = requiredControls(
      valuedPayload({ channel: s.channel, alerts: s.alert ? [s.alert] : [] }),
    );
    if (s.doc && required.includes('documentary-check')) {
      inputs.push(control('c-doc', 'documentary-check', s.doc));
    }
    if (s.phys && required.includes('physical-inspection')) {
      inputs.push(control('c-phys', 'physical-inspection', s.phys));
    }
    if (s.officer) inputs.push(officer('o1', s.officer, ['officer grounds']));
    s.payments.forEach((p, i) => inputs.push(payment(`p${i}`, p.amount, p.kind, p.currency)));
    const ledger: Record<string, Account> = s.account
      ? { [ACCOUNT_ID]: account(s.account.balance, s.account.kind, ACCOUNT_ID) }
      : {};
    return { inputs, ledger };
  })
  .chain(({ inputs, ledger }) =>
    fc.subarray(inputs).chain((dupes) => {
      const delivered = [...inputs, ...dupes];
      const permutation = fc.shuffledSubarray(delivered, {
        minLength: delivered.length,
        maxLength: delivered.length,
      });
      return fc.record({
        ledger: fc.constant(ledger),
        a: permutation,
        b: permutation,
      });
    }),
  );

/** Runs the reducer as the service would: the account store is read before, updated after each input. */
function simulate(inputs: ReleaseInput[], initialLedger: Record<string, Account>) {
  const ledger = structuredClone(initialLedger);
  let state: ReleaseState | undefined;
  const movements: AccountMovement[] = [];
  const outcomes: string[] = [];
  const discriminators: string[] = [];
  for (const input of inputs) {
    const step = applyReleaseInput(state, input, { accounts: ledger });
    state = step.state;
    for (const m of step.accountMovements) {
      const r = applyAccountMovement(ledger[m.accountId], m);
      if (r.outcome !== 'applied') throw new Error(`movement ${m.eventId}: ${r.outcome}`);
      ledger[m.accountId] = r.account;
      movements.push(m);
    }
    outcomes.push(...step.decisions.map((d) => d.outcome));
    discriminators.push(...step.notifications.map((n) => n.discriminator));
  }
  return { state, ledger, movements, outcomes, discriminators };
}

function net(movements: AccountMovement[]): Record<string, string> {
  const sums: Record<string, string> = {};
  for (const m of movements) {
    const signed = money(m.amount).times(m.kind === 'debit' ? -1 : 1);
    sums[m.accountId] = moneyString(money(sums[m.accountId] ?? '0').plus(signed));
  }
  // An account debited and credited back nets to zero, the same as one never touched.
  return Object.fromEntries(Object.entries(sums).filter(([, v]) => !money(v).isZero()));
}

function summary(state: ReleaseState | undefined) {
  if (!state) return null; // nothing delivered at all
  return {
    status: state.status,
    waitingFor: state.waitingFor,
    holdReasons: state.holdReasons,
    decision: state.decision && {
      status: state.decision.status,
      grounds: state.decision.grounds,
      postClearanceAudit: state.decision.postClearanceAudit,
      decidedBy: state.decision.decidedBy,
    },
  };
}

describe('release: order independence (property)', () => {
  it('any permutation, with redeliveries, gives the same outcome and the same account effect', () => {
    fc.assert(
      fc.property(scenario, ({ ledger, a, b }) => {
        const ra = simulate(a, ledger);
        const rb = simulate(b, ledger);
        expect(summary(rb.state)).toEqual(summary(ra.state));
        expect(net(rb.movements)).toEqual(net(ra.movements));
        // Balances compared by value: '100.00' untouched equals '100' debited and credited back.
        const balances = (l: Record<string, Account>) =>
          Object.values(l).map((x) => moneyString(money(x.balance)));
        expect(balances(rb.ledger)).toEqual(balances(ra.ledger));
        for (const r of [ra, rb]) {
          // One final decision at most, always last; no notification twice.
          const finals = r.outcomes.filter((o) => o !== 'held');
          expect(finals.length).toBeLessThanOrEqual(1);
          if (finals.length === 1) expect(r.outcomes.at(-1)).toBe(finals[0]);
          expect(new Set(r.discriminators).size).toBe(r.discriminators.length);
          // Never more than one debit; credits never exceed it.
          expect(r.movements.filter((m) => m.kind === 'debit').length).toBeLessThanOrEqual(1);
          expect(money(net(r.movements)[ACCOUNT_ID] ?? '0').lte(0)).toBe(true);
        }
      }),
      { numRuns: 400, seed: 20240301 },
    );
  });

  it('the same sequence twice gives exactly the same outputs (determinism)', () => {
    fc.assert(
      fc.property(scenario, ({ ledger, a }) => {
        expect(simulate(a, ledger)).toEqual(simulate(a, ledger));
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});
