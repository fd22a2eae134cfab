import { accountOpenedEventId, EVENT_TYPES, TOPICS } from '@customs/contracts';
import { loadSeedAccounts } from '@customs/reference-data';
import { creditRecord, notYetLogged, openingRecord, seedOpenings } from './account-events.builder';

const AT = '2026-01-01T00:00:00.000Z';

describe('account events the admin CLI writes', () => {
  it('publishes every seed account as an opening keyed by its id, ids derived from the id', () => {
    const seed = loadSeedAccounts().accounts;
    const records = seedOpenings(seed, AT);
    expect(records).toHaveLength(seed.length);
    expect(records[1]).toMatchObject({
      topic: TOPICS.accounts,
      key: 'GUA-NL100000001',
      value: {
        type: EVENT_TYPES.accountOpened,
        eventId: accountOpenedEventId('GUA-NL100000001'),
        payload: {
          accountId: 'GUA-NL100000001',
          holder: 'NL100000001',
          kind: 'guarantee',
          currency: 'EUR',
          openingBalance: '5000000.00',
          authorisedDeclarants: ['NL900000001'],
        },
      },
    });
    // Run again later: the same events (only occurredAt may differ).
    const again = seedOpenings(seed, '2026-02-01T00:00:00.000Z');
    expect(again.map((r) => r.value.eventId)).toEqual(records.map((r) => r.value.eventId));
  });

  it('writes nothing already on the log, and never re-opens an opened account', () => {
    const records = seedOpenings(loadSeedAccounts().accounts.slice(0, 3), AT);
    const credit = creditRecord(
      { accountId: 'GUA-NL100000000', amount: '10', reference: 'R1' },
      AT,
    );
    const todo = notYetLogged([...records, credit], {
      eventIds: new Set([records[0].value.eventId]),
      openedAccounts: new Set(['GUA-NL100000000', 'GUA-NL100000002']),
    });
    expect(todo.map((r) => `${r.value.type}:${r.key}`)).toEqual([
      'AccountOpened:GUA-NL100000001',
      'AccountCredited:GUA-NL100000000',
    ]);
  });

  it('refuses to write what release would dead-letter', () => {
    expect(() =>
      openingRecord(
        {
          accountId: 'GUA-X',
          holder: 'NL1',
          kind: 'guarantee',
          currency: 'EUR',
          openingBalance: '1e6',
          authorisedDeclarants: [],
        },
        AT,
      ),
    ).toThrow('openingBalance must be a non-negative decimal string');
    expect(() => creditRecord({ accountId: 'GUA-X', amount: '0', reference: 'R' }, AT)).toThrow(
      'amount must be a positive decimal string',
    );
  });
});
