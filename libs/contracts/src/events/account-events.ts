import { EventEnvelope, sealEnvelope } from '../envelope/event-envelope';
import { derivedEventId } from '../envelope/event-factory';
import { EVENT_TYPES } from './declaration-events';
import { SecurityAccountKind } from './release-result';

/**
 * Events of customs.accounts.v1 (keyed by account id). Every balance release keeps is the
 * sum of these and of release's own logged debits and credits: an account that is not
 * opened here does not exist for release, whatever its store holds.
 */
export interface AccountOpenedPayload {
  accountId: string;
  /** The trader (EORI) who holds the account. */
  holder: string;
  kind: SecurityAccountKind;
  currency: string;
  /** Decimal string, >= 0. */
  openingBalance: string;
  /** Declarants (customs representatives) the holder authorised to secure on the account. */
  authorisedDeclarants: string[];
}

export interface AccountCreditedPayload {
  accountId: string;
  /** Decimal string, > 0. */
  amount: string;
  /** The administration's reference for the credit (a top-up order, a bank transfer). */
  reference: string;
}

/**
 * The id of an account's opening: derived from the account id alone, so publishing the seed
 * (or the same opening) twice gives the same event, which every reader keeps once.
 */
export function accountOpenedEventId(accountId: string): string {
  return derivedEventId(`account/${accountId}`, EVENT_TYPES.accountOpened);
}

/** The id of a credit: derived from account and reference, so a retried credit is one credit. */
export function accountCreditedEventId(accountId: string, reference: string): string {
  return derivedEventId(`account/${accountId}`, EVENT_TYPES.accountCredited, reference);
}

/**
 * An account event as its own one-event record (sequence 1, no previous hash, like payments
 * and notifications): accounts are not declaration chains. `lrn` carries the account id (the
 * envelope needs a non-empty local reference) and the record key is the account id, so all
 * of one account's events are on one partition, in order.
 */
export function accountEventEnvelope<P extends { accountId: string }>(spec: {
  type: typeof EVENT_TYPES.accountOpened | typeof EVENT_TYPES.accountCredited;
  eventId: string;
  payload: P;
  producer: string;
  occurredAt: string;
}): EventEnvelope<P> {
  return sealEnvelope<P>({
    eventId: spec.eventId,
    type: spec.type,
    schemaVersion: 1,
    mrn: null,
    lrn: spec.payload.accountId,
    sequence: 1,
    occurredAt: spec.occurredAt,
    producer: spec.producer,
    correlationId: spec.eventId,
    causationId: null,
    prevHash: null,
    payload: spec.payload,
  });
}
