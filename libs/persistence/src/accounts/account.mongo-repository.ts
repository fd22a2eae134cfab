import mongoose, { Connection, Model, Schema } from 'mongoose';
import { isDuplicateKey } from '../mongo-connection';
import {
  AccountChange,
  AccountChangeResult,
  AccountContendedError,
  AccountEntry,
  AccountRepository,
  StoredAccount,
} from './account.repository';

/**
 * An account is a ledger of entries, one per movement, each holding the balance after it.
 * Why not one document updated in place: FerretDB v1 does not apply an update's filter
 * atomically with its write, so a conditional update on a version field still lets two
 * concurrent writers both win (measured: 19 races in 20). A unique index, though, is
 * enforced by the underlying store, so writers claim the next version by inserting entry
 * `<account>#<version>`: exactly one wins, the others re-read and retry. A second unique
 * index on the movement id makes every movement idempotent across replicas.
 */
interface AccountEntryDocument {
  /** `<accountId>#<version, 12 digits>`: the claim on that version. */
  _id: string;
  accountId: string;
  version: number;
  kind: 'guarantee' | 'deferment';
  currency: string;
  balance: string;
  movementId: string;
  movementKind: 'open' | 'debit' | 'credit';
  amount: string;
}

const schema = new Schema<AccountEntryDocument>(
  {
    _id: String,
    accountId: String,
    version: Number,
    kind: String,
    currency: String,
    balance: String,
    movementId: String,
    movementKind: String,
    amount: String,
  },
  { versionKey: false, collection: 'account_entries' },
);
schema.index({ movementId: 1 }, { unique: true });
schema.index({ accountId: 1, version: -1 });

const entryId = (accountId: string, version: number) =>
  `${accountId}#${String(version).padStart(12, '0')}`;

const toAccount = (d: AccountEntryDocument, applied: string[]): StoredAccount => ({
  id: d.accountId,
  kind: d.kind,
  balance: d.balance,
  currency: d.currency,
  appliedEventIds: applied,
  version: d.version,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class MongoAccountRepository extends AccountRepository {
  private readonly model: Model<AccountEntryDocument>;

  constructor(connection: Connection) {
    super();
    this.model = connection.model<AccountEntryDocument>('AccountEntry', schema);
  }

  /** Builds the unique indexes before the first movement relies on them. */
  async init(): Promise<void> {
    await this.model.init();
  }

  private async head(accountId: string): Promise<AccountEntryDocument | null> {
    return this.model.findOne({ accountId }).sort({ version: -1 }).lean();
  }

  private async applied(accountId: string, movementIds: readonly string[]): Promise<string[]> {
    if (movementIds.length === 0) return [];
    const docs = await this.model
      .find(
        { accountId, movementId: mongoose.trusted({ $in: [...movementIds] }) },
        { movementId: 1 },
      )
      .lean();
    return docs.map((d) => d.movementId);
  }

  async get(id: string, movementIds: readonly string[] = []): Promise<StoredAccount | null> {
    const head = await this.head(id);
    return head ? toAccount(head, await this.applied(id, movementIds)) : null;
  }

  async applyOnce(
    accountId: string,
    movement: { id: string; kind: 'debit' | 'credit'; amount: string },
    change: (current: StoredAccount) => AccountChange,
    maxAttempts = 50,
  ): Promise<AccountChangeResult> {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (await this.model.exists({ movementId: movement.id })) return { outcome: 'duplicate' };
      const head = await this.head(accountId);
      if (!head) return { outcome: 'not-found' };
      const current = toAccount(head, []);
      const decided = change(current);
      if ('refused' in decided)
        return { outcome: 'refused', reason: decided.refused, account: current };
      const next: AccountEntryDocument = {
        _id: entryId(accountId, head.version + 1),
        accountId,
        version: head.version + 1,
        kind: head.kind,
        currency: head.currency,
        balance: decided.balance,
        movementId: movement.id,
        movementKind: movement.kind,
        amount: movement.amount,
      };
      try {
        await this.model.create(next);
        return { outcome: 'applied', account: toAccount(next, [movement.id]) };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // Either the movement was applied meanwhile (checked first thing next round) or
        // another movement took this version: re-read and try again, after a short pause
        // that spreads the losers out.
        await sleep(Math.min(2 ** Math.min(attempt, 6), 50) * Math.random());
      }
    }
    throw new AccountContendedError(accountId, maxAttempts);
  }

  async createIfMissing(a: StoredAccount): Promise<boolean> {
    try {
      await this.model.create({
        _id: entryId(a.id, 0),
        accountId: a.id,
        version: 0,
        kind: a.kind,
        currency: a.currency,
        balance: a.balance,
        movementId: `open/${a.id}`,
        movementKind: 'open',
        amount: a.balance,
      });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async history(id: string): Promise<AccountEntry[]> {
    const docs = await this.model.find({ accountId: id }).sort({ version: 1 }).lean();
    return docs.map((d) => ({
      accountId: d.accountId,
      version: d.version,
      balance: d.balance,
      movementId: d.movementId,
      movementKind: d.movementKind,
      amount: d.amount,
    }));
  }
}
