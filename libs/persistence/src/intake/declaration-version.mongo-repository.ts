import { Connection, Model, Schema } from 'mongoose';
import { isDuplicateKey } from '../mongo-connection';
import { DeclarationVersion } from './declaration-version.model';
import { AddVersionResult, DeclarationVersionRepository } from './declaration-version.repository';

interface DeclarationVersionDocument extends DeclarationVersion {
  /** mrn:version, zero-padded so that _id order is version order. */
  _id: string;
}

const schema = new Schema<DeclarationVersionDocument>(
  {
    _id: String,
    mrn: { type: String, index: true },
    version: Number,
    kind: String,
    payloadHash: String,
    declaration: { type: String, default: null },
    reason: { type: String, default: null },
    nomenclatureVersion: { type: String, default: null },
    event: String,
    eventId: String,
    published: Boolean,
    requestedAt: String,
  },
  { versionKey: false, collection: 'declaration_versions' },
);

const idOf = (mrn: string, version: number) => `${mrn}:${String(version).padStart(6, '0')}`;

const toDomain = ({ _id: _ignored, ...d }: DeclarationVersionDocument): DeclarationVersion => d;

export class MongoDeclarationVersionRepository extends DeclarationVersionRepository {
  private readonly model: Model<DeclarationVersionDocument>;

  constructor(connection: Connection) {
    super();
    this.model = connection.model<DeclarationVersionDocument>('DeclarationVersion', schema);
  }

  async list(mrn: string): Promise<DeclarationVersion[]> {
    const docs = await this.model.find({ mrn }).lean();
    return docs.map(toDomain).sort((a, b) => a.version - b.version);
  }

  async add(v: DeclarationVersion): Promise<AddVersionResult> {
    try {
      await this.model.create({ _id: idOf(v.mrn, v.version), ...v });
      return { added: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const d = await this.model.findById(idOf(v.mrn, v.version)).lean();
      if (!d) throw error;
      return { added: false, existing: toDomain(d) };
    }
  }

  async markPublished(mrn: string, version: number): Promise<void> {
    await this.model.updateOne({ _id: idOf(mrn, version) }, { $set: { published: true } });
  }
}
