import {
  RiskAssessmentCounts,
  RiskAssessmentRecord,
  RiskAssessmentRecordRepository,
} from '@customs/persistence';
import { RiskReferenceService } from '../reference/risk-reference.service';
import { InMemoryReferenceRepository } from '../testing/risk-app.fixtures';
import { StatisticsService } from './statistics.service';

/** Counts as the Mongo repository does, over records kept in memory. */
class InMemoryRecords extends RiskAssessmentRecordRepository {
  readonly byMrn = new Map<string, RiskAssessmentRecord>();

  async record(r: RiskAssessmentRecord): Promise<'created' | 'exists'> {
    if (this.byMrn.has(r.mrn)) return 'exists';
    this.byMrn.set(r.mrn, r);
    return 'created';
  }

  async recordMany(records: RiskAssessmentRecord[]): Promise<void> {
    for (const r of records) await this.record(r);
  }

  async get(mrn: string): Promise<RiskAssessmentRecord | null> {
    return this.byMrn.get(mrn) ?? null;
  }

  async counts(rulesetVersion?: string): Promise<RiskAssessmentCounts[]> {
    const out = new Map<string, RiskAssessmentCounts>();
    for (const r of this.byMrn.values()) {
      if (rulesetVersion !== undefined && r.rulesetVersion !== rulesetVersion) continue;
      const c = out.get(r.rulesetVersion) ?? {
        rulesetVersion: r.rulesetVersion,
        total: 0,
        byLane: { green: 0, blue: 0, yellow: 0, red: 0 },
        hitsByRule: {},
        notSelectedByRule: {},
      };
      c.total += 1;
      c.byLane[r.channel] += 1;
      for (const h of r.hits) c.hitsByRule[h] = (c.hitsByRule[h] ?? 0) + 1;
      for (const h of r.notSelected) c.notSelectedByRule[h] = (c.notSelectedByRule[h] ?? 0) + 1;
      out.set(r.rulesetVersion, c);
    }
    return [...out.values()];
  }
}

const record = (mrn: string, channel: RiskAssessmentRecord['channel'], hits: string[] = []) => ({
  mrn,
  lrn: `L-${mrn}`,
  eventId: `e-${mrn}`,
  acceptedAt: '2026-11-28T00:00:00Z',
  rulesetVersion: 'seed-2026.1',
  traderRegistryVersion: 'seed-traders-2026.1',
  channel,
  ruleChannel: channel,
  score: 0,
  hits,
  notSelected: hits.filter((h) => h === 'LIMITED'),
});

describe('StatisticsService', () => {
  const records = new InMemoryRecords();
  const service = new StatisticsService(
    records,
    new RiskReferenceService(new InMemoryReferenceRepository()),
  );

  beforeAll(async () => {
    await records.record(record('A', 'red', ['ARMS-93']));
    await records.record(record('B', 'green', ['LIMITED']));
    await records.record(record('C', 'green'));
    expect(await records.record(record('C', 'red'))).toBe('exists');
  });

  it('gives lane counts, exact decimal rates, hits per rule and the configured rates', async () => {
    const s = await service.forVersion('seed-2026.1');
    expect(s).toMatchObject({
      rulesetVersion: 'seed-2026.1',
      total: 3,
      byLane: { red: 1, green: 2, yellow: 0, blue: 0 },
      rates: { red: '0.33333333333333333333', green: '0.66666666666666666667', blue: '0' },
      hitsByRule: { 'ARMS-93': 1, LIMITED: 1 },
      notSelectedByRule: { LIMITED: 1 },
      configured: { red: { minRate: '0.01', expectedRate: '0.03' } },
      effectiveFrom: '2026-01-01T00:00:00.000Z',
    });
    expect(await service.all()).toHaveLength(1);
  });

  it('answers zeros for a known version without decisions and null for an unknown one', async () => {
    const known = new StatisticsService(
      new InMemoryRecords(),
      new RiskReferenceService(new InMemoryReferenceRepository()),
    );
    expect(await known.forVersion('seed-2026.1')).toMatchObject({
      total: 0,
      rates: { green: '0', red: '0' },
    });
    expect(await service.forVersion('nope')).toBeNull();
  });
});
