import mongoose, { Connection, Model, Schema } from 'mongoose';
import { insertManyRefusingDuplicates, isDuplicateKey } from '../mongo-connection';
import { StoredNotification } from './notification.model';
import { NotificationRepository } from './notification.repository';

interface NotificationDocument {
  /** The notification's event id: a redelivered or republished notification is stored once. */
  _id: string;
  recipient: string;
  cursor: number;
  partition: number;
  code: string;
  mrn: string | null;
  lrn: string;
  /** JSON text: the exact envelope back, whatever its field names. */
  envelope: string;
}

const schema = new Schema<NotificationDocument>(
  {
    _id: String,
    recipient: String,
    cursor: Number,
    partition: Number,
    code: String,
    mrn: { type: String, default: null },
    lrn: String,
    envelope: String,
  },
  { versionKey: false, collection: 'notifications' },
);
schema.index({ recipient: 1, cursor: 1 });

const toDomain = (d: NotificationDocument): StoredNotification => ({
  eventId: d._id,
  recipient: d.recipient,
  cursor: d.cursor,
  partition: d.partition,
  code: d.code,
  mrn: d.mrn,
  lrn: d.lrn,
  envelope: JSON.parse(d.envelope),
});

const toDocument = (n: StoredNotification): NotificationDocument => ({
  _id: n.eventId,
  recipient: n.recipient,
  cursor: n.cursor,
  partition: n.partition,
  code: n.code,
  mrn: n.mrn,
  lrn: n.lrn,
  envelope: JSON.stringify(n.envelope),
});

export class MongoNotificationRepository extends NotificationRepository {
  private readonly model: Model<NotificationDocument>;

  constructor(connection: Connection) {
    super();
    this.model = connection.model<NotificationDocument>('Notification', schema);
  }

  async init(): Promise<void> {
    await this.model.init();
  }

  async record(n: StoredNotification): Promise<boolean> {
    try {
      await this.model.create(toDocument(n));
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async recordMany(notifications: readonly StoredNotification[]): Promise<Set<string>> {
    // A refused row is a notification stored before.
    const refused = await insertManyRefusingDuplicates(this.model, notifications.map(toDocument));
    return new Set([...refused].map((i) => notifications[i].eventId));
  }

  async list(recipient: string, after: number, limit: number): Promise<StoredNotification[]> {
    const docs = await this.model
      .find({ recipient, cursor: mongoose.trusted({ $gt: after }) })
      .sort({ cursor: 1 })
      .limit(Math.min(Math.max(limit, 1), 500))
      .lean();
    return docs.map(toDomain);
  }
}
