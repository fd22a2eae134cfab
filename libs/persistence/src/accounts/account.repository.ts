/** A guarantee or deferment account as stored (the domain's Account shape, plus its version). */
export interface StoredAccount {
  id: string;
  kind: 'guarantee' | 'deferment';
  balance: string;
  currency: string;
  /** The trader who holds the account (empty for an entry written before holders were kept). */
  holder: string;
  /** Declarants the holder authorised to secure declarations on the account. */
  authorisedDeclarants: string[];
  /**
   * The AccountOpened event (customs.accounts.v1) the account was opened from. Absent for
   * an account created any other way (an old seeding, a write straight into the store):
   * release treats such an account as unknown, since the log cannot explain its balance.
   */
  openedBy?: string;
  /**
   * Movement ids applied to the account, restricted to the ids the caller asked about
   * (`get(id, movementIds)`): the full list grows with every declaration, and a decision
   * only ever needs to know about its own movement.
   */
  appliedEventIds: string[];
  /** Number of movements applied since the account was created (0 = as seeded). */
  version?: number;
}

/** What a change function decides from the account as it stands now. */
export type AccountChange = { balance: string } | { refused: string };

export type AccountChangeResult =
  | { outcome: 'applied'; account: StoredAccount }
  /** The movement id was applied before (now or by another replica): nothing moved. */
  | { outcome: 'duplicate' }
  /** The change function refused (overdraft, currency): nothing moved. */
  | { outcome: 'refused'; reason: string; account: StoredAccount }
  | { outcome: 'not-found' };

/** The account kept losing races against other writers: retry the whole input later. */
export class AccountContendedError extends Error {
  readonly retryable = true;
  readonly code = 'ACCOUNT_CONTENDED';
  constructor(accountId: string, attempts: number) {
    super(`account ${accountId}: ${attempts} concurrent writers won in a row; giving up for now`);
    this.name = 'AccountContendedError';
  }
}

/**
 * Guarantee and deferment accounts. Any number of replicas may move the same account at
 * once (two declarations of one trader on two partitions), so a movement is never a plain
 * read-modify-write: `applyOnce` is atomic per account and idempotent per movement id.
 */
export abstract class AccountRepository {
  /** The account as it stands; `appliedEventIds` lists which of `movementIds` were applied. */
  abstract get(id: string, movementIds?: readonly string[]): Promise<StoredAccount | null>;
  /**
   * Applies `change` to the account as it stands, at most once per `movementId`. On a lost
   * race with another writer it re-reads the account and calls `change` again (so `change`
   * must be pure); after `maxAttempts` lost races it throws AccountContendedError.
   */
  abstract applyOnce(
    accountId: string,
    movement: { id: string; kind: 'debit' | 'credit'; amount: string },
    change: (current: StoredAccount) => AccountChange,
    maxAttempts?: number,
  ): Promise<AccountChangeResult>;
  /**
   * Creates the account only if it does not exist yet (an opening never overwrites a
   * balance; a second AccountOpened of the same account changes nothing).
   */
  abstract createIfMissing(account: StoredAccount): Promise<boolean>;
  /** Every movement of the account in order, oldest first (for officers and tests). */
  abstract history(id: string): Promise<AccountEntry[]>;
}

/** One state of an account: the balance after movement `movementId` (version 0 = created). */
export interface AccountEntry {
  accountId: string;
  version: number;
  balance: string;
  movementId: string;
  movementKind: 'open' | 'debit' | 'credit';
  amount: string;
}
