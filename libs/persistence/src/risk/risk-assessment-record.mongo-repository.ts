import { Channel, CHANNELS } from '@customs/contracts';
import { Connection, Model, Schema } from 'mongoose';
import { isDuplicateKey } from '../mongo-connection';
import { RiskAssessmentCounts, RiskAssessmentRecord } from './risk-assessment-record.model';
import { RiskAssessmentRecordRepository } from './risk-assessment-record.repository';

interface RiskAssessmentDocument {
  _id: string;
  lrn: string;
  eventId: string;
  acceptedAt: string;
  rulesetVersion: string;
  traderRegistryVersion: string | null;
  channel: string;
  ruleChannel: string | null;
  score: number;
  hits: string[];
  notSelected: string[];
}

const schema = new Schema<RiskAssessmentDocument>(
  {
    _id: String,
    lrn: String,
    eventId: String,
    acceptedAt: String,
    rulesetVersion: { type: String, index: true },
    traderRegistryVersion: { type: String, default: null },
    channel: String,
    ruleChannel: { type: String, default: null },
    score: Number,
    hits: [String],
    notSelected: [String],
  },
  { versionKey: false, collection: 'risk_assessments' },
);

const toDomain = (d: RiskAssessmentDocument): RiskAssessmentRecord => ({
  mrn: d._id,
  lrn: d.lrn,
  eventId: d.eventId,
  acceptedAt: d.acceptedAt,
  rulesetVersion: d.rulesetVersion,
  traderRegistryVersion: d.traderRegistryVersion ?? null,
  channel: d.channel as Channel,
  ruleChannel: (d.ruleChannel as Channel | null) ?? null,
  score: d.score,
  hits: [...d.hits],
  notSelected: [...d.notSelected],
});

const sortedCounts = (m: Map<string, number>): Record<string, number> =>
  Object.fromEntries([...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));

/**
 * Statistics come from one streamed scan counted in code: FerretDB v1 has no `$facet` or
 * `$cond`, and on it three `$group` pipelines measured slower than one projected scan.
 * Memory stays bounded by the number of versions and rules, not of declarations.
 */
export class MongoRiskAssessmentRecordRepository extends RiskAssessmentRecordRepository {
  private readonly model: Model<RiskAssessmentDocument>;

  constructor(connection: Connection) {
    super();
    this.model = connection.model<RiskAssessmentDocument>('RiskAssessment', schema);
  }

  async record(r: RiskAssessmentRecord): Promise<'created' | 'exists'> {
    // A plain insert keyed by MRN (an upsert measured ~30x slower on FerretDB).
    const { mrn, ...rest } = r;
    try {
      await this.model.create({ _id: mrn, ...rest });
      return 'created';
    } catch (error) {
      if (isDuplicateKey(error)) return 'exists';
      throw error;
    }
  }

  async recordMany(records: RiskAssessmentRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      await this.model.insertMany(
        records.map(({ mrn, ...rest }) => ({ _id: mrn, ...rest })),
        { ordered: false },
      );
    } catch (error) {
      const writeErrors = (error as { writeErrors?: { err?: { code?: number }; code?: number }[] })
        .writeErrors;
      if (!writeErrors?.length || !writeErrors.every((w) => (w.err?.code ?? w.code) === 11000))
        throw error;
    }
  }

  async get(mrn: string): Promise<RiskAssessmentRecord | null> {
    const d = await this.model.findById(mrn).lean();
    return d ? toDomain(d) : null;
  }

  async counts(rulesetVersion?: string): Promise<RiskAssessmentCounts[]> {
    type Acc = {
      total: number;
      byLane: Record<Channel, number>;
      hits: Map<string, number>;
      notSelected: Map<string, number>;
    };
    const acc = new Map<string, Acc>();
    const cursor = this.model
      .find(rulesetVersion === undefined ? {} : { rulesetVersion }, {
        _id: 0,
        rulesetVersion: 1,
        channel: 1,
        hits: 1,
        notSelected: 1,
      })
      .lean()
      .cursor({ batchSize: 2000 });
    for await (const d of cursor) {
      let a = acc.get(d.rulesetVersion);
      if (!a) {
        a = {
          total: 0,
          byLane: Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>,
          hits: new Map(),
          notSelected: new Map(),
        };
        acc.set(d.rulesetVersion, a);
      }
      a.total += 1;
      if (CHANNELS.includes(d.channel as Channel)) a.byLane[d.channel as Channel] += 1;
      for (const id of d.hits ?? []) a.hits.set(id, (a.hits.get(id) ?? 0) + 1);
      for (const id of d.notSelected ?? []) a.notSelected.set(id, (a.notSelected.get(id) ?? 0) + 1);
    }
    return [...acc]
      .sort((x, y) => x[0].localeCompare(y[0]))
      .map(([version, a]) => ({
        rulesetVersion: version,
        total: a.total,
        byLane: a.byLane,
        hitsByRule: sortedCounts(a.hits),
        notSelectedByRule: sortedCounts(a.notSelected),
      }));
  }
}
