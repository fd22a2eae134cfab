import { SecurityAccountKind } from '@customs/contracts';
import {
  AccountCurrencyMismatchError,
  AccountMismatchError,
  InsufficientBalanceError,
  InvalidAmountError,
  ReleaseDomainError,
} from './release.errors';
import { isDecimalString, money, moneyString } from './money.model';

/**
 * A guarantee (comprehensive guarantee reference amount) or a deferment account. The balance
 * is what is still available to secure debts. `appliedEventIds` makes every movement
 * idempotent: the service may apply the same movement again after a crash and nothing moves.
 * Plain JSON: it is stored as a document keyed by id.
 */
export interface Account {
  id: string;
  kind: SecurityAccountKind;
  /** Available balance, a non-negative decimal string. */
  balance: string;
  currency: string;
  appliedEventIds: string[];
  /** The trader (EORI) who holds the account: the only party who may see its balance. */
  holder: string;
  /**
   * Declarants the holder authorised to secure declarations on the account (customs
   * representatives lodging in their own name). Opened with the account, as an event.
   */
  authorisedDeclarants: string[];
}

/** How a declarant stands to an account: its holder, authorised by the holder, or neither. */
export type AccountStanding = 'holder' | 'authorised' | 'foreign';

/**
 * May `declarantId` secure a declaration on `account`? Only its holder, or a declarant the
 * holder authorised. An account without a holder (written to the store outside the
 * accounts log) is nobody's to use.
 */
export function accountStanding(account: Account, declarantId: string): AccountStanding {
  if (!declarantId) return 'foreign';
  if (account.holder && account.holder === declarantId) return 'holder';
  if ((account.authorisedDeclarants ?? []).includes(declarantId)) return 'authorised';
  return 'foreign';
}

export type AccountMovementKind = 'debit' | 'credit';

/** A movement release asks the service to apply to its account store. */
export interface AccountMovement {
  accountId: string;
  kind: AccountMovementKind;
  amount: string;
  currency: string;
  /** Deterministic id: the same decision always asks for the same movement id. */
  eventId: string;
}

export type AccountOperationResult =
  | { outcome: 'applied'; account: Account }
  /** The event id was applied before: the account is returned unchanged. */
  | { outcome: 'duplicate'; account: Account }
  /** Refused (overdraft, bad amount, wrong currency): the account is returned unchanged. */
  | { outcome: 'refused'; account: Account; error: ReleaseDomainError };

function move(
  account: Account,
  amount: string,
  eventId: string,
  sign: 1 | -1,
): AccountOperationResult {
  if (account.appliedEventIds.includes(eventId)) return { outcome: 'duplicate', account };
  if (!isDecimalString(amount) || money(amount).isZero()) {
    return { outcome: 'refused', account, error: new InvalidAmountError(amount) };
  }
  const next = money(account.balance).plus(money(amount).times(sign));
  if (next.isNegative()) {
    return {
      outcome: 'refused',
      account,
      error: new InsufficientBalanceError(account.id, account.balance, amount),
    };
  }
  return {
    outcome: 'applied',
    account: {
      ...account,
      balance: moneyString(next),
      appliedEventIds: [...account.appliedEventIds, eventId],
    },
  };
}

/** Takes `amount` from the account, once per event id, never below zero. */
export function debit(account: Account, amount: string, eventId: string): AccountOperationResult {
  return move(account, amount, eventId, -1);
}

/** Gives `amount` back to the account (a payment discharging a secured debt), once per event id. */
export function credit(account: Account, amount: string, eventId: string): AccountOperationResult {
  return move(account, amount, eventId, 1);
}

/** Applies a movement returned by the release reducer, checking it is for this account and currency. */
export function applyAccountMovement(
  account: Account,
  movement: AccountMovement,
): AccountOperationResult {
  if (movement.accountId !== account.id) {
    return {
      outcome: 'refused',
      account,
      error: new AccountMismatchError(account.id, movement.accountId),
    };
  }
  if (movement.currency !== account.currency) {
    return {
      outcome: 'refused',
      account,
      error: new AccountCurrencyMismatchError(account.id, account.currency, movement.currency),
    };
  }
  return movement.kind === 'debit'
    ? debit(account, movement.amount, movement.eventId)
    : credit(account, movement.amount, movement.eventId);
}
