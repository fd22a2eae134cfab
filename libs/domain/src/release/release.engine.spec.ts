import { derivedEventId } from '@customs/contracts';
import { Account } from './account.model';
import { InvalidReleaseInputError, MrnMismatchError } from './release.errors';
import {
  applyReleaseInput,
  pendingControls,
  releaseEventPayload,
  timeline,
} from './release.engine';
import { ReleaseContext, ReleaseInput, ReleaseState, ReleaseStep } from './release-state.model';
import {
  account,
  control,
  MRN,
  officer,
  payment,
  valued,
  valuedPayload,
} from './release-test.fixtures';

/** Folds inputs through the reducer, collecting every output. */
function run(inputs: ReleaseInput[], ctx: ReleaseContext = {}, start?: ReleaseState) {
  let state = start;
  const steps: ReleaseStep[] = [];
  for (const input of inputs) {
    const step = applyReleaseInput(state, input, ctx);
    steps.push(step);
    state = step.state;
  }
  return {
    state: state!,
    steps,
    decisions: steps.flatMap((s) => s.decisions),
    movements: steps.flatMap((s) => s.accountMovements),
    notifications: steps.flatMap((s) => s.notifications),
  };
}

const outcomes = (r: ReturnType<typeof run>) =>
  r.decisions.map((d) =>
    d.outcome === 'held' ? `held:${d.release.waitingFor.join('+')}` : d.outcome,
  );
const codes = (r: ReturnType<typeof run>) => [
  ...new Set(r.notifications.map((n) => n.payload.code)),
];
const accounts = (...list: Account[]): ReleaseContext => ({
  accounts: Object.fromEntries(list.map((a) => [a.id, a])),
});

describe('release: green lane and money', () => {
  it('holds for payment, then releases once paid (09 cleared)', () => {
    const r = run([valued('v1'), payment('p1', '100.00')]);
    expect(outcomes(r)).toEqual(['held:payment', 'released']);
    expect(r.state.status).toBe('released');
    expect(r.state.decision).toEqual({
      status: 'released',
      grounds: ['channel green'],
      postClearanceAudit: false,
      securedBy: 'payment',
      debtFinal: true,
    });
    expect(r.notifications.map((n) => n.payload.code)).toEqual(['51', '51', '09', '09']);
    expect(r.movements).toEqual([]);
  });

  it('releases at once when the duty is zero', () => {
    const r = run([valued('v1', { totalToPay: '0.00' })]);
    expect(outcomes(r)).toEqual(['released']);
    expect(r.state.decision?.securedBy).toBe('payment');
  });

  it('adds partial payments up', () => {
    const r = run([valued('v1'), payment('p1', '60.00'), payment('p2', '40.00')]);
    // The partial payment changes nothing waited for: no second hold.
    expect(outcomes(r)).toEqual(['held:payment', 'released']);
  });

  it('keeps a payment that arrives before the valued event and releases straight away', () => {
    const r = run([payment('p1', '100.00'), valued('v1')]);
    expect(r.steps[0].decisions).toEqual([]);
    expect(r.steps[0].state.status).toBe('awaiting-valuation');
    expect(timeline(r.steps[0].state)[0]).toMatchObject({
      eventId: 'p1',
      effect: 'kept-until-valued',
    });
    expect(outcomes(r)).toEqual(['released']);
    expect(r.decisions[0].causationEventId).toBe('v1');
  });

  it('does not count a payment in another currency', () => {
    const r = run([valued('v1'), payment('p1', '100.00', 'payment', 'USD')]);
    expect(outcomes(r)).toEqual(['held:payment']);
  });

  it('releases on a lodged guarantee with the debt not final (08)', () => {
    const r = run([valued('v1'), payment('g1', '100.00', 'guarantee')]);
    expect(outcomes(r)).toEqual(['held:payment', 'released']);
    expect(r.state.decision).toMatchObject({ securedBy: 'guarantee', debtFinal: false });
    expect(codes(r)).toEqual(['51', '08']);
  });

  it('blue: released like green, flagged for post-clearance audit', () => {
    const r = run([valued('v1', { channel: 'blue' }), payment('p1', '100.00')]);
    expect(outcomes(r)).toEqual(['held:payment', 'released']);
    expect(r.decisions[0].release.postClearanceAudit).toBe(true);
    expect(r.state.decision?.postClearanceAudit).toBe(true);
    expect(r.notifications.at(-1)?.payload.text).toMatch(/post-clearance audit/);
  });
});

describe('release: deferment and guarantee accounts', () => {
  const dan = account('500.00', 'deferment');

  it('releases on a deferment account with enough balance and debits the duty (08)', () => {
    const r = run([valued('v1', { guaranteeReference: dan.id })], accounts(dan));
    expect(outcomes(r)).toEqual(['released']);
    expect(r.state.decision).toMatchObject({
      securedBy: 'guarantee',
      debtFinal: false,
      account: { id: dan.id, kind: 'deferment', debited: '100' },
    });
    expect(r.movements).toEqual([
      {
        accountId: dan.id,
        kind: 'debit',
        amount: '100',
        currency: 'EUR',
        eventId: `release/${MRN}/debit`,
      },
    ]);
    expect(codes(r)).toEqual(['08']);
  });

  it('debits only what payments and guarantees have not covered', () => {
    const r = run(
      [
        payment('p1', '30.00'),
        payment('g1', '20.00', 'guarantee'),
        valued('v1', { guaranteeReference: dan.id }),
      ],
      accounts(dan),
    );
    expect(r.movements.map((m) => `${m.kind}:${m.amount}`)).toEqual(['debit:50']);
  });

  it('a later payment credits the account back, never more than was debited', () => {
    const r = run(
      [
        valued('v1', { guaranteeReference: dan.id }),
        payment('p1', '70.00'),
        payment('p1', '70.00'), // redelivered
        payment('p2', '70.00'),
        payment('p3', '5.00'),
      ],
      accounts(dan),
    );
    expect(r.movements.map((m) => `${m.kind}:${m.amount}:${m.eventId}`)).toEqual([
      `debit:100:release/${MRN}/debit`,
      `credit:70:release/${MRN}/credit/p1`,
      `credit:30:release/${MRN}/credit/p2`,
    ]);
    expect(r.state.securingAccount).toMatchObject({ debited: '100', credited: '100' });
    expect(r.state.ignoredAfterFinal).toBe(1); // p3: nothing left to discharge
    expect(outcomes(r)).toEqual(['released']); // settlements are not decisions
    expect(r.notifications).toHaveLength(2);
  });

  it('holds with insufficient balance on a deferment account (14), then releases on payment', () => {
    const poor = account('40.00', 'deferment');
    const r = run(
      [valued('v1', { guaranteeReference: poor.id }), payment('p1', '100.00')],
      accounts(poor),
    );
    expect(outcomes(r)).toEqual(['held:payment', 'released']);
    expect(r.decisions[0].release).toMatchObject({
      status: 'held',
      reasons: ['insufficient-balance'],
      account: { id: poor.id, kind: 'deferment', required: '100', available: '40' },
    });
    expect(codes(r)).toEqual(['14', '09']);
    expect(r.state.decision?.securedBy).toBe('payment');
    expect(r.movements).toEqual([]);
  });

  it('a partial payment can bring the need within the balance: the account secures the rest', () => {
    const poor = account('40.00', 'guarantee');
    const r = run(
      [valued('v1', { guaranteeReference: poor.id }), payment('p1', '60.00')],
      accounts(poor),
    );
    expect(codes(r)).toEqual(['15', '08']); // 15: guarantee account
    expect(r.movements.map((m) => `${m.kind}:${m.amount}`)).toEqual(['debit:40']);
  });

  it('holds when the named account is unknown or in another currency (54)', () => {
    const unknown = run([valued('v1', { guaranteeReference: 'NOPE' })], accounts(dan));
    expect(unknown.state.holdReasons).toEqual(['account-not-found']);
    const gbp = account('500', 'deferment', 'DAN-GBP', 'GBP');
    const mismatch = run([valued('v1', { guaranteeReference: gbp.id })], accounts(gbp));
    expect(mismatch.state.holdReasons).toEqual(['account-currency-mismatch']);
    expect(codes(unknown)).toEqual(['54']);
  });

  it('after a crash between applying the debit and saving the state, the replay still releases', () => {
    // The store already holds our debit (balance 100 -> 0): the same debit id must not count against us.
    const drained: Account = { ...account('0.00'), appliedEventIds: [`release/${MRN}/debit`] };
    const ctx = accounts({ ...drained, id: 'DAN-7654321' });
    const r = run([valued('v1', { guaranteeReference: 'DAN-7654321' })], ctx);
    expect(outcomes(r)).toEqual(['released']);
    expect(r.movements[0].eventId).toBe(`release/${MRN}/debit`);
  });
});

describe('release: controls', () => {
  it('yellow waits for a conform documentary check and payment (06, then 51)', () => {
    const r = run([
      valued('v1', { channel: 'yellow' }),
      control('c1', 'documentary-check'),
      payment('p1', '100'),
    ]);
    expect(outcomes(r)).toEqual(['held:documentary-check+payment', 'held:payment', 'released']);
    expect(codes(r)).toEqual(['06', '51', '09']);
    expect(r.state.decision?.grounds).toEqual([
      'channel yellow',
      'documentary-check conform (officer OFF-7)',
    ]);
  });

  it('red waits for documents and inspection (05), in whatever order they come', () => {
    const r = run([
      valued('v1', { channel: 'red' }),
      payment('p1', '100'),
      control('c2', 'physical-inspection'),
      control('c1', 'documentary-check'),
    ]);
    expect(outcomes(r)).toEqual([
      'held:documentary-check+physical-inspection+payment',
      'held:documentary-check+physical-inspection',
      'held:documentary-check',
      'released',
    ]);
    expect(r.notifications[0].payload.code).toBe('05');
  });

  it('a control result before the valued event is kept and counted', () => {
    const r = run([
      control('c1', 'documentary-check'),
      payment('p1', '100'),
      valued('v1', { channel: 'yellow' }),
    ]);
    expect(
      r.steps[0].state.timeline[0].entry === 'input' && r.steps[0].state.timeline[0].effect,
    ).toBe('kept-until-valued');
    expect(outcomes(r)).toEqual(['released']);
  });

  it.each(['UNDERVALUATION', 'OFFICER_REVIEW'])(
    'a %s alert adds a documentary check to green',
    (code) => {
      const r = run([valued('v1', { alerts: [code] }), payment('p1', '100')]);
      expect(outcomes(r)).toEqual(['held:documentary-check+payment', 'held:documentary-check']);
      expect(pendingControls(r.state)).toEqual(['documentary-check']);
    },
  );

  it('other alerts add nothing', () => {
    expect(outcomes(run([valued('v1', { alerts: ['ROUNDING'] }), payment('p1', '100')]))).toEqual([
      'held:payment',
      'released',
    ]);
  });

  it('a not-conform control holds for an officer (52), who refuses with grounds (53)', () => {
    const r = run([
      valued('v1', { channel: 'yellow' }),
      payment('p1', '100'),
      control('c1', 'documentary-check', 'not-conform', 'invoice does not match'),
      officer('o1', 'refuse', ['goods misdescribed']),
    ]);
    expect(outcomes(r)).toEqual([
      'held:documentary-check+payment',
      'held:documentary-check',
      'held:officer-decision',
      'refused',
    ]);
    expect(r.state.decision).toEqual({
      status: 'refused',
      grounds: ['goods misdescribed', 'refused by officer OFF-9'],
      postClearanceAudit: false,
      decidedBy: 'OFF-9',
    });
    expect(codes(r)).toEqual(['06', '52', '53']);
    expect(pendingControls(r.steps[2].state)).toEqual([]); // the check was done: the officer decides
  });

  it('an officer may release after a not-conform control; other controls and duties still count', () => {
    const r = run([
      valued('v1', { channel: 'red' }),
      control('c1', 'documentary-check', 'not-conform'),
      officer('o1', 'release', ['discrepancy explained']),
      payment('p1', '100'),
      control('c2', 'physical-inspection'),
    ]);
    expect(outcomes(r)).toEqual([
      'held:documentary-check+physical-inspection+payment',
      'held:physical-inspection+officer-decision+payment',
      'held:physical-inspection+payment',
      'held:physical-inspection',
      'released',
    ]);
    expect(r.state.decision).toMatchObject({ status: 'released', decidedBy: 'OFF-9' });
    expect(r.state.decision?.grounds).toEqual([
      'discrepancy explained',
      'released by officer OFF-9 after a not-conform control',
      'documentary-check not conform (officer OFF-7)',
      'physical-inspection conform (officer OFF-7)',
    ]);
  });

  it('an officer decision that arrives before the not-conform result is kept until it is needed', () => {
    const r = run([
      officer('o1', 'refuse', ['prohibited goods']),
      valued('v1', { channel: 'yellow' }),
      payment('p1', '100'),
      control('c1', 'documentary-check', 'not-conform'),
    ]);
    expect(outcomes(r)).toEqual([
      'held:documentary-check+payment',
      'held:documentary-check',
      'refused',
    ]);
  });

  it('an officer decision with no not-conform result decides nothing', () => {
    const r = run([
      valued('v1', { channel: 'yellow' }),
      officer('o1', 'refuse', ['x']),
      control('c1', 'documentary-check'),
      payment('p1', '100'),
    ]);
    expect(outcomes(r)).toEqual(['held:documentary-check+payment', 'held:payment', 'released']);
  });

  it('pendingControls lists the controls still to perform', () => {
    const r = run([valued('v1', { channel: 'red' }), control('c2', 'physical-inspection')]);
    expect(pendingControls(r.state)).toEqual(['documentary-check']);
    expect(pendingControls(run([valued('v1', { channel: 'red' })]).state)).toEqual([
      'documentary-check',
      'physical-inspection',
    ]);
    expect(pendingControls(run([payment('p1', '1')]).state)).toEqual([]);
  });
});

describe('release: idempotency and finality', () => {
  it('a redelivered input changes nothing and emits nothing', () => {
    const first = run([valued('v1', { channel: 'yellow' })]);
    const again = applyReleaseInput(first.state, valued('v1', { channel: 'yellow' }));
    expect(again.state).toBe(first.state);
    expect(again.decisions).toEqual([]);
    expect(again.notifications).toEqual([]);
    const paid = run([valued('v1'), payment('p1', '50'), payment('p1', '50')]);
    expect(outcomes(paid)).toEqual(['held:payment']); // the same 50 counted once
  });

  it('inputs after the final decision change nothing, and the state says so', () => {
    const r = run([
      valued('v1'),
      payment('p1', '100'),
      control('c1', 'documentary-check', 'not-conform'),
      officer('o1', 'refuse', ['late']),
      payment('p2', '100'),
    ]);
    expect(outcomes(r)).toEqual(['held:payment', 'released']);
    expect(r.state.ignoredAfterFinal).toBe(3);
    expect(r.state.decision?.status).toBe('released');
    expect(
      r.steps.slice(2).every((s) => s.decisions.length === 0 && s.notifications.length === 0),
    ).toBe(true);
    expect(
      timeline(r.state)
        .filter((e) => e.entry === 'input')
        .map((e) => e.entry === 'input' && e.effect),
    ).toEqual([
      'applied',
      'applied',
      'ignored-after-final',
      'ignored-after-final',
      'ignored-after-final',
    ]);
  });

  it('a second valued event with another id is ignored when no amendment waits for it', () => {
    const r = run([
      valued('v1', { channel: 'yellow' }),
      valued('v2', { channel: 'green', totalToPay: '0' }),
    ]);
    expect(outcomes(r)).toEqual(['held:documentary-check+payment']);
    expect(r.state.valued?.eventId).toBe('v1');
  });

  it('derives event ids and notification discriminators deterministically', () => {
    const a = run([
      valued('v1', { channel: 'yellow' }),
      control('c1', 'documentary-check'),
      payment('p1', '100'),
    ]);
    const b = run([
      valued('v1', { channel: 'yellow' }),
      control('c1', 'documentary-check'),
      payment('p1', '100'),
    ]);
    expect(b.decisions).toEqual(a.decisions);
    expect(b.notifications).toEqual(a.notifications);
    const d = a.decisions[2];
    expect(d.decisionId).toBe(`${MRN}/release/3`);
    expect(d.eventId).toBe(derivedEventId('p1', 'DeclarationReleased', 'release-3'));
    const discriminators = a.notifications.map((n) => n.discriminator);
    expect(new Set(discriminators).size).toBe(discriminators.length);
    expect(a.notifications.slice(-2).map((n) => [n.payload.recipient, n.discriminator])).toEqual([
      ['FR123456789000', 'release-3/09/declarant'],
      ['FR-BP-CALAIS', 'release-3/09/border-post'],
    ]);
    expect(a.notifications.at(-1)?.payload).toMatchObject({
      mrn: MRN,
      lrn: 'LRN-0001',
      declarantId: 'FR123456789000',
      borderPost: 'FR-BP-CALAIS',
      aboutEventId: d.eventId,
    });
  });

  it('notifies once when the declarant is the border post', () => {
    const r = run([valued('v1', { totalToPay: '0', declarantId: 'X1', borderPost: 'X1' })]);
    expect(r.notifications).toHaveLength(1);
  });

  it('the timeline lists inputs and outcomes with their ids', () => {
    const r = run([
      payment('p1', '100', 'payment'),
      { ...valued('v1', { channel: 'yellow' }), occurredAt: '2024-03-01T10:00:00Z' },
    ]);
    expect(timeline(r.state)).toEqual([
      { entry: 'input', eventId: 'p1', inputType: 'payment', effect: 'kept-until-valued' },
      {
        entry: 'input',
        eventId: 'v1',
        inputType: 'valued',
        effect: 'applied',
        occurredAt: '2024-03-01T10:00:00Z',
      },
      {
        entry: 'outcome',
        decisionId: `${MRN}/release/1`,
        eventId: r.decisions[0].eventId,
        outcome: 'held',
        causationEventId: 'v1',
        waitingFor: ['documentary-check'],
      },
    ]);
  });

  it('the state is plain JSON', () => {
    const r = run([valued('v1', { channel: 'red' }), payment('p1', '100')]);
    expect(JSON.parse(JSON.stringify(r.state))).toEqual(r.state);
  });

  it('builds the event payload: the valued declaration plus release', () => {
    const v = valuedPayload();
    const r = run([valued('v1')]);
    const payload = releaseEventPayload(v, r.decisions[0]);
    expect(payload.release).toEqual(r.decisions[0].release);
    expect(payload.valuation).toBe(v.valuation);
  });
});

describe('release: invalid inputs', () => {
  it('refuses malformed inputs with a domain error', () => {
    expect(() => run([payment('p1', '-5')])).toThrow(InvalidReleaseInputError);
    expect(() => run([payment('', '5')])).toThrow(InvalidReleaseInputError);
    expect(() => run([officer('o1', 'refuse', [])])).toThrow(/needs grounds/);
    expect(() => run([valued('v1', { totalToPay: '1e3' })])).toThrow(InvalidReleaseInputError);
  });

  it('refuses an input for another MRN', () => {
    const r = run([valued('v1')]);
    expect(() =>
      applyReleaseInput(r.state, { ...payment('p1', '1'), mrn: '24FR000000000002A1' }),
    ).toThrow(MrnMismatchError);
  });
});

describe('release: whose account may secure the duties', () => {
  const foreign = account('500.00', 'guarantee', 'GUA-OTHER', 'EUR', 'NL100000007');
  const texts = (r: ReturnType<typeof run>) =>
    Object.fromEntries(r.notifications.map((n) => [n.payload.recipientKind, n.payload.text]));

  it("never debits another trader's account: held for payment, told it may not be used (54)", () => {
    const r = run([valued('v1', { guaranteeReference: foreign.id })], accounts(foreign));
    expect(outcomes(r)).toEqual(['held:payment']);
    expect(r.decisions[0].release).toEqual({
      status: 'held',
      waitingFor: ['payment'],
      postClearanceAudit: false,
      reasons: ['guarantee-not-authorised'],
    });
    expect(r.movements).toEqual([]);
    expect(codes(r)).toEqual(['54']);
    for (const n of r.notifications) {
      expect(n.payload.text).toMatch(/may not be used by this declarant/);
      expect(n.payload.text).not.toMatch(/500/);
    }
  });

  it('does not even look at a foreign account when its balance is short or its currency other', () => {
    const poor = account('1.00', 'deferment', 'DAN-OTHER', 'EUR', 'NL100000007');
    const gbp = account('500', 'deferment', 'DAN-OTHER-GBP', 'GBP', 'NL100000007');
    for (const a of [poor, gbp]) {
      const r = run([valued('v1', { guaranteeReference: a.id })], accounts(a));
      expect(r.state.holdReasons).toEqual(['guarantee-not-authorised']);
      expect(r.decisions[0].release).not.toHaveProperty('account');
      expect(codes(r)).toEqual(['54']);
    }
  });

  it('a payment still releases it, and the foreign account stays untouched', () => {
    const r = run(
      [valued('v1', { guaranteeReference: foreign.id }), payment('p1', '100.00')],
      accounts(foreign),
    );
    expect(outcomes(r)).toEqual(['held:payment', 'released']);
    expect(r.state.decision?.securedBy).toBe('payment');
    expect(r.movements).toEqual([]);
  });

  it('releases on the account of the trader a representative is authorised for', () => {
    const agent = 'NL900000001';
    const principal = account('500.00', 'guarantee', 'GUA-PRINCIPAL', 'EUR', 'NL100000001', [
      agent,
    ]);
    const r = run(
      [valued('v1', { guaranteeReference: principal.id, declarantId: agent })],
      accounts(principal),
    );
    expect(outcomes(r)).toEqual(['released']);
    expect(r.movements.map((m) => `${m.accountId}:${m.kind}:${m.amount}`)).toEqual([
      'GUA-PRINCIPAL:debit:100',
    ]);
    // Another declarant, not on the list, is refused the same account.
    const other = run(
      [valued('v1', { guaranteeReference: principal.id, declarantId: 'NL900000002' })],
      accounts(principal),
    );
    expect(other.state.holdReasons).toEqual(['guarantee-not-authorised']);
  });

  it("shows an account's figures to its holder only: the border post is told the balance is short", () => {
    const poor = account('40.00', 'deferment');
    const r = run([valued('v1', { guaranteeReference: poor.id })], accounts(poor));
    expect(codes(r)).toEqual(['14']);
    const t = texts(r);
    expect(t.declarant).toMatch(/has 40(\.00)?, needs 100/);
    expect(t['border-post']).toMatch(/insufficient balance on deferment account DAN-7654321/);
    expect(t['border-post']).not.toMatch(/has 40|needs/);
    // The held event, which partners do not read, keeps the figures for the auditor.
    expect(r.decisions[0].release).toMatchObject({
      account: { required: '100', available: '40' },
    });
  });

  it('a representative is told the balance is short, not what it is', () => {
    const agent = 'NL900000001';
    const poor = account('40.00', 'guarantee', 'GUA-P', 'EUR', 'NL100000001', [agent]);
    const r = run(
      [valued('v1', { guaranteeReference: poor.id, declarantId: agent })],
      accounts(poor),
    );
    expect(codes(r)).toEqual(['15']);
    for (const n of r.notifications) {
      expect(n.payload.text).toMatch(/insufficient balance on guarantee account GUA-P/);
      expect(n.payload.text).not.toMatch(/has 40|needs/);
    }
  });

  it('types every notification recipient: the declarant, and the border post unless the same', () => {
    const r = run([valued('v1')]);
    expect(r.notifications.map((n) => [n.payload.recipientKind, n.payload.recipient])).toEqual([
      ['declarant', 'FR123456789000'],
      ['border-post', 'FR-BP-CALAIS'],
    ]);
    const same = run([valued('v1', { declarantId: 'X1', borderPost: 'X1' })]);
    expect(same.notifications.map((n) => n.payload.recipientKind)).toEqual(['declarant']);
  });
});
