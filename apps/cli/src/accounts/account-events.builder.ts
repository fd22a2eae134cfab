import {
  AccountCreditedPayload,
  accountCreditedEventId,
  accountEventEnvelope,
  AccountOpenedPayload,
  accountOpenedEventId,
  EventEnvelope,
  EVENT_TYPES,
  TOPICS,
} from '@customs/contracts';
import { readAccountEvent } from '@customs/domain';
import { SeedAccount } from '@customs/reference-data';

/** Who writes the accounts log: the administrators' CLI (principal `admin`). */
export const ACCOUNTS_PRODUCER = 'customs-cli/admin';

/** One record to write on customs.accounts.v1. */
export interface AccountRecord {
  topic: typeof TOPICS.accounts;
  key: string;
  value: EventEnvelope;
}

const record = (value: EventEnvelope): AccountRecord => ({
  topic: TOPICS.accounts,
  key: (value.payload as { accountId: string }).accountId,
  value,
});

/** Refuses an event release would dead-letter, before it is written. */
function checked(value: EventEnvelope): AccountRecord {
  const read = readAccountEvent(value, (value.payload as { accountId?: string }).accountId);
  if ('problems' in read) throw new Error(read.problems.join('; '));
  return record(value);
}

export function openingRecord(payload: AccountOpenedPayload, occurredAt: string): AccountRecord {
  return checked(
    accountEventEnvelope({
      type: EVENT_TYPES.accountOpened,
      eventId: accountOpenedEventId(payload.accountId),
      payload,
      producer: ACCOUNTS_PRODUCER,
      occurredAt,
    }),
  );
}

export function creditRecord(payload: AccountCreditedPayload, occurredAt: string): AccountRecord {
  return checked(
    accountEventEnvelope({
      type: EVENT_TYPES.accountCredited,
      eventId: accountCreditedEventId(payload.accountId, payload.reference),
      payload,
      producer: ACCOUNTS_PRODUCER,
      occurredAt,
    }),
  );
}

/** The seed accounts as openings (event ids derived from the account ids: stable). */
export function seedOpenings(
  accounts: readonly SeedAccount[],
  occurredAt: string,
): AccountRecord[] {
  return accounts.map((a) =>
    openingRecord(
      {
        accountId: a.id,
        holder: a.holder,
        kind: a.kind,
        currency: a.currency,
        openingBalance: a.balance,
        authorisedDeclarants: [...(a.authorisedDeclarants ?? [])],
      },
      occurredAt,
    ),
  );
}

/**
 * What is still to write: records whose event id is not on the log yet, and no opening of
 * an account the log has opened already (by whatever event), so `accounts seed` run twice
 * writes nothing the second time and never re-opens an account an administrator opened.
 */
export function notYetLogged(
  records: readonly AccountRecord[],
  logged: { eventIds: ReadonlySet<string>; openedAccounts: ReadonlySet<string> },
): AccountRecord[] {
  return records.filter(
    (r) =>
      !logged.eventIds.has(r.value.eventId) &&
      !(r.value.type === EVENT_TYPES.accountOpened && logged.openedAccounts.has(r.key)),
  );
}
