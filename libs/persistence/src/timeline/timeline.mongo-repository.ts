import { isDuplicateKey } from '../mongo-connection';
import { Connection, Model, Schema } from 'mongoose';
import { DeclarationTimeline, TimelineEntry } from './timeline.model';
import { TimelineRepository } from './timeline.repository';

interface TimelineDocument {
  _id: string;
  lrn: string;
  declarantId: string;
  borderPost: string;
  entries: (Omit<TimelineEntry, 'summary'> & { summary: string })[];
}

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
    const stored = { ...entry, summary: JSON.stringify(entry.summary) };
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
