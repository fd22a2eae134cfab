/** Domain errors of release. None is retryable: the same input fails the same way every time. */
export abstract class ReleaseDomainError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** An input that cannot be applied at all (no event id, bad amount, refuse without grounds): dead-letter it. */
export class InvalidReleaseInputError extends ReleaseDomainError {
  constructor(message: string) {
    super('INVALID_RELEASE_INPUT', message);
  }
}

/** An input for another declaration than the state it was applied to: a routing bug, never data. */
export class MrnMismatchError extends ReleaseDomainError {
  constructor(stateMrn: string, inputMrn: string) {
    super('MRN_MISMATCH', `input for MRN ${inputMrn} applied to the release state of ${stateMrn}`);
  }
}

/** A movement amount that is not a positive decimal string. */
export class InvalidAmountError extends ReleaseDomainError {
  constructor(amount: string) {
    super('INVALID_AMOUNT', `amount '${amount}' is not a positive decimal string`);
  }
}

/**
 * A debit the account cannot bear: accounts never go negative. The message names neither
 * the balance nor the amount (it reaches logs and dead letters, which more people read than
 * the holder); the figures stay on the error for the caller who holds the account.
 */
export class InsufficientBalanceError extends ReleaseDomainError {
  constructor(
    readonly accountId: string,
    readonly balance: string,
    readonly requested: string,
  ) {
    super('INSUFFICIENT_BALANCE', `account ${accountId} cannot bear the debit`);
  }
}

/** A movement in another currency than the account's: there is no conversion here. */
export class AccountCurrencyMismatchError extends ReleaseDomainError {
  constructor(accountId: string, accountCurrency: string, movementCurrency: string) {
    super(
      'ACCOUNT_CURRENCY_MISMATCH',
      `account ${accountId} is kept in ${accountCurrency}, movement is in ${movementCurrency}`,
    );
  }
}

/** A movement addressed to another account than the one it is applied to. */
export class AccountMismatchError extends ReleaseDomainError {
  constructor(accountId: string, movementAccountId: string) {
    super('ACCOUNT_MISMATCH', `movement for ${movementAccountId} applied to account ${accountId}`);
  }
}
