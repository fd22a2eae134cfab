import { Injectable } from '@nestjs/common';
import { Channel, CHANNELS } from '@customs/contracts';
import { ControlLane, LaneRandomRate, Ruleset } from '@customs/domain';
import { RiskAssessmentCounts, RiskAssessmentRecordRepository } from '@customs/persistence';
import Decimal from 'decimal.js';
import { RiskReferenceService } from '../reference/risk-reference.service';

export interface RulesetStatistics extends RiskAssessmentCounts {
  /** Share of each lane, decimal strings (as `summariseRiskResults` gives them); "0" when empty. */
  rates: Record<Channel, string>;
  /** The ruleset's configured random-selection rates, to compare the rates with (null if unknown). */
  configured: Record<ControlLane, LaneRandomRate> | null;
  effectiveFrom: string | null;
}

function withRates(counts: RiskAssessmentCounts, ruleset?: Ruleset): RulesetStatistics {
  const rates = Object.fromEntries(
    CHANNELS.map((c) => [
      c,
      counts.total === 0 ? '0' : new Decimal(counts.byLane[c]).div(counts.total).toString(),
    ]),
  ) as Record<Channel, string>;
  return {
    ...counts,
    rates,
    configured: ruleset ? { ...ruleset.randomSelection } : null,
    effectiveFrom: ruleset ? new Date(ruleset.effectiveFrom).toISOString() : null,
  };
}

/** Lane distribution and hits per rule by ruleset version: what officers tune rules with. */
@Injectable()
export class StatisticsService {
  constructor(
    private readonly records: RiskAssessmentRecordRepository,
    private readonly reference: RiskReferenceService,
  ) {}

  /** Null when the version is neither known nor used by any decision. */
  async forVersion(rulesetVersion: string): Promise<RulesetStatistics | null> {
    const [counts, rulesets] = await Promise.all([
      this.records.counts(rulesetVersion),
      this.reference.rulesetCatalog.all(),
    ]);
    const ruleset = rulesets.find((r) => r.version === rulesetVersion);
    if (!ruleset && counts.length === 0) return null;
    const empty: RiskAssessmentCounts = {
      rulesetVersion,
      total: 0,
      byLane: Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>,
      hitsByRule: {},
      notSelectedByRule: {},
    };
    return withRates(counts[0] ?? empty, ruleset);
  }

  /** Every version that has decisions (one scan of the records). */
  async all(): Promise<RulesetStatistics[]> {
    const [counts, rulesets] = await Promise.all([
      this.records.counts(),
      this.reference.rulesetCatalog.all(),
    ]);
    return counts.map((c) =>
      withRates(
        c,
        rulesets.find((r) => r.version === c.rulesetVersion),
      ),
    );
  }
}
