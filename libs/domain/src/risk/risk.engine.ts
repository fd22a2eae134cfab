import type { Channel, Declaration, Party, RiskResult, RuleHit } from '@customs/contracts';
import Decimal from 'decimal.js';
import { evaluateCriterion, looksAtItems, matchingItemNumbers } from './criteria.rules';
import { laneDraw, ruleDraw } from './random-draw.engine';
import { randomLaneBounds, randomLaneFor } from './random-selection.engine';
import { RiskAssessmentInputError } from './risk.errors';
import { requireInstant } from './ruleset.selection';
import {
  AeoBenefit,
  CONTROL_LANES,
  ENGINE_HIT_IDS,
  RiskRule,
  Ruleset,
  TraderRecord,
  TraderRegistry,
  WatchlistEntry,
} from './ruleset.model';

// Exact products of short decimal strings and integers (compliance bands).
const Dec = Decimal.clone({ precision: 60 });

const SEVERITY: Record<Channel, number> = { green: 0, blue: 1, yellow: 2, red: 3 };

/** Red > yellow > blue > green. */
export function channelSeverity(channel: Channel): number {
  return SEVERITY[channel];
}

export function mostSevere(a: Channel, b: Channel): Channel {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

export interface RiskAssessmentInput {
  declaration: Declaration;
  mrn: string;
  /** ISO-8601 instant of acceptance: the ruleset and registry must be in force by then. */
  acceptedAt: string;
}

interface TraderIndex {
  traders: Map<string, TraderRecord>;
  watchlist: Map<string, WatchlistEntry>;
}

// Pure memo: a parsed registry is frozen, so its index never goes stale.
const traderIndexes = new WeakMap<TraderRegistry, TraderIndex>();

function indexOf(registry: TraderRegistry): TraderIndex {
  let idx = traderIndexes.get(registry);
  if (!idx) {
    idx = {
      traders: new Map(registry.traders.map((t) => [t.id, t])),
      watchlist: new Map(registry.watchlist.map((w) => [w.id, w])),
    };
    traderIndexes.set(registry, idx);
  }
  return idx;
}

const WATCHED_ROLES = ['declarant', 'importer', 'exporter', 'seller', 'buyer'] as const;

/**
 * The trader whose record earns AEO benefits and whose compliance counts: the importer on
 * imports, the exporter on exports, the declarant on transit (the holder of the procedure)
 * or when that party is absent. Not the declarant generally: a broker's AEO status must
 * not lower controls on goods of a non-AEO importer it represents.
 */
export function principalParty(declaration: Declaration): { role: string; party: Party } {
  if (declaration.declarationType === 'import' && declaration.importer) {
    return { role: 'importer', party: declaration.importer };
  }
  if (declaration.declarationType === 'export' && declaration.exporter) {
    return { role: 'exporter', party: declaration.exporter };
  }
  return { role: 'declarant', party: declaration.declarant };
}

/**
 * Assesses one accepted declaration: rules and score, trader registry (watchlist, AEO,
 * compliance), then random selection. Pure and deterministic: the same input, ruleset and
 * registry give the same result in any process.
 *
 * Lane = the most severe of: lanes of selected rule hits, red for a watchlisted party, the
 * score threshold lane, the random lane. Score = sum of points of selected hits (rule
 * points, compliance points, minus the AEO reduction), floored at 0.
 */
export function assessRisk(
  input: RiskAssessmentInput,
  ruleset: Ruleset,
  traders: TraderRegistry,
): RiskResult {
  const { declaration, mrn, acceptedAt } = input;
  if (typeof mrn !== 'string' || mrn.length === 0) {
    throw new RiskAssessmentInputError('mrn must be a non-empty string');
  }
  const at = requireInstant(acceptedAt, 'acceptedAt');
  if (requireInstant(ruleset.effectiveFrom, 'ruleset.effectiveFrom') > at) {
    throw new RiskAssessmentInputError(
      `ruleset ${ruleset.version} is effective from ${ruleset.effectiveFrom}, after acceptance at ${acceptedAt}`,
    );
  }
  if (requireInstant(traders.effectiveFrom, 'traders.effectiveFrom') > at) {
    throw new RiskAssessmentInputError(
      `trader registry ${traders.version} is effective from ${traders.effectiveFrom}, after acceptance at ${acceptedAt}`,
    );
  }

  const index = indexOf(traders);
  const hits: RuleHit[] = [...watchlistHits(declaration, index)];

  const principal = principalParty(declaration);
  const record = index.traders.get(principal.party.id);
  let aeo: AeoBenefit | undefined;
  if (record?.aeo) {
    aeo = ruleset.aeo[record.aeo];
    hits.push({
      ruleId: ENGINE_HIT_IDS.aeo,
      source: 'aeo',
      reason:
        `${principal.role} ${record.id} holds ${record.aeo}: random selection rates x${aeo.randomRateFactor}` +
        (aeo.pointsReduction > 0 ? `, score -${aeo.pointsReduction}` : ''),
      ...(aeo.pointsReduction > 0 ? { points: -aeo.pointsReduction } : {}),
    });
  }
  const compliance = record ? complianceHit(record, principal.role, ruleset) : undefined;
  if (compliance) hits.push(compliance);

  for (const rule of ruleset.rules) {
    const hit = ruleHit(rule, declaration, mrn, ruleset.seed);
    if (hit) hits.push(hit);
  }

  const points = hits.reduce((sum, h) => sum + (h.points ?? 0), 0);
  const score = Math.max(0, points);
  const thresholdLane = CONTROL_LANES.find((lane) => score >= ruleset.thresholds[lane]);
  if (thresholdLane) {
    hits.push({
      ruleId: ENGINE_HIT_IDS.score,
      source: 'score',
      channel: thresholdLane,
      reason: `score ${score} reaches the ${thresholdLane} threshold ${ruleset.thresholds[thresholdLane]}`,
    });
  }
  const ruleChannel = hits.reduce<Channel>(
    (lane, h) => (h.channel ? mostSevere(lane, h.channel) : lane),
    'green',
  );

  const draw = laneDraw(ruleset.seed, mrn);
  const bounds = randomLaneBounds(ruleset.randomSelection, aeo?.randomRateFactor ?? '1');
  const randomLane = randomLaneFor(draw.bits, bounds);
  let channel = ruleChannel;
  if (randomLane) {
    channel = mostSevere(ruleChannel, randomLane);
    const raised = channel !== ruleChannel;
    hits.push({
      ruleId: `${ENGINE_HIT_IDS.randomPrefix}${randomLane.toUpperCase()}`,
      source: 'random',
      channel: randomLane,
      reason:
        `random selection for ${randomLane} (rate ${bounds.rates[randomLane]})` +
        (raised ? '' : `; no effect, already ${ruleChannel} by rules`),
    });
  }

  return {
    channel,
    score,
    hits,
    randomDraw: draw.decimal,
    rulesetVersion: ruleset.version,
    traderRegistryVersion: traders.version,
    ruleChannel,
  };
}

function watchlistHits(declaration: Declaration, index: TraderIndex): RuleHit[] {
  // One hit per listed party, naming every role it plays in this declaration.
  const roles = new Map<string, string[]>();
  for (const role of WATCHED_ROLES) {
    const party = declaration[role];
    if (party && index.watchlist.has(party.id))
      roles.set(party.id, [...(roles.get(party.id) ?? []), role]);
  }
  return [...roles].map(([id, r]) => ({
    ruleId: ENGINE_HIT_IDS.watchlist,
    source: 'watchlist' as const,
    channel: 'red' as const,
    reason: `${r.join(' and ')} ${id} is on the watchlist: ${index.watchlist.get(id)!.reason}`,
  }));
}

/** Points for a poor record: the highest matching score band or irregularity band (not both added). */
function complianceHit(record: TraderRecord, role: string, ruleset: Ruleset): RuleHit | undefined {
  const settings = ruleset.compliance;
  let points = 0;
  const why: string[] = [];
  if (record.complianceScore !== undefined) {
    const p = Math.max(
      0,
      ...settings.scoreBands.filter((b) => record.complianceScore! < b.below).map((b) => b.points),
    );
    if (p > 0) why.push(`compliance score ${record.complianceScore}`);
    points = Math.max(points, p);
  }
  const h = record.history;
  if (h && h.declarations >= settings.minDeclarations) {
    // rate >= atLeast  <=>  irregularities >= atLeast * declarations: exact, no division.
    const p = Math.max(
      0,
      ...settings.irregularityRateBands
        .filter((b) => new Dec(b.atLeast).times(h.declarations).lte(h.irregularities))
        .map((b) => b.points),
    );
    if (p > 0) why.push(`${h.irregularities} irregularities in ${h.declarations} declarations`);
    points = Math.max(points, p);
  }
  if (points === 0) return undefined;
  return {
    ruleId: ENGINE_HIT_IDS.compliance,
    source: 'compliance',
    points,
    reason: `${role} ${record.id} has a poor compliance record (${why.join(', ')})`,
  };
}

function ruleHit(
  rule: RiskRule,
  declaration: Declaration,
  mrn: string,
  seed: string,
): RuleHit | undefined {
  if (!evaluateCriterion(rule.criteria, declaration)) return undefined;
  const items = looksAtItems(rule.criteria) ? matchingItemNumbers(rule.criteria, declaration) : [];
  const base: RuleHit = {
    ruleId: rule.id,
    source: 'rule',
    reason: rule.description,
    ...(items.length > 0 ? { itemNumbers: items } : {}),
  };
  const n = rule.maxHitsWithoutSelection ?? 0;
  // Hit limit N: selected when the rule's own draw u < 1/(N+1), i.e. bits * (N+1) < 2^52.
  if (n > 0 && ruleDraw(seed, mrn, rule.id).bits * BigInt(n + 1) >= 2n ** 52n) {
    return {
      ...base,
      selected: false,
      reason: `${rule.description} (hit not selected: hit limit ${n}, one hit in ${n + 1} is selected)`,
    };
  }
  return {
    ...base,
    ...('lane' in rule.action ? { channel: rule.action.lane } : { points: rule.action.points }),
    ...(n > 0 ? { selected: true } : {}),
  };
}
