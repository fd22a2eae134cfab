import seed from './seed-accounts.json';

/** A guarantee or deferment account held by a trader, as reference data seeds it. */
export interface SeedAccount {
  id: string;
  holder: string;
  kind: 'guarantee' | 'deferment';
  balance: string;
  currency: string;
  /** Declarants (representatives) the holder authorised to secure declarations on the account. */
  authorisedDeclarants: string[];
}

/**
 * Demonstration accounts so that the local pipeline releases on security out of the box:
 * 40 traders (NL100000000 to NL100000039), every fourth on a deferment account; the holder
 * of GUA-NL100000001 authorises one customs representative (NL900000001). Nothing reads
 * this file to create accounts at run time: `customs accounts seed` publishes it once as
 * AccountOpened events on customs.accounts.v1, and release opens accounts from those.
 */
export function loadSeedAccounts(): { version: string; accounts: SeedAccount[] } {
  return { version: seed.version, accounts: seed.accounts as SeedAccount[] };
}
