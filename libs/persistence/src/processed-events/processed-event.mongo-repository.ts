import { insertManyRefusingDuplicates, isDuplicateKey } from '../mongo-connection';
import { OutgoingRecord } from '@customs/messaging';
import { Connection, Model, Schema, trusted } from 'mongoose';
import { ProcessedEventRepository, ProcessedInput } from './processed-event.repository';

interface ProcessedEventDocument {
  _id: string;
  mrn: string | null;
  /** Outputs as JSON text: the exact bytes come back on redelivery. */
  outputs: string;
  source?: string | null;
  at: Date;
}

const schema = new Schema<ProcessedEventDocument>(
  {
    _id: String,
    mrn: { type: String, default: null, index: true },
    outputs: String,
    source: { type: String, default: null },
    at: Date,
  },
  { versionKey: false, collection: 'processed_events' },
);

const toRecords = (doc: Pick<ProcessedEventDocument, 'outputs'>): OutgoingRecord[] =>
  JSON.parse(doc.outputs);

export class MongoProcessedEventRepository extends ProcessedEventRepository {
  private readonly model: Model<ProcessedEventDocument>;

  constructor(connection: Connection) {
    super();
    this.model = connection.model<ProcessedEventDocument>('ProcessedEvent', schema);
  }

  async find(eventId: string): Promise<ProcessedInput | null> {
    const doc = await this.model.findById(eventId, { outputs: 1, source: 1 }).lean();
    return doc ? { outputs: toRecords(doc), source: doc.source ?? null } : null;
  }

  async record(eventId: string, mrn: string | null, outputs: OutgoingRecord[]): Promise<boolean> {
    try {
      await this.model.create({
        _id: eventId,
        mrn,
        outputs: JSON.stringify(outputs),
        at: new Date(),
      });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async findByMrn(mrn: string): Promise<OutgoingRecord[]> {
    const docs = await this.model.find({ mrn }, { outputs: 1 }).lean();
    return docs.flatMap(toRecords);
  }

  async findMany(eventIds: string[]): Promise<Map<string, ProcessedInput>> {
    const found = new Map<string, ProcessedInput>();
    if (eventIds.length === 0) return found;
    const docs = await this.model
      .find(
        // sanitizeFilter refuses operators from outside; this one is ours, over typed ids.
        { _id: trusted({ $in: eventIds.map(String) }) },
        { outputs: 1, source: 1 },
      )
      .lean();
    for (const d of docs) found.set(d._id, { outputs: toRecords(d), source: d.source ?? null });
    return found;
  }

  async recordMany(
    rows: {
      eventId: string;
      mrn: string | null;
      outputs: OutgoingRecord[];
      source: string | null;
    }[],
  ): Promise<Set<string>> {
    const at = new Date();
    // A refused row lost a race: another copy of the input was recorded first.
    const refused = await insertManyRefusingDuplicates(
      this.model,
      rows.map((r) => ({
        _id: r.eventId,
        mrn: r.mrn,
        outputs: JSON.stringify(r.outputs),
        source: r.source,
        at,
      })),
    );
    const lost = new Set([...refused].map((i) => rows[i].eventId));
    return lost;
  }
}
