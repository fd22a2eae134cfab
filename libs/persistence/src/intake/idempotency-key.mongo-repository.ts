import { Connection, Model, Schema } from 'mongoose';
import { isDuplicateKey } from '../mongo-connection';
import { IdempotencyClaim } from './idempotency-key.model';
import { ClaimResult, IdempotencyKeyRepository } from './idempotency-key.repository';

interface IdempotencyDocument extends Omit<IdempotencyClaim, 'declarantId' | 'key'> {
  /** declarantId + NUL + key: the unique _id index is what serialises concurrent claims. */
  _id: string;
  declarantId: string;
  idemKey: string;
}

const schema = new Schema<IdempotencyDocument>(
  {
    _id: String,
    declarantId: String,
    idemKey: String,
    lrn: String,
    payloadHash: String,
    mrn: String,
    submittedEventId: String,
    submitted: String,
    published: Boolean,
    claimedAt: String,
  },
  { versionKey: false, collection: 'idempotency_keys' },
);

const idOf = (declarantId: string, key: string) => `${declarantId}\u0000${key}`;

const toDomain = (d: IdempotencyDocument): IdempotencyClaim => ({
  declarantId: d.declarantId,
  key: d.idemKey,
  lrn: d.lrn,
  payloadHash: d.payloadHash,
  mrn: d.mrn,
  submittedEventId: d.submittedEventId,
  submitted: d.submitted,
  published: d.published,
  claimedAt: d.claimedAt,
});

export class MongoIdempotencyKeyRepository extends IdempotencyKeyRepository {
  private readonly model: Model<IdempotencyDocument>;

  constructor(connection: Connection) {
    super();
    this.model = connection.model<IdempotencyDocument>('IdempotencyKey', schema);
  }

  async find(declarantId: string, key: string): Promise<IdempotencyClaim | null> {
    const d = await this.model.findById(idOf(declarantId, key)).lean();
    return d ? toDomain(d) : null;
  }

  async claim(c: IdempotencyClaim): Promise<ClaimResult> {
    const { key, ...rest } = c;
    try {
      await this.model.create({ _id: idOf(c.declarantId, key), idemKey: key, ...rest });
      return { claimed: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const d = await this.model.findById(idOf(c.declarantId, key)).lean();
      if (!d) throw error;
      return { claimed: false, existing: toDomain(d) };
    }
  }

  async withdraw(declarantId: string, key: string): Promise<void> {
    await this.model.deleteOne({ _id: idOf(declarantId, key) });
  }

  async markPublished(declarantId: string, key: string): Promise<void> {
    await this.model.updateOne({ _id: idOf(declarantId, key) }, { $set: { published: true } });
  }
}
