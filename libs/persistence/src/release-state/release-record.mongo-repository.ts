import mongoose, { Connection, Model, Schema } from 'mongoose';
import { ReleaseRecord } from './release-record.model';
import { ReleaseRecordRepository, WaitingFilter } from './release-record.repository';

interface ReleaseRecordDocument {
  _id: string;
  state: string;
  tail: string | null;
  outbox: { inputId: string; outputs: string; source?: string | null }[];
  status: string;
  waitingFor: string[];
  office: string | null;
  borderPost: string | null;
  declarantId: string | null;
}

const schema = new Schema<ReleaseRecordDocument>(
  {
    _id: String,
    state: String,
    tail: { type: String, default: null },
    outbox: [
      { _id: false, inputId: String, outputs: String, source: { type: String, default: null } },
    ],
    status: { type: String, index: true },
    waitingFor: { type: [String], index: true },
    office: { type: String, default: null },
    borderPost: { type: String, default: null },
    declarantId: { type: String, default: null },
  },
  { versionKey: false, collection: 'release_records' },
);
// Work queues: held declarations waiting for one control, in MRN order.
schema.index({ status: 1, waitingFor: 1, _id: 1 });

// JSON text for state, tail and outputs: exact bytes back, and no field-name restrictions.
function toDomain<S>(d: ReleaseRecordDocument): ReleaseRecord<S> {
  return {
    mrn: d._id,
    state: JSON.parse(d.state) as S,
    tail: d.tail ? JSON.parse(d.tail) : null,
    outbox: d.outbox.map((o) => ({
      inputId: o.inputId,
      outputs: JSON.parse(o.outputs) as unknown[],
      source: o.source ?? null,
    })),
    status: d.status,
    waitingFor: d.waitingFor,
    office: d.office,
    borderPost: d.borderPost,
    declarantId: d.declarantId,
  };
}

function toDocument<S>(r: ReleaseRecord<S>): Omit<ReleaseRecordDocument, '_id'> {
  return {
    state: JSON.stringify(r.state),
    tail: r.tail ? JSON.stringify(r.tail) : null,
    outbox: r.outbox.map((o) => ({
      inputId: o.inputId,
      outputs: JSON.stringify(o.outputs),
      source: o.source ?? null,
    })),
    status: r.status,
    waitingFor: r.waitingFor,
    office: r.office,
    borderPost: r.borderPost,
    declarantId: r.declarantId,
  };
}

export class MongoReleaseRecordRepository extends ReleaseRecordRepository {
  private readonly model: Model<ReleaseRecordDocument>;

  constructor(connection: Connection) {
    super();
    this.model = connection.model<ReleaseRecordDocument>('ReleaseRecord', schema);
  }

  async get<S>(mrn: string): Promise<ReleaseRecord<S> | null> {
    const d = await this.model.findById(mrn).lean();
    return d ? toDomain<S>(d) : null;
  }

  async save<S>(r: ReleaseRecord<S>): Promise<void> {
    await this.model.replaceOne({ _id: r.mrn }, toDocument(r), { upsert: true });
  }

  async getMany<S>(mrns: readonly string[]): Promise<Map<string, ReleaseRecord<S>>> {
    const found = new Map<string, ReleaseRecord<S>>();
    const ids = [...new Set(mrns.map(String))];
    if (ids.length === 0) return found;
    // An _id-only filter: the one FerretDB answers from its index (any other scans).
    const docs = await this.model.find({ _id: mongoose.trusted({ $in: ids }) }).lean();
    for (const d of docs) found.set(d._id, toDomain<S>(d));
    return found;
  }

  async saveMany<S>(records: readonly ReleaseRecord<S>[]): Promise<void> {
    if (records.length === 0) return;
    await this.model.bulkWrite(
      records.map((r) => ({
        replaceOne: { filter: { _id: r.mrn }, replacement: toDocument(r), upsert: true },
      })),
      // Each record is a whole document of its own MRN: no order between them to keep.
      { ordered: false },
    );
  }

  async findWaiting(f: WaitingFilter): Promise<ReleaseRecord[]> {
    const filter: Record<string, unknown> = { status: 'held' };
    if (f.requirement) filter.waitingFor = f.requirement;
    if (f.office) filter.office = f.office;
    if (f.borderPost) filter.borderPost = f.borderPost;
    // The cursor is the last MRN of the previous page: pages follow the MRN order.
    if (f.after) filter._id = mongoose.trusted({ $gt: f.after });
    const docs = await this.model
      .find(filter)
      .sort({ _id: 1 })
      .limit(Math.min(Math.max(f.limit, 1), 500))
      .lean();
    return docs.map((d) => toDomain(d));
  }
}
