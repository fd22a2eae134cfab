import {
  accountCreditedEventId,
  accountEventEnvelope,
  accountOpenedEventId,
  EVENT_TYPES,
} from '@customs/contracts';
import { accountFromOpening, readAccountEvent } from './account-events.rules';

const opening = {
  accountId: 'GUA-NL100000001',
  holder: 'NL100000001',
  kind: 'guarantee' as const,
  currency: 'EUR',
  openingBalance: '5000000.00',
  authorisedDeclarants: ['NL900000001'],
};
const opened = (payload: Record<string, unknown> = opening) =>
  accountEventEnvelope({
    type: EVENT_TYPES.accountOpened,
    eventId: accountOpenedEventId(String(payload.accountId)),
    payload: payload as typeof opening,
    producer: 'admin',
    occurredAt: '2026-01-01T00:00:00Z',
  });

describe('account events', () => {
  it('reads an opening into the account release keeps, holder and authorisations included', () => {
    const read = readAccountEvent(opened(), 'GUA-NL100000001');
    expect(read).toEqual({
      event: { type: 'opened', eventId: opened().eventId, payload: opening },
    });
    if (!('event' in read) || read.event.type !== 'opened') throw new Error('expected an opening');
    expect(accountFromOpening(read.event.payload)).toEqual({
      id: 'GUA-NL100000001',
      kind: 'guarantee',
      balance: '5000000.00',
      currency: 'EUR',
      appliedEventIds: [],
      holder: 'NL100000001',
      authorisedDeclarants: ['NL900000001'],
    });
  });

  it('derives event ids from the account: the same opening twice is one event', () => {
    expect(accountOpenedEventId('GUA-1')).toBe(accountOpenedEventId('GUA-1'));
    expect(accountOpenedEventId('GUA-1')).not.toBe(accountOpenedEventId('GUA-2'));
    expect(accountCreditedEventId('GUA-1', 'TOPUP-1')).toBe(
      accountCreditedEventId('GUA-1', 'TOPUP-1'),
    );
    expect(accountCreditedEventId('GUA-1', 'TOPUP-1')).not.toBe(
      accountCreditedEventId('GUA-1', 'TOPUP-2'),
    );
    expect(opened().lrn).toBe('GUA-NL100000001');
    expect(opened().mrn).toBeNull();
  });

  it('names every problem of a bad opening', () => {
    const read = readAccountEvent(
      opened({
        accountId: 'GUA-X',
        holder: '',
        kind: 'loan',
        currency: 'euro',
        openingBalance: '-5',
        authorisedDeclarants: [''],
      }),
      'GUA-X',
    );
    expect(read).toEqual({
      problems: [
        'holder must be a non-empty string',
        "kind must be guarantee or deferment, not 'loan'",
        'currency must be an ISO 4217 code',
        'openingBalance must be a non-negative decimal string',
        'authorisedDeclarants must be a list of declarant ids',
      ],
    });
  });

  it('refuses an event keyed by another account than its own', () => {
    expect(readAccountEvent(opened(), 'GUA-NL100000002')).toEqual({
      problems: ["record key 'GUA-NL100000002' is not the account id 'GUA-NL100000001'"],
    });
  });

  it('reads a credit, and refuses a zero or negative one, or one without a reference', () => {
    const credit = (amount: string, reference = 'TOPUP-1') =>
      accountEventEnvelope({
        type: EVENT_TYPES.accountCredited,
        eventId: accountCreditedEventId('GUA-1', reference),
        payload: { accountId: 'GUA-1', amount, reference },
        producer: 'admin',
        occurredAt: '2026-01-02T00:00:00Z',
      });
    expect(readAccountEvent(credit('250.00'), 'GUA-1')).toMatchObject({
      event: { type: 'credited', payload: { amount: '250.00' } },
    });
    expect(readAccountEvent(credit('0'), 'GUA-1')).toEqual({
      problems: ['amount must be a positive decimal string'],
    });
    expect(readAccountEvent(credit('-3'), 'GUA-1')).toEqual({
      problems: ['amount must be a positive decimal string'],
    });
    expect(readAccountEvent(credit('3', ''), 'GUA-1')).toEqual({
      problems: ['reference must be a non-empty string'],
    });
  });

  it('refuses another event type on the accounts topic', () => {
    const e = { ...opened(), type: EVENT_TYPES.payment };
    expect(readAccountEvent(e)).toEqual({
      problems: [
        'customs.accounts.v1 carries AccountOpened or AccountCredited, not PaymentReceived',
      ],
    });
  });
});
