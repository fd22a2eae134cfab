import { Channel, CHANNELS, RiskResult } from '@customs/contracts';
import Decimal from 'decimal.js';

export interface RiskStatistics {
  total: number;
  byLane: Record<Channel, number>;
  /** Share of each lane, decimal strings (20 significant digits); "0" when there are no results. */
  rates: Record<Channel, string>;
  /** Hits per rule id, engine hits (RANDOM-RED, SCORE, WATCHLIST, AEO, COMPLIANCE) included, unselected hits included. */
  hitsByRule: Record<string, number>;
  /** Of those, hits that the rule's hit limit left unselected. */
  notSelectedByRule: Record<string, number>;
}

/** Lane counts and rates, and hit counts per rule: what an officer tunes rates and estimates with. */
export function summariseRiskResults(results: RiskResult[]): RiskStatistics {
  const byLane = Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>;
  const hitsByRule: Record<string, number> = {};
  const notSelectedByRule: Record<string, number> = {};
  for (const r of results) {
    byLane[r.channel] += 1;
    for (const h of r.hits) {
      hitsByRule[h.ruleId] = (hitsByRule[h.ruleId] ?? 0) + 1;
      if (h.selected === false)
        notSelectedByRule[h.ruleId] = (notSelectedByRule[h.ruleId] ?? 0) + 1;
    }
  }
  const total = results.length;
  const rates = Object.fromEntries(
    CHANNELS.map((c) => [c, total === 0 ? '0' : new Decimal(byLane[c]).div(total).toString()]),
  ) as Record<Channel, string>;
  return { total, byLane, rates, hitsByRule, notSelectedByRule };
}
