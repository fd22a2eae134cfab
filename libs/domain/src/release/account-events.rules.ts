import {
  AccountCreditedPayload,
  AccountOpenedPayload,
  EventEnvelope,
  EVENT_TYPES,
} from '@customs/contracts';
import { Account } from './account.model';
import { isDecimalString, money } from './money.model';

/** An account event release can apply, read from customs.accounts.v1. */
export type AccountEvent =
  | { type: 'opened'; eventId: string; payload: AccountOpenedPayload }
  | { type: 'credited'; eventId: string; payload: AccountCreditedPayload };

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const CURRENCY = /^[A-Z]{3}$/;

/**
 * The account event an envelope carries, or the problems that make it unusable (each named:
 * the record is dead-lettered with them, never applied). `key`, when given, is the record
 * key, which must be the account id (one account, one partition, in order).
 */
export function readAccountEvent(
  e: EventEnvelope,
  key?: string | null,
): { event: AccountEvent } | { problems: string[] } {
  const problems: string[] = [];
  const p = (e.payload ?? {}) as Record<string, unknown>;
  if (!nonEmpty(p.accountId)) problems.push('accountId must be a non-empty string');
  else if (key !== undefined && key !== p.accountId)
    problems.push(`record key '${String(key)}' is not the account id '${p.accountId}'`);
  if (e.type === EVENT_TYPES.accountOpened) {
    if (!nonEmpty(p.holder)) problems.push('holder must be a non-empty string');
    if (p.kind !== 'guarantee' && p.kind !== 'deferment')
      problems.push(`kind must be guarantee or deferment, not '${String(p.kind)}'`);
    if (typeof p.currency !== 'string' || !CURRENCY.test(p.currency))
      problems.push('currency must be an ISO 4217 code');
    if (!isDecimalString(p.openingBalance))
      problems.push('openingBalance must be a non-negative decimal string');
    if (!Array.isArray(p.authorisedDeclarants) || !p.authorisedDeclarants.every(nonEmpty))
      problems.push('authorisedDeclarants must be a list of declarant ids');
    if (problems.length > 0) return { problems };
    return {
      event: { type: 'opened', eventId: e.eventId, payload: p as unknown as AccountOpenedPayload },
    };
  }
  if (e.type === EVENT_TYPES.accountCredited) {
    if (!isDecimalString(p.amount) || money(p.amount).isZero())
      problems.push('amount must be a positive decimal string');
    if (!nonEmpty(p.reference)) problems.push('reference must be a non-empty string');
    if (problems.length > 0) return { problems };
    return {
      event: {
        type: 'credited',
        eventId: e.eventId,
        payload: p as unknown as AccountCreditedPayload,
      },
    };
  }
  return {
    problems: [
      `customs.accounts.v1 carries ${EVENT_TYPES.accountOpened} or ${EVENT_TYPES.accountCredited}, not ${String(e.type)}`,
    ],
  };
}

/** The account an opening creates, as release keeps it. */
export function accountFromOpening(p: AccountOpenedPayload): Account {
  return {
    id: p.accountId,
    kind: p.kind,
    balance: p.openingBalance,
    currency: p.currency,
    appliedEventIds: [],
    holder: p.holder,
    authorisedDeclarants: [...p.authorisedDeclarants],
  };
}
