import { isDuplicateKey } from '../mongo-connection';
import { AnyBulkWriteOperation, Connection, Model, Schema, trusted } from 'mongoose';
import { planTimelineAppends, TimelineAppend } from './timeline-append.plan';
import { DeclarationTimeline, TimelineEntry } from './timeline.model';
import { TimelineRepository } from './timeline.repository';

interface TimelineDocument {
  _id: string;
  lrn: string;
  declarantId: string;
  borderPost: string;
  entries: (Omit<TimelineEntry, 'summary'> & { summary: string })[];
}

type StoredEntry = TimelineDocument['entries'][number];
const toStored = (entry: TimelineEntry): StoredEntry => ({
  ...entry,
  summary: JSON.stringify(entry.summary),
});

/** How many times appends that lost an insert race are merged again (then the store is odd). */
const MAX_ROUNDS = 3;

const schema = new Schema<TimelineDocument>(
  {
    _id: String,
    lrn: String,
    declarantId: { type: String, index: true },
    borderPost: String,
    entries: [
      {
        _id: false,
        eventId: String,
        // `type` is Mongoose's own keyword: spelled out so it means a field here.
        type: { type: String },
        sequence: Number,
        occurredAt: String,
        producer: String,
        topic: String,
        summary: String,
      },
    ],
  },
  { versionKey: false, collection: 'timelines' },
);

export class MongoTimelineRepository extends TimelineRepository {
  private readonly model: Model<TimelineDocument>;

  constructor(connection: Connection) {
    super();
    this.model = connection.model<TimelineDocument>('Timeline', schema);
  }

  async append(head: Omit<DeclarationTimeline, 'entries'>, entry: TimelineEntry): Promise<void> {
    // One writer per MRN (its partition's consumer), so read-then-write is safe here.
    const stored = toStored(entry);
    const existing = await this.model.findById(head.mrn, { 'entries.eventId': 1 }).lean();
    if (!existing) {
      try {
        await this.model.create({
          _id: head.mrn,
          lrn: head.lrn,
          declarantId: head.declarantId,
          borderPost: head.borderPost,
          entries: [stored],
        });
        return;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    } else if (existing.entries.some((e) => e.eventId === entry.eventId)) {
      return;
    }
    await this.model.updateOne({ _id: head.mrn }, { $push: { entries: stored } });
  }

  override async appendMany(appends: TimelineAppend[]): Promise<void> {
    let pending = appends;
    for (let round = 1; pending.length > 0; round++) {
      const lost = await this.appendRound(pending);
      if (lost.size === 0) return;
      if (round >= MAX_ROUNDS)
        throw new Error(`timelines ${[...lost].join(', ')} kept being created meanwhile`);
      // Someone created these timelines since the read (lodgement, a former partition owner):
      // read them again and push what they lack.
      pending = pending.filter((a) => lost.has(a.head.mrn));
    }
  }

  /** One read and one bulk write; gives back the MRNs whose insert found the timeline there. */
  private async appendRound(appends: TimelineAppend[]): Promise<Set<string>> {
    const mrns = [...new Set(appends.map((a) => a.head.mrn))];
    const docs = await this.model
      // sanitizeFilter refuses operators from outside; this one is ours, over typed ids.
      .find({ _id: trusted({ $in: mrns }) }, { 'entries.eventId': 1 })
      .lean();
    const stored = new Map(docs.map((d) => [d._id, new Set(d.entries.map((e) => e.eventId))]));
    const plan = planTimelineAppends(stored, appends);
    const ops: AnyBulkWriteOperation<TimelineDocument>[] = [
      ...plan.inserts.map(({ head, entries }) => ({
        insertOne: {
          document: {
            _id: head.mrn,
            lrn: head.lrn,
            declarantId: head.declarantId,
            borderPost: head.borderPost,
            entries: entries.map(toStored),
          },
        },
      })),
      ...plan.pushes.map(({ mrn, entries }) => ({
        // updateMany although _id matches one: FerretDB 1.24 keeps the cursor of every
        // updateOne statement of a command open (one SQLite connection each) until the command
        // ends, so ~100 of them exhaust the database's pool of 100 and hang the store; a
        // multi-update reads its cursor to the end and gives the connection back at once.
        updateMany: {
          filter: { _id: mrn },
          update: { $push: { entries: { $each: entries.map(toStored) } } },
        },
      })),
    ];
    const lost = new Set<string>();
    if (ops.length === 0) return lost;
    try {
      await this.model.bulkWrite(ops, { ordered: false, throwOnValidationError: true });
    } catch (error) {
      // Unordered: every write but the failed ones landed; a duplicate key is an insert race.
      const writeErrors = (error as { writeErrors?: { code?: number; index?: number }[] })
        .writeErrors;
      if (!writeErrors?.length || !writeErrors.every((w) => isDuplicateKey(w))) throw error;
      for (const w of writeErrors) {
        const insert = w.index === undefined ? undefined : plan.inserts[w.index];
        if (!insert) throw error;
        lost.add(insert.head.mrn);
      }
    }
    return lost;
  }

  async get(mrn: string): Promise<DeclarationTimeline | null> {
    const d = await this.model.findById(mrn).lean();
    if (!d) return null;
    return {
      mrn: d._id,
      lrn: d.lrn,
      declarantId: d.declarantId,
      borderPost: d.borderPost,
      entries: d.entries
        .map((e) => ({ ...e, summary: JSON.parse(e.summary) as Record<string, unknown> }))
        .sort((a, b) => a.sequence - b.sequence),
    };
  }
}
