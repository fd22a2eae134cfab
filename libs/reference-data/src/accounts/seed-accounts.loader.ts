import seed from './seed-accounts.json';

/** A guarantee or deferment account held by a trader, as reference data seeds it. */
export interface SeedAccount {
  id: string;
  holder: string;
  kind: 'guarantee' | 'deferment';
  balance: string;
  currency: string;
}

/**
 * Demonstration accounts so that the local pipeline releases on security out of the box:
 * 40 traders (NL100000000 to NL100000039), every fourth on a deferment account.
 */
export function loadSeedAccounts(): { version: string; accounts: SeedAccount[] } {
  return { version: seed.version, accounts: seed.accounts as SeedAccount[] };
}
