import type { DecimalString } from '@customs/contracts';

/**
 * A risk ruleset as data (JSON), versioned and in force from `effectiveFrom`. Produced by
 * `parseRuleset`, which checks every field; the engine trusts a parsed ruleset.
 */
export interface Ruleset {
  version: string;
  /** ISO-8601 date-time with a zone (Z or offset), so every process reads the same instant. */
  effectiveFrom: string;
  /** HMAC-SHA256 key (UTF-8) for the random draws. Changing it changes every draw. */
  seed: string;
  /** Score thresholds: score >= red -> red, >= yellow -> yellow, >= blue -> blue. */
  thresholds: LaneThresholds;
  randomSelection: RandomSelectionSettings;
  /** Control reductions for Authorised Economic Operators, by AEO type. */
  aeo: AeoBenefits;
  /** Points for a poor compliance record of the principal trader. */
  compliance: ComplianceSettings;
  rules: RiskRule[];
}

/** The lanes that a rule, the score or a random draw can select (green is "not selected"). */
export const CONTROL_LANES = ['red', 'yellow', 'blue'] as const;
export type ControlLane = (typeof CONTROL_LANES)[number];

export type LaneThresholds = Record<ControlLane, number>;

export interface LaneRandomRate {
  /** Random selection that always happens, whatever the rules already select. */
  minRate: DecimalString;
  /** Target share of declarations in this lane, rule and random selections together. */
  expectedRate: DecimalString;
  /**
   * Share of declarations that the rules are expected to put in this lane (from past
   * statistics). The top-up subtracts it from the expected rate; 0 when absent.
   */
  estimatedRuleRate?: DecimalString;
}

export type RandomSelectionSettings = Record<ControlLane, LaneRandomRate>;

export const AEO_TYPES = ['AEOC', 'AEOS', 'AEOF'] as const;
export type AeoType = (typeof AEO_TYPES)[number];

export interface AeoBenefit {
  /** Multiplies every random selection rate (e.g. "0.5" halves them). */
  randomRateFactor: DecimalString;
  /** Points subtracted from the score (a non-negative number). */
  pointsReduction: number;
}

export type AeoBenefits = Record<AeoType, AeoBenefit>;

export interface ComplianceSettings {
  /** Compliance score (0-100, higher is better) strictly below `below` adds `points`; the highest matching band counts. */
  scoreBands: { below: number; points: number }[];
  /** Irregularity rate (irregularities / declarations) at or above `atLeast` adds `points`; the highest matching band counts. */
  irregularityRateBands: { atLeast: DecimalString; points: number }[];
  /** A history with fewer declarations than this is not judged (too few to mean anything). */
  minDeclarations: number;
}

export type RuleAction = { lane: ControlLane } | { points: number };

export interface RiskRule {
  /** Upper-case letters, digits, '-' and '_'; must not start with an engine prefix (see ENGINE_HIT_IDS). */
  id: string;
  /** Reason text recorded with every hit. */
  description: string;
  criteria: Criterion;
  action: RuleAction;
  /**
   * ASYCUDA's "maximum hits without selection". Kept deterministic and stateless: a hit is
   * selected with probability 1/(N+1), decided by the rule's own HMAC draw (see
   * `ruleDraw`), so on average one hit in N+1 takes effect. 0 or absent: every hit.
   */
  maxHitsWithoutSelection?: number;
}

/**
 * Criteria over the declaration. Item criteria (commodity code, origin, value bands) match
 * when any item matches; inside `anyItem` they must all hold for the same item.
 */
export type Criterion =
  | { type: 'all'; criteria: Criterion[] }
  | { type: 'any'; criteria: Criterion[] }
  | { type: 'not'; criterion: Criterion }
  | { type: 'anyItem'; criterion: Criterion }
  | { type: 'commodityCodePrefix'; prefixes: string[] }
  | { type: 'originCountry'; countries: string[] }
  | { type: 'dispatchCountry'; countries: string[] }
  | { type: 'declarantId'; ids: string[] }
  | { type: 'importerId'; ids: string[] }
  /** Matches codes starting with one of the values: '40' is any release for free circulation. */
  | { type: 'procedureCode'; codes: string[] }
  | { type: 'incoterm'; incoterms: string[] }
  | { type: 'transportMode'; modes: string[] }
  | { type: 'invoiceCurrency'; currencies: string[] }
  | ValueBandCriterion
  /** Number of items, bounds inclusive. */
  | { type: 'itemCount'; min?: number; max?: number }
  | FieldCriterion;

/**
 * Item invoice amount per kg of net mass (`valuePerKg`) or per unit of quantity
 * (`valuePerUnit`), in the INVOICE currency: the engine has no exchange rates, so a band
 * with `currency` only matches declarations invoiced in that currency (write one band per
 * currency), and a band without it compares raw amounts whatever the currency.
 * Band is [min, max): min inclusive, max exclusive. Items with zero mass/quantity never match.
 */
export interface ValueBandCriterion {
  type: 'valuePerKg' | 'valuePerUnit';
  min?: DecimalString;
  max?: DecimalString;
  currency?: string;
  /** valuePerUnit only: the item's unit must be this one (e.g. 'NAR'). */
  unit?: string;
}

export type FieldValue = string | number | boolean | null;

/**
 * A dotted path into the declaration (`costs.freight`, `exporter.country`, `items.0.unit`).
 * A non-numeric segment over an array looks into every element, so `items.preferenceCode`
 * matches when any item's value matches. Exactly one of equals / in / exists.
 * Values compare with ===: decimal strings compare as text ("1.0" is not "1").
 */
export interface FieldCriterion {
  type: 'field';
  path: string;
  equals?: FieldValue;
  in?: FieldValue[];
  exists?: boolean;
}

export type CriterionType = Criterion['type'];

/** Trader registry: AEO status, compliance record and watchlist, versioned like rulesets. */
export interface TraderRegistry {
  version: string;
  effectiveFrom: string;
  traders: TraderRecord[];
  watchlist: WatchlistEntry[];
}

export interface TraderRecord {
  /** EORI-style id, as in the declaration's parties. */
  id: string;
  name?: string;
  aeo: AeoType | null;
  /** 0-100, higher is better. */
  complianceScore?: number;
  history?: { declarations: number; irregularities: number };
}

export interface WatchlistEntry {
  id: string;
  reason: string;
}

/** Hit ids the engine itself writes; rule ids may not start with them. */
export const ENGINE_HIT_IDS = {
  randomPrefix: 'RANDOM-',
  score: 'SCORE',
  watchlist: 'WATCHLIST',
  aeo: 'AEO',
  compliance: 'COMPLIANCE',
} as const;
