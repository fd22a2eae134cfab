import { TOPICS } from '@customs/contracts';
import { creditRecord, openingRecord } from '../accounts/account-events.builder';
import { AccountLedger, ReplayEvent } from './replay.runner';

const at = (n: number) => `2026-01-0${n}T00:00:00.000Z`;
const opening = (id: string, balance: string, when: string) =>
  openingRecord(
    {
      accountId: id,
      holder: 'NL100000001',
      kind: 'guarantee',
      currency: 'EUR',
      openingBalance: balance,
      authorisedDeclarants: ['NL900000001'],
    },
    when,
  ).value;
const logged = (value: ReplayEvent['event'], offset: number): ReplayEvent => ({
  role: 'accounts',
  topic: TOPICS.accounts,
  partition: 0,
  offset: String(offset),
  event: value,
});

describe('audit replay: balances from the accounts log', () => {
  const ledger = AccountLedger.fromAccountEvents([
    logged(opening('GUA-1', '100.00', at(2)), 0),
    logged(creditRecord({ accountId: 'GUA-1', amount: '50', reference: 'R1' }, at(4)).value, 1),
    // Written twice: one credit.
    logged(creditRecord({ accountId: 'GUA-1', amount: '50', reference: 'R1' }, at(4)).value, 2),
    // A second opening of the same account changes nothing, as in release's store.
    logged(opening('GUA-1', '999999.00', at(5)), 3),
  ]);

  it('opens each account at its AccountOpened instant, holder and authorisations included', () => {
    expect(ledger.at('GUA-1', at(1), 'M')).toBeUndefined();
    expect(ledger.at('GUA-1', at(3), 'M')).toMatchObject({
      balance: '100',
      holder: 'NL100000001',
      authorisedDeclarants: ['NL900000001'],
    });
    expect(ledger.has('GUA-1')).toBe(true);
    expect(ledger.has('GUA-NOWHERE')).toBe(false);
  });

  it('adds each credit once, from its instant on', () => {
    expect(ledger.at('GUA-1', at(6), 'M')?.balance).toBe('150');
  });

  it('knows no account the log did not open (the seed file is not read)', () => {
    expect(new AccountLedger().at('GUA-NL100000001', at(9), 'M')).toBeUndefined();
  });
});
