/** What risk assessment adds to a declaration (the risk-assessed event's `risk`). */
export const CHANNELS = ['green', 'blue', 'yellow', 'red'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Where a hit comes from: a ruleset rule, the score thresholds, the random selection,
 * the trader registry (watchlist, AEO status, compliance record).
 */
export const RULE_HIT_SOURCES = [
  'rule',
  'score',
  'random',
  'watchlist',
  'aeo',
  'compliance',
] as const;
export type RuleHitSource = (typeof RULE_HIT_SOURCES)[number];

export interface RuleHit {
  ruleId: string;
  reason: string;
  /** Lane this hit asks for (absent when it only adds points or did not take effect). */
  channel?: Channel;
  /** Points added to the score (negative for AEO reductions). */
  points?: number;
  source?: RuleHitSource;
  /** Items that on their own satisfy the rule's criteria, when the rule looks at items. */
  itemNumbers?: number[];
  /**
   * False when the rule matched but its hit limit (`maxHitsWithoutSelection`) left this
   * declaration unselected: the hit is recorded for statistics and has no effect.
   */
  selected?: boolean;
}

export interface RiskResult {
  channel: Channel;
  score: number;
  hits: RuleHit[];
  /** Random selection draw in [0, 1) from HMAC(seed, MRN), as a decimal string. */
  randomDraw: string;
  rulesetVersion: string;
  /**
   * Trader registry version used (AEO status, compliance, watchlist). Always set by the
   * risk engine; optional only so that schemaVersion 1 payloads written before it still read.
   */
  traderRegistryVersion?: string;
  /** Lane from rules, score and trader registry alone, before random selection. */
  ruleChannel?: Channel;
}
