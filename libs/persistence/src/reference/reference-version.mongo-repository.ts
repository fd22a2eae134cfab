import { Connection, Model, Schema } from 'mongoose';
import { isDuplicateKey } from '../mongo-connection';
import { ReferenceVersion } from './reference-version.model';
import { ReferenceVersionRepository, SaveReferenceResult } from './reference-version.repository';

interface ReferenceVersionDocument {
  _id: string;
  kind: string;
  version: string;
  effectiveFrom: string;
  importedAt: string;
  sha256: string;
  source: string;
  /** JSON text: reference content may hold keys MongoDB/FerretDB refuse (dots, dollars). */
  content: string;
}

const schema = new Schema<ReferenceVersionDocument>(
  {
    _id: String,
    kind: { type: String, index: true },
    version: String,
    effectiveFrom: String,
    importedAt: String,
    sha256: String,
    source: String,
    content: String,
  },
  { versionKey: false, collection: 'reference_versions' },
);

const toDomain = <T>(d: ReferenceVersionDocument): ReferenceVersion<T> => ({
  kind: d.kind,
  version: d.version,
  effectiveFrom: d.effectiveFrom,
  importedAt: d.importedAt,
  sha256: d.sha256,
  source: d.source,
  content: JSON.parse(d.content) as T,
});

export class MongoReferenceVersionRepository extends ReferenceVersionRepository {
  private readonly model: Model<ReferenceVersionDocument>;

  constructor(connection: Connection) {
    super();
    this.model = connection.model<ReferenceVersionDocument>('ReferenceVersion', schema);
  }

  async save<T>(v: ReferenceVersion<T>): Promise<SaveReferenceResult> {
    const _id = `${v.kind}:${v.version}`;
    try {
      await this.model.create({ _id, ...v, content: JSON.stringify(v.content) });
      return 'created';
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.model.findById(_id, { sha256: 1 }).lean();
      return existing?.sha256 === v.sha256 ? 'unchanged' : 'conflict';
    }
  }

  async get<T>(kind: string, version: string): Promise<ReferenceVersion<T> | null> {
    const d = await this.model.findById(`${kind}:${version}`).lean();
    return d ? toDomain<T>(d) : null;
  }

  async list<T>(kind: string): Promise<ReferenceVersion<T>[]> {
    const docs = await this.model.find({ kind }).lean();
    return docs
      .map((d) => toDomain<T>(d))
      .sort((a, b) => Date.parse(a.effectiveFrom) - Date.parse(b.effectiveFrom));
  }
}
