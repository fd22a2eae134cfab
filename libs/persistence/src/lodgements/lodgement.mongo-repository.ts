import { insertManyRefusingDuplicates, isDuplicateKey } from '../mongo-connection';
import { Connection, Model, Schema, trusted } from 'mongoose';
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

const toDocument = (l: Lodgement): LodgementDocument => ({
  _id: l.mrn,
  declarantId: l.declarantId,
  lrn: l.lrn,
  payloadHash: l.payloadHash,
  submittedEventId: l.submittedEventId,
  acceptedAt: l.acceptedAt,
});

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

  async createMany(ls: Lodgement[]): Promise<CreateLodgementResult[]> {
    if (ls.length === 0) return [];
    const failed = await insertManyRefusingDuplicates(this.model, ls.map(toDocument));
    if (failed.size === 0) return ls.map(() => ({ created: true }));
    // The owners of the MRNs in one read by _id (`trusted`: sanitizeFilter refuses operators
    // from outside; this one is ours, over typed ids). The (declarantId, lrn) lookup scans
    // the collection on FerretDB, so only for a row whose MRN is free (the LRN's unique index
    // refused it: lodged under another MRN, e.g. another year or declaration type).
    const ids = [...new Set([...failed].map((i) => ls[i].mrn))];
    const owners = new Map(
      (await this.model.find({ _id: trusted({ $in: ids }) }).lean()).map((d) => [
        d._id,
        toDomain(d),
      ]),
    );
    const results: CreateLodgementResult[] = [];
    for (const [i, l] of ls.entries()) {
      if (!failed.has(i)) {
        results.push({ created: true });
        continue;
      }
      const existing = owners.get(l.mrn) ?? (await this.findByDeclarantLrn(l.declarantId, l.lrn));
      if (!existing)
        throw new Error(`lodgement ${l.mrn} was refused as a duplicate, but no owner was found`);
      results.push({ created: false, existing });
    }
    return results;
  }
}
