import { isDuplicateKey } from '../mongo-connection';
import { Connection, Model, Schema } from 'mongoose';
import { AccountRepository, StoredAccount } from './account.repository';

interface AccountDocument {
  _id: string;
  kind: 'guarantee' | 'deferment';
  balance: string;
  currency: string;
  appliedEventIds: string[];
}

const schema = new Schema<AccountDocument>(
  { _id: String, kind: String, balance: String, currency: String, appliedEventIds: [String] },
  { versionKey: false, collection: 'accounts' },
);

const toDomain = (d: AccountDocument): StoredAccount => ({
  id: d._id,
  kind: d.kind,
  balance: d.balance,
  currency: d.currency,
  appliedEventIds: d.appliedEventIds,
});

export class MongoAccountRepository extends AccountRepository {
  private readonly model: Model<AccountDocument>;

  constructor(connection: Connection) {
    super();
    this.model = connection.model<AccountDocument>('Account', schema);
  }

  async get(id: string): Promise<StoredAccount | null> {
    const d = await this.model.findById(id).lean();
    return d ? toDomain(d) : null;
  }

  async save(a: StoredAccount): Promise<void> {
    await this.model.replaceOne(
      { _id: a.id },
      {
        kind: a.kind,
        balance: a.balance,
        currency: a.currency,
        appliedEventIds: a.appliedEventIds,
      },
      { upsert: true },
    );
  }

  async createIfMissing(a: StoredAccount): Promise<boolean> {
    try {
      await this.model.create({
        _id: a.id,
        kind: a.kind,
        balance: a.balance,
        currency: a.currency,
        appliedEventIds: a.appliedEventIds,
      });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }
}
