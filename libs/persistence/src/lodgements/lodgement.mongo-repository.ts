import { isDuplicateKey } from '../mongo-connection';
import { Connection, Model, Schema } from 'mongoose';
import { Lodgement } from './lodgement.model';
import { CreateLodgementResult, LodgementRepository } from './lodgement.repository';

interface LodgementDocument {
  _id: string;
  declarantId: string;
  lrn: string;
  payloadHash: string;
  submittedEventId: string;
  acceptedAt: string;
}

const schema = new Schema<LodgementDocument>(
  {
    _id: String,
    declarantId: { type: String, required: true },
    lrn: { type: String, required: true },
    payloadHash: { type: String, required: true },
    submittedEventId: { type: String, required: true },
    acceptedAt: { type: String, required: true },
  },
  { versionKey: false, collection: 'lodgements' },
);
// One declaration per declarant and LRN, whichever replica sees it first.
schema.index({ declarantId: 1, lrn: 1 }, { unique: true });

const toDomain = (d: LodgementDocument): Lodgement => ({
  mrn: d._id,
  declarantId: d.declarantId,
  lrn: d.lrn,
  payloadHash: d.payloadHash,
  submittedEventId: d.submittedEventId,
  acceptedAt: d.acceptedAt,
});

export class MongoLodgementRepository extends LodgementRepository {
  private readonly model: Model<LodgementDocument>;

  constructor(connection: Connection) {
    super();
    this.model = connection.model<LodgementDocument>('Lodgement', schema);
  }

  async init(): Promise<void> {
    await this.model.syncIndexes();
  }

  async findByMrn(mrn: string): Promise<Lodgement | null> {
    const d = await this.model.findById(mrn).lean();
    return d ? toDomain(d) : null;
  }

  async findByDeclarantLrn(declarantId: string, lrn: string): Promise<Lodgement | null> {
    const d = await this.model.findOne({ declarantId, lrn }).lean();
    return d ? toDomain(d) : null;
  }

  async create(l: Lodgement): Promise<CreateLodgementResult> {
    try {
      await this.model.create({ _id: l.mrn, ...l });
      return { created: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing =
        (await this.findByMrn(l.mrn)) ?? (await this.findByDeclarantLrn(l.declarantId, l.lrn));
      if (!existing) throw error;
      return { created: false, existing };
    }
  }
}
