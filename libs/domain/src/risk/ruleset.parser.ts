import { INCOTERMS_2020, TRANSPORT_MODES } from '@customs/contracts';
import Decimal from 'decimal.js';
import { ReferenceDataProblem, RiskReferenceDataError } from './risk.errors';
import {
  AEO_TYPES,
  AeoBenefits,
  ComplianceSettings,
  CONTROL_LANES,
  ControlLane,
  Criterion,
  ENGINE_HIT_IDS,
  FieldValue,
  LaneThresholds,
  RandomSelectionSettings,
  RiskRule,
  RuleAction,
  Ruleset,
  TraderRecord,
  TraderRegistry,
  WatchlistEntry,
} from './ruleset.model';

// Exact decimal arithmetic for rate sums: inputs are short decimal strings, 40 digits is ample.
const Dec = Decimal.clone({ precision: 40 });

/** ISO-8601 date-time with a mandatory zone: a zone-less time would be read in local time. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DECIMAL = /^\d+(\.\d+)?$/;
const RULE_ID = /^[A-Z0-9][A-Z0-9_-]{0,63}$/;
const COUNTRY = /^[A-Z]{2}$/;
const CURRENCY = /^[A-Z]{3}$/;
const PARTY_ID = /^[A-Z]{2}[A-Z0-9]{1,15}$/;

/** Milliseconds since the epoch of an ISO date-time with zone, or NaN. */
export function instantOf(isoDateTime: string): number {
  return ISO_DATE_TIME.test(isoDateTime) ? Date.parse(isoDateTime) : NaN;
}

type Json = Record<string, unknown>;

/** Collects every problem with its JSON path instead of stopping at the first. */
class Checker {
  readonly problems: ReferenceDataProblem[] = [];

  fail(path: string, message: string): undefined {
    this.problems.push({ path, message });
    return undefined;
  }

  object(v: unknown, path: string): Json | undefined {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Json;
    return this.fail(path, 'must be an object');
  }

  /** Flags keys the schema does not know: a misspelt key would otherwise be silently ignored. */
  onlyKeys(o: Json, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k))
        this.fail(`${path}.${k}`, `unknown property (allowed: ${allowed.join(', ')})`);
    }
  }

  string(v: unknown, path: string, pattern?: RegExp, what?: string): string | undefined {
    if (typeof v !== 'string' || v.length === 0)
      return this.fail(path, 'must be a non-empty string');
    if (pattern && !pattern.test(v)) return this.fail(path, `must be ${what ?? `like ${pattern}`}`);
    return v;
  }

  integer(
    v: unknown,
    path: string,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ): number | undefined {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      return this.fail(path, `must be an integer from ${min} to ${max}`);
    }
    return v;
  }

  decimal(v: unknown, path: string, max?: string): string | undefined {
    const s = this.string(v, path, DECIMAL, 'a non-negative decimal string such as "0.02"');
    if (s === undefined) return undefined;
    if (max !== undefined && new Dec(s).gt(max)) return this.fail(path, `must be at most ${max}`);
    return s;
  }

  dateTime(v: unknown, path: string): string | undefined {
    const s = this.string(v, path);
    if (s === undefined) return undefined;
    if (Number.isNaN(instantOf(s))) {
      return this.fail(path, 'must be an ISO-8601 date-time with zone, e.g. 2026-01-01T00:00:00Z');
    }
    return s;
  }

  array(v: unknown, path: string, nonEmpty = true): unknown[] | undefined {
    if (!Array.isArray(v)) return this.fail(path, 'must be an array');
    if (nonEmpty && v.length === 0) return this.fail(path, 'must not be empty');
    return v;
  }

  strings(v: unknown, path: string, pattern: RegExp, what: string): string[] | undefined {
    const arr = this.array(v, path);
    if (!arr) return undefined;
    const out = arr.map((s, i) => this.string(s, `${path}[${i}]`, pattern, what));
    return out.every((s) => s !== undefined) ? (out as string[]) : undefined;
  }

  oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T | undefined {
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    return this.fail(path, `must be one of ${values.join(', ')}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates a ruleset read from JSON. Returns a deep-frozen copy (the engine caches derived
 * values per ruleset object, so it must not change); throws RiskReferenceDataError listing
 * every problem with its JSON path.
 */
export function parseRuleset(json: unknown): Ruleset {
  const c = new Checker();
  const o = c.object(json, '$');
  if (!o) throw new RiskReferenceDataError('ruleset', c.problems);
  c.onlyKeys(o, '$', [
    'version',
    'effectiveFrom',
    'seed',
    'thresholds',
    'randomSelection',
    'aeo',
    'compliance',
    'rules',
    'description',
  ]);
  const version = c.string(o.version, '$.version');
  const effectiveFrom = c.dateTime(o.effectiveFrom, '$.effectiveFrom');
  const seed = c.string(o.seed, '$.seed');
  const thresholds = parseThresholds(c, o.thresholds, '$.thresholds');
  const randomSelection = parseRandomSelection(c, o.randomSelection, '$.randomSelection');
  const aeo = parseAeo(c, o.aeo, '$.aeo');
  const compliance = parseCompliance(c, o.compliance, '$.compliance');
  const rules: RiskRule[] = [];
  const rulesJson = c.array(o.rules, '$.rules', false);
  const seen = new Map<string, number>();
  rulesJson?.forEach((r, i) => {
    const rule = parseRule(c, r, `$.rules[${i}]`);
    if (!rule) return;
    const first = seen.get(rule.id);
    if (first !== undefined) c.fail(`$.rules[${i}].id`, `duplicate of $.rules[${first}].id`);
    seen.set(rule.id, i);
    rules.push(rule);
  });
  if (c.problems.length > 0) throw new RiskReferenceDataError('ruleset', c.problems);
  return deepFreeze({
    version: version!,
    effectiveFrom: effectiveFrom!,
    seed: seed!,
    thresholds: thresholds!,
    randomSelection: randomSelection!,
    aeo: aeo!,
    compliance: compliance!,
    rules,
  });
}

function parseThresholds(c: Checker, v: unknown, path: string): LaneThresholds | undefined {
  const o = c.object(v, path);
  if (!o) return undefined;
  c.onlyKeys(o, path, CONTROL_LANES);
  const red = c.integer(o.red, `${path}.red`, 1);
  const yellow = c.integer(o.yellow, `${path}.yellow`, 1);
  const blue = c.integer(o.blue, `${path}.blue`, 1);
  if (red === undefined || yellow === undefined || blue === undefined) return undefined;
  if (!(red > yellow && yellow > blue)) {
    return c.fail(path, 'thresholds must decrease strictly: red > yellow > blue');
  }
  return { red, yellow, blue };
}

function parseRandomSelection(
  c: Checker,
  v: unknown,
  path: string,
): RandomSelectionSettings | undefined {
  const o = c.object(v, path);
  if (!o) return undefined;
  c.onlyKeys(o, path, CONTROL_LANES);
  const out: Partial<RandomSelectionSettings> = {};
  let ok = true;
  let total = new Dec(0);
  for (const lane of CONTROL_LANES) {
    const p = `${path}.${lane}`;
    const l = c.object(o[lane], p);
    if (!l) {
      ok = false;
      continue;
    }
    c.onlyKeys(l, p, ['minRate', 'expectedRate', 'estimatedRuleRate']);
    const minRate = c.decimal(l.minRate, `${p}.minRate`, '1');
    const expectedRate = c.decimal(l.expectedRate, `${p}.expectedRate`, '1');
    const estimatedRuleRate =
      l.estimatedRuleRate === undefined
        ? undefined
        : c.decimal(l.estimatedRuleRate, `${p}.estimatedRuleRate`, '1');
    if (minRate === undefined || expectedRate === undefined) {
      ok = false;
      continue;
    }
    if (l.estimatedRuleRate !== undefined && estimatedRuleRate === undefined) ok = false;
    if (new Dec(minRate).gt(expectedRate)) {
      c.fail(`${p}.minRate`, `must not exceed expectedRate (${expectedRate})`);
      ok = false;
    }
    total = total.plus(Dec.max(minRate, expectedRate));
    out[lane] = { minRate, expectedRate, ...(estimatedRuleRate ? { estimatedRuleRate } : {}) };
  }
  if (!ok) return undefined;
  // The random intervals [0, r_red), [r_red, r_red + r_yellow), ... must fit in [0, 1).
  if (total.gt(1)) return c.fail(path, `expected rates add up to ${total.toString()}, more than 1`);
  return out as RandomSelectionSettings;
}

function parseAeo(c: Checker, v: unknown, path: string): AeoBenefits | undefined {
  const o = c.object(v, path);
  if (!o) return undefined;
  c.onlyKeys(o, path, AEO_TYPES);
  const out: Partial<AeoBenefits> = {};
  let ok = true;
  for (const t of AEO_TYPES) {
    const p = `${path}.${t}`;
    const b = c.object(o[t], p);
    if (!b) {
      ok = false;
      continue;
    }
    c.onlyKeys(b, p, ['randomRateFactor', 'pointsReduction']);
    const randomRateFactor = c.decimal(b.randomRateFactor, `${p}.randomRateFactor`, '1');
    const pointsReduction = c.integer(b.pointsReduction, `${p}.pointsReduction`, 0, 1000);
    if (randomRateFactor === undefined || pointsReduction === undefined) ok = false;
    else out[t] = { randomRateFactor, pointsReduction };
  }
  return ok ? (out as AeoBenefits) : undefined;
}

function parseCompliance(c: Checker, v: unknown, path: string): ComplianceSettings | undefined {
  const o = c.object(v, path);
  if (!o) return undefined;
  c.onlyKeys(o, path, ['scoreBands', 'irregularityRateBands', 'minDeclarations']);
  const before = c.problems.length;
  const scoreBands = (c.array(o.scoreBands, `${path}.scoreBands`, false) ?? []).map((b, i) => {
    const p = `${path}.scoreBands[${i}]`;
    const bo = c.object(b, p);
    if (!bo) return undefined;
    c.onlyKeys(bo, p, ['below', 'points']);
    const below = c.integer(bo.below, `${p}.below`, 1, 101);
    const points = c.integer(bo.points, `${p}.points`, 0, 1000);
    return below === undefined || points === undefined ? undefined : { below, points };
  });
  const irregularityRateBands = (
    c.array(o.irregularityRateBands, `${path}.irregularityRateBands`, false) ?? []
  ).map((b, i) => {
    const p = `${path}.irregularityRateBands[${i}]`;
    const bo = c.object(b, p);
    if (!bo) return undefined;
    c.onlyKeys(bo, p, ['atLeast', 'points']);
    const atLeast = c.decimal(bo.atLeast, `${p}.atLeast`, '1');
    const points = c.integer(bo.points, `${p}.points`, 0, 1000);
    return atLeast === undefined || points === undefined ? undefined : { atLeast, points };
  });
  const minDeclarations = c.integer(o.minDeclarations, `${path}.minDeclarations`, 1);
  if (c.problems.length > before || minDeclarations === undefined) return undefined;
  return {
    scoreBands: scoreBands as ComplianceSettings['scoreBands'],
    irregularityRateBands: irregularityRateBands as ComplianceSettings['irregularityRateBands'],
    minDeclarations,
  };
}

function parseRule(c: Checker, v: unknown, path: string): RiskRule | undefined {
  const o = c.object(v, path);
  if (!o) return undefined;
  c.onlyKeys(o, path, ['id', 'description', 'criteria', 'action', 'maxHitsWithoutSelection']);
  const before = c.problems.length;
  const id = c.string(
    o.id,
    `${path}.id`,
    RULE_ID,
    'upper-case letters, digits, - and _ (at most 64)',
  );
  if (id !== undefined && isEngineId(id)) {
    c.fail(
      `${path}.id`,
      `is reserved for the engine's own hits (${Object.values(ENGINE_HIT_IDS).join(', ')})`,
    );
  }
  const description = c.string(o.description, `${path}.description`);
  const criteria = parseCriterion(c, o.criteria, `${path}.criteria`);
  const action = parseAction(c, o.action, `${path}.action`);
  const maxHits =
    o.maxHitsWithoutSelection === undefined
      ? undefined
      : c.integer(o.maxHitsWithoutSelection, `${path}.maxHitsWithoutSelection`, 0, 1_000_000);
  if (c.problems.length > before) return undefined;
  return {
    id: id!,
    description: description!,
    criteria: criteria!,
    action: action!,
    ...(maxHits !== undefined ? { maxHitsWithoutSelection: maxHits } : {}),
  };
}

function isEngineId(id: string): boolean {
  const e = ENGINE_HIT_IDS;
  return (
    id.startsWith(e.randomPrefix) ||
    [e.score, e.watchlist, e.aeo, e.compliance].includes(id as never)
  );
}

function parseAction(c: Checker, v: unknown, path: string): RuleAction | undefined {
  const o = c.object(v, path);
  if (!o) return undefined;
  const keys = Object.keys(o);
  if (keys.length !== 1 || !['lane', 'points'].includes(keys[0])) {
    return c.fail(path, 'must be exactly one of { "lane": "red|yellow|blue" } or { "points": n }');
  }
  if ('lane' in o) {
    // Green is not an action: rules only ever raise the lane, never lower it.
    const lane = c.oneOf<ControlLane>(o.lane, `${path}.lane`, CONTROL_LANES);
    return lane && { lane };
  }
  const points = c.integer(o.points, `${path}.points`, -1000, 1000);
  return points === undefined ? undefined : { points };
}

const LIST_CRITERIA: Record<string, { key: string; pattern: RegExp; what: string }> = {
  commodityCodePrefix: { key: 'prefixes', pattern: /^\d{1,10}$/, what: '1 to 10 digits' },
  originCountry: { key: 'countries', pattern: COUNTRY, what: 'an ISO 3166 alpha-2 code' },
  dispatchCountry: { key: 'countries', pattern: COUNTRY, what: 'an ISO 3166 alpha-2 code' },
  declarantId: { key: 'ids', pattern: PARTY_ID, what: 'an EORI-style party id' },
  importerId: { key: 'ids', pattern: PARTY_ID, what: 'an EORI-style party id' },
  procedureCode: { key: 'codes', pattern: /^\d{2}(\d{2})?$/, what: '2 or 4 digits' },
  incoterm: {
    key: 'incoterms',
    pattern: new RegExp(`^(${INCOTERMS_2020.join('|')})$`),
    what: `an Incoterm 2020 (${INCOTERMS_2020.join(', ')})`,
  },
  transportMode: {
    key: 'modes',
    pattern: new RegExp(`^(${TRANSPORT_MODES.join('|')})$`),
    what: `a transport mode code (${TRANSPORT_MODES.join(', ')})`,
  },
  invoiceCurrency: { key: 'currencies', pattern: CURRENCY, what: 'an ISO 4217 code' },
};

const CRITERION_TYPES = [
  'all',
  'any',
  'not',
  'anyItem',
  ...Object.keys(LIST_CRITERIA),
  'valuePerKg',
  'valuePerUnit',
  'itemCount',
  'field',
];

function parseCriterion(c: Checker, v: unknown, path: string, depth = 0): Criterion | undefined {
  const o = c.object(v, path);
  if (!o) return undefined;
  if (depth > 32) return c.fail(path, 'criteria nest deeper than 32 levels');
  const type = o.type;
  if (typeof type !== 'string' || !CRITERION_TYPES.includes(type)) {
    return c.fail(`${path}.type`, `must be one of ${CRITERION_TYPES.join(', ')}`);
  }
  const before = c.problems.length;
  let out: Criterion | undefined;
  switch (type) {
    case 'all':
    case 'any': {
      c.onlyKeys(o, path, ['type', 'criteria']);
      const subs = (c.array(o.criteria, `${path}.criteria`) ?? []).map((s, i) =>
        parseCriterion(c, s, `${path}.criteria[${i}]`, depth + 1),
      );
      out = { type, criteria: subs as Criterion[] };
      break;
    }
    case 'not':
    case 'anyItem': {
      c.onlyKeys(o, path, ['type', 'criterion']);
      const sub = parseCriterion(c, o.criterion, `${path}.criterion`, depth + 1);
      out = { type, criterion: sub! };
      break;
    }
    case 'valuePerKg':
    case 'valuePerUnit': {
      c.onlyKeys(o, path, [
        'type',
        'min',
        'max',
        'currency',
        ...(type === 'valuePerUnit' ? ['unit'] : []),
      ]);
      const min = o.min === undefined ? undefined : c.decimal(o.min, `${path}.min`);
      const max = o.max === undefined ? undefined : c.decimal(o.max, `${path}.max`);
      if (o.min === undefined && o.max === undefined) c.fail(path, 'needs min, max or both');
      if (min !== undefined && max !== undefined && !new Dec(min).lt(max)) {
        c.fail(`${path}.max`, 'must be greater than min');
      }
      const currency =
        o.currency === undefined
          ? undefined
          : c.string(o.currency, `${path}.currency`, CURRENCY, 'an ISO 4217 code');
      const unit =
        o.unit === undefined
          ? undefined
          : c.string(o.unit, `${path}.unit`, /^[A-Z0-9]{2,3}$/, 'a UN/ECE Rec. 20 unit code');
      out = {
        type,
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
        ...(currency !== undefined ? { currency } : {}),
        ...(unit !== undefined ? { unit } : {}),
      };
      break;
    }
    case 'itemCount': {
      c.onlyKeys(o, path, ['type', 'min', 'max']);
      const min = o.min === undefined ? undefined : c.integer(o.min, `${path}.min`, 0);
      const max = o.max === undefined ? undefined : c.integer(o.max, `${path}.max`, 0);
      if (o.min === undefined && o.max === undefined) c.fail(path, 'needs min, max or both');
      if (min !== undefined && max !== undefined && min > max)
        c.fail(`${path}.max`, 'must not be below min');
      out = { type, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
      break;
    }
    case 'field': {
      c.onlyKeys(o, path, ['type', 'path', 'equals', 'in', 'exists']);
      const p = c.string(
        o.path,
        `${path}.path`,
        /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/,
        'a dotted path such as costs.freight',
      );
      const ops = ['equals', 'in', 'exists'].filter((k) => k in o);
      if (ops.length !== 1) c.fail(path, 'needs exactly one of equals, in, exists');
      const isValue = (x: unknown): x is FieldValue =>
        x === null || ['string', 'number', 'boolean'].includes(typeof x);
      if ('equals' in o && !isValue(o.equals))
        c.fail(`${path}.equals`, 'must be a string, number, boolean or null');
      if ('in' in o) {
        c.array(o.in, `${path}.in`)?.forEach((x, i) => {
          if (!isValue(x)) c.fail(`${path}.in[${i}]`, 'must be a string, number, boolean or null');
        });
      }
      if ('exists' in o && typeof o.exists !== 'boolean')
        c.fail(`${path}.exists`, 'must be true or false');
      out = {
        type,
        path: p!,
        ...('equals' in o ? { equals: o.equals as FieldValue } : {}),
        ...('in' in o ? { in: o.in as FieldValue[] } : {}),
        ...('exists' in o ? { exists: o.exists as boolean } : {}),
      };
      break;
    }
    default: {
      const spec = LIST_CRITERIA[type];
      c.onlyKeys(o, path, ['type', spec.key]);
      const values = c.strings(o[spec.key], `${path}.${spec.key}`, spec.pattern, spec.what);
      out = { type, [spec.key]: values } as unknown as Criterion;
    }
  }
  return c.problems.length > before ? undefined : out;
}

/** Validates a trader registry read from JSON; deep-frozen result, or RiskReferenceDataError. */
export function parseTraderRegistry(json: unknown): TraderRegistry {
  const c = new Checker();
  const o = c.object(json, '$');
  if (!o) throw new RiskReferenceDataError('trader-registry', c.problems);
  c.onlyKeys(o, '$', ['version', 'effectiveFrom', 'traders', 'watchlist', 'description']);
  const version = c.string(o.version, '$.version');
  const effectiveFrom = c.dateTime(o.effectiveFrom, '$.effectiveFrom');
  const traders: TraderRecord[] = [];
  const seen = new Map<string, string>();
  const unique = (id: string | undefined, path: string) => {
    if (id === undefined) return;
    const first = seen.get(id);
    if (first !== undefined) c.fail(path, `duplicate of ${first}`);
    else seen.set(id, path);
  };
  c.array(o.traders, '$.traders', false)?.forEach((t, i) => {
    const p = `$.traders[${i}]`;
    const to = c.object(t, p);
    if (!to) return;
    c.onlyKeys(to, p, ['id', 'name', 'aeo', 'complianceScore', 'history']);
    const before = c.problems.length;
    const id = c.string(to.id, `${p}.id`, PARTY_ID, 'an EORI-style party id');
    unique(id, `${p}.id`);
    const name = to.name === undefined ? undefined : c.string(to.name, `${p}.name`);
    const aeo = to.aeo === null ? null : c.oneOf(to.aeo, `${p}.aeo`, AEO_TYPES);
    const complianceScore =
      to.complianceScore === undefined
        ? undefined
        : c.integer(to.complianceScore, `${p}.complianceScore`, 0, 100);
    let history: TraderRecord['history'];
    if (to.history !== undefined) {
      const h = c.object(to.history, `${p}.history`);
      if (h) {
        c.onlyKeys(h, `${p}.history`, ['declarations', 'irregularities']);
        const declarations = c.integer(h.declarations, `${p}.history.declarations`, 0);
        const irregularities = c.integer(h.irregularities, `${p}.history.irregularities`, 0);
        if (declarations !== undefined && irregularities !== undefined) {
          if (irregularities > declarations)
            c.fail(`${p}.history.irregularities`, 'must not exceed declarations');
          history = { declarations, irregularities };
        }
      }
    }
    if (c.problems.length > before) return;
    traders.push({
      id: id!,
      ...(name !== undefined ? { name } : {}),
      aeo: aeo ?? null,
      ...(complianceScore !== undefined ? { complianceScore } : {}),
      ...(history ? { history } : {}),
    });
  });
  const watchlist: WatchlistEntry[] = [];
  const seenWatch = new Set<string>();
  c.array(o.watchlist, '$.watchlist', false)?.forEach((w, i) => {
    const p = `$.watchlist[${i}]`;
    const wo = c.object(w, p);
    if (!wo) return;
    c.onlyKeys(wo, p, ['id', 'reason']);
    const id = c.string(wo.id, `${p}.id`, PARTY_ID, 'an EORI-style party id');
    const reason = c.string(wo.reason, `${p}.reason`);
    if (id !== undefined && seenWatch.has(id)) c.fail(`${p}.id`, 'listed twice');
    if (id !== undefined) seenWatch.add(id);
    if (id !== undefined && reason !== undefined) watchlist.push({ id, reason });
  });
  if (c.problems.length > 0) throw new RiskReferenceDataError('trader-registry', c.problems);
  return deepFreeze({ version: version!, effectiveFrom: effectiveFrom!, traders, watchlist });
}
