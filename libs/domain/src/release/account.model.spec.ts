import { Account, accountStanding, applyAccountMovement, credit, debit } from './account.model';
import { InsufficientBalanceError, InvalidAmountError } from './release.errors';

const account = (balance: string, kind: Account['kind'] = 'deferment'): Account => ({
  id: 'DAN-1234567',
  kind,
  balance,
  currency: 'EUR',
  appliedEventIds: [],
  holder: 'NL100000001',
  authorisedDeclarants: ['NL900000001'],
});

describe('Account debit and credit', () => {
  it('debits and credits with exact decimals', () => {
    const a = debit(account('0.3'), '0.1', 'e1');
    expect(a.outcome).toBe('applied');
    expect(a.account.balance).toBe('0.2'); // 0.3 - 0.1 in binary floating point is 0.19999999999999998
    const b = credit(a.account, '1000000000000.01', 'e2');
    expect(b.account.balance).toBe('1000000000000.21');
    expect(b.account.appliedEventIds).toEqual(['e1', 'e2']);
  });

  it('never applies the same event id twice', () => {
    const once = debit(account('100'), '40', 'e1').account;
    const twice = debit(once, '40', 'e1');
    expect(twice.outcome).toBe('duplicate');
    expect(twice.account).toBe(once);
    expect(twice.account.balance).toBe('60');
    // A credit reusing a debit's id is a duplicate too: one id, one movement.
    expect(credit(once, '40', 'e1').outcome).toBe('duplicate');
  });

  it('refuses a debit beyond the balance and leaves the account unchanged', () => {
    const start = account('99.99');
    const r = debit(start, '100.00', 'e1');
    expect(r.outcome).toBe('refused');
    expect(r.account).toBe(start);
    if (r.outcome === 'refused') {
      expect(r.error).toBeInstanceOf(InsufficientBalanceError);
      expect(r.error.code).toBe('INSUFFICIENT_BALANCE');
    }
    // The refused id is not burnt: the same movement may succeed once the balance allows.
    const topped = credit(start, '0.01', 'e0').account;
    expect(debit(topped, '100.00', 'e1').account.balance).toBe('0');
  });

  it('refuses zero, negative and malformed amounts', () => {
    for (const amount of ['0', '0.00', '-1', '1e3', 'abc', '']) {
      const r = credit(account('1'), amount, 'e1');
      expect(r.outcome).toBe('refused');
      if (r.outcome === 'refused') expect(r.error).toBeInstanceOf(InvalidAmountError);
    }
  });

  it('applies reducer movements only to the right account and currency', () => {
    const a = account('10');
    const movement = {
      accountId: a.id,
      kind: 'debit' as const,
      amount: '4',
      currency: 'EUR',
      eventId: 'm1',
    };
    expect(applyAccountMovement(a, movement).account.balance).toBe('6');
    expect(applyAccountMovement(a, { ...movement, accountId: 'OTHER' }).outcome).toBe('refused');
    expect(applyAccountMovement(a, { ...movement, currency: 'GBP' }).outcome).toBe('refused');
    expect(applyAccountMovement(a, { ...movement, kind: 'credit' }).account.balance).toBe('14');
  });
});

describe('who may secure a declaration on an account', () => {
  it('its holder, and the declarants the holder authorised', () => {
    expect(accountStanding(account('1'), 'NL100000001')).toBe('holder');
    expect(accountStanding(account('1'), 'NL900000001')).toBe('authorised');
  });

  it('nobody else, and nobody at all on an account without a holder', () => {
    expect(accountStanding(account('1'), 'NL100000002')).toBe('foreign');
    expect(accountStanding(account('1'), '')).toBe('foreign');
    const ownerless = { ...account('1'), holder: '', authorisedDeclarants: [] };
    expect(accountStanding(ownerless, '')).toBe('foreign');
    expect(accountStanding(ownerless, 'NL100000001')).toBe('foreign');
  });

  it('the insufficient-balance error names neither the balance nor the amount', () => {
    const r = debit(account('99.99'), '100.00', 'e1');
    if (r.outcome !== 'refused') throw new Error('expected a refusal');
    expect(r.error.message).not.toMatch(/99\.99|100\.00/);
    expect(r.error).toMatchObject({ balance: '99.99', requested: '100.00' });
  });
});
