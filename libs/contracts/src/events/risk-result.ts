/** What risk assessment adds to a declaration (the risk-assessed event's `risk`). */
export const CHANNELS = ['green', 'blue', 'yellow', 'red'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface RuleHit {
  ruleId: string;
  reason: string;
  channel?: Channel;
  points?: number;
}

export interface RiskResult {
  channel: Channel;
  score: number;
  hits: RuleHit[];
  /** Random selection draw in [0, 1) from HMAC(seed, MRN), as a decimal string. */
  randomDraw: string;
  rulesetVersion: string;
}
