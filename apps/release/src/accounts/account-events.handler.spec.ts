import {
  accountCreditedEventId,
  accountEventEnvelope,
  accountOpenedEventId,
  EVENT_TYPES,
  EventEnvelope,
} from '@customs/contracts';
import { BatchItem } from '@customs/messaging';
import {
  AccountChange,
  AccountChangeResult,
  AccountEntry,
  AccountRepository,
  StoredAccount,
} from '@customs/persistence';
import { AccountEventsHandler } from './account-events.handler';

/** Accounts as balances plus the movement ids applied (idempotent by id, as the real one). */
class MemoryAccounts extends AccountRepository {
  readonly accounts = new Map<string, StoredAccount>();
  get(id: string): Promise<StoredAccount | null> {
    return Promise.resolve(this.accounts.get(id) ?? null);
  }
  applyOnce(
    accountId: string,
    movement: { id: string; kind: 'debit' | 'credit'; amount: string },
    change: (current: StoredAccount) => AccountChange,
  ): Promise<AccountChangeResult> {
    const a = this.accounts.get(accountId);
    if (!a) return Promise.resolve({ outcome: 'not-found' });
    if (a.appliedEventIds.includes(movement.id)) return Promise.resolve({ outcome: 'duplicate' });
    const c = change(a);
    if ('refused' in c)
      return Promise.resolve({ outcome: 'refused', reason: c.refused, account: a });
    const next = { ...a, balance: c.balance, appliedEventIds: [...a.appliedEventIds, movement.id] };
    this.accounts.set(accountId, next);
    return Promise.resolve({ outcome: 'applied', account: next });
  }
  createIfMissing(account: StoredAccount): Promise<boolean> {
    if (this.accounts.has(account.id)) return Promise.resolve(false);
    this.accounts.set(account.id, account);
    return Promise.resolve(true);
  }
  history(_id: string): Promise<AccountEntry[]> {
    return Promise.resolve([]);
  }
}

const OPENING = {
  accountId: 'GUA-NL100000001',
  holder: 'NL100000001',
  kind: 'guarantee' as const,
  currency: 'EUR',
  openingBalance: '1000.00',
  authorisedDeclarants: ['NL900000001'],
};

const item = (e: EventEnvelope, key: string | null = OPENING.accountId, offset = 0): BatchItem => ({
  envelope: e,
  record: { topic: 'customs.accounts.v1', partition: 0, offset: String(offset), key } as never,
});
const opened = (payload = OPENING) =>
  accountEventEnvelope({
    type: EVENT_TYPES.accountOpened,
    eventId: accountOpenedEventId(payload.accountId),
    payload,
    producer: 'admin',
    occurredAt: '2026-01-01T00:00:00Z',
  }) as EventEnvelope;
const credited = (amount: string, reference: string, accountId = OPENING.accountId) =>
  accountEventEnvelope({
    type: EVENT_TYPES.accountCredited,
    eventId: accountCreditedEventId(accountId, reference),
    payload: { accountId, amount, reference },
    producer: 'admin',
    occurredAt: '2026-01-02T00:00:00Z',
  }) as EventEnvelope;

describe('AccountEventsHandler', () => {
  const setUp = () => {
    const accounts = new MemoryAccounts();
    return { accounts, handler: new AccountEventsHandler(accounts) };
  };

  it('opens an account from its AccountOpened event, holder and authorisations included', async () => {
    const { accounts, handler } = setUp();
    await handler.onAccountEvents([item(opened())]);
    expect(accounts.accounts.get(OPENING.accountId)).toEqual({
      id: OPENING.accountId,
      kind: 'guarantee',
      balance: '1000.00',
      currency: 'EUR',
      appliedEventIds: [],
      holder: 'NL100000001',
      authorisedDeclarants: ['NL900000001'],
      openedBy: accountOpenedEventId(OPENING.accountId),
    });
  });

  it('applies a credit once per event id, and a second opening changes nothing', async () => {
    const { accounts, handler } = setUp();
    await handler.onAccountEvents([
      item(opened()),
      item(credited('250.50', 'TOPUP-1'), OPENING.accountId, 1),
    ]);
    await handler.onAccountEvents([
      item(credited('250.50', 'TOPUP-1'), OPENING.accountId, 1), // redelivered
      item(opened({ ...OPENING, openingBalance: '9999999.00' }), OPENING.accountId, 2),
    ]);
    expect(accounts.accounts.get(OPENING.accountId)?.balance).toBe('1250.5');
  });

  it('refuses a credit to an account not opened on the log (dead-lettered, nothing moves)', async () => {
    const { accounts, handler } = setUp();
    accounts.accounts.set('GUA-STORE-ONLY', {
      id: 'GUA-STORE-ONLY',
      kind: 'guarantee',
      balance: '10.00',
      currency: 'EUR',
      appliedEventIds: [],
      holder: 'NL1',
      authorisedDeclarants: [],
    });
    await expect(
      handler.onAccountEvents([item(credited('5', 'T', 'GUA-STORE-ONLY'), 'GUA-STORE-ONLY')]),
    ).rejects.toMatchObject({ code: 'ACCOUNT_NOT_OPENED', retryable: false });
    await expect(
      handler.onAccountEvents([item(credited('5', 'T', 'GUA-NOWHERE'), 'GUA-NOWHERE')]),
    ).rejects.toMatchObject({ code: 'ACCOUNT_NOT_OPENED' });
    expect(accounts.accounts.get('GUA-STORE-ONLY')?.balance).toBe('10.00');
  });

  it('checks the whole chunk before applying any of it', async () => {
    const { accounts, handler } = setUp();
    await expect(
      handler.onAccountEvents([item(opened()), item(opened(), 'GUA-SOMEONE-ELSE', 1)]),
    ).rejects.toMatchObject({ code: 'INVALID_ACCOUNT_EVENT', retryable: false });
    expect(accounts.accounts.size).toBe(0);
  });
});
