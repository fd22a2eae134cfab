/** A guarantee or deferment account as stored (the domain's Account shape). */
export interface StoredAccount {
  id: string;
  kind: 'guarantee' | 'deferment';
  balance: string;
  currency: string;
  appliedEventIds: string[];
}

export abstract class AccountRepository {
  abstract get(id: string): Promise<StoredAccount | null>;
  abstract save(account: StoredAccount): Promise<void>;
  /** Creates the account only if it does not exist yet (seeding never overwrites balances). */
  abstract createIfMissing(account: StoredAccount): Promise<boolean>;
}
