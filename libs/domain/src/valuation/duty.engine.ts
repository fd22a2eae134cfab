import { DeclarationItem, DutyComponentLine } from '@customs/contracts';
import { DutyExpression, DutyTerm } from './duty-expression.parser';
import { ValuationDecimal, ZERO, dec, isDecimalString, plain } from './money.math';
import { DutyUnit } from './valuation.model';

/*
 * Applies a parsed duty expression to one item. Quantities for specific duties:
 * - mass units (kg, 100 kg, 1000 kg) always from the item's net mass (TARIC: "kg/net");
 * - other units from the item's quantity when its unit (UN/ECE Rec. 20 code) measures the
 *   same thing (LTR/HLT/MTQ for volume, NAR/C62/PCE/H87/MIL for pieces, MTR, MTK), converted;
 * - else from supplementaryUnits, taken to be in the code's supplementary unit (the measure's
 *   `supplementaryUnit`, or the base unit of the duty's dimension: l, p/st, m, m2).
 * No usable quantity is an error result for the line, never an exception.
 */

type Dimension = 'mass' | 'volume' | 'count' | 'length' | 'area';

/** Duty units: dimension and size in the dimension's base unit (kg, l, p/st, m, m2). */
const DUTY_UNIT_SIZE: Record<DutyUnit, { dim: Dimension; size: number }> = {
  kg: { dim: 'mass', size: 1 },
  '100 kg': { dim: 'mass', size: 100 },
  '1000 kg': { dim: 'mass', size: 1000 },
  l: { dim: 'volume', size: 1 },
  hl: { dim: 'volume', size: 100 },
  m3: { dim: 'volume', size: 1000 },
  'p/st': { dim: 'count', size: 1 },
  '100 p/st': { dim: 'count', size: 100 },
  '1000 p/st': { dim: 'count', size: 1000 },
  m: { dim: 'length', size: 1 },
  m2: { dim: 'area', size: 1 },
};

/** Declared quantity units (UN/ECE Recommendation 20 codes) usable for specific duties. */
const DECLARED_UNIT_SIZE: Record<string, { dim: Dimension; size: number }> = {
  LTR: { dim: 'volume', size: 1 },
  HLT: { dim: 'volume', size: 100 },
  MTQ: { dim: 'volume', size: 1000 },
  NAR: { dim: 'count', size: 1 },
  C62: { dim: 'count', size: 1 },
  PCE: { dim: 'count', size: 1 },
  H87: { dim: 'count', size: 1 },
  MIL: { dim: 'count', size: 1000 },
  MTR: { dim: 'length', size: 1 },
  MTK: { dim: 'area', size: 1 },
};

export interface DutyQuantity {
  value: ValuationDecimal;
  source: 'netMass' | 'quantity' | 'supplementaryUnits';
}

export interface DutyProblem {
  code: string;
  message: string;
}

export function quantityFor(
  unit: DutyUnit,
  item: DeclarationItem,
  supplementaryUnit?: DutyUnit,
): DutyQuantity | DutyProblem {
  const target = DUTY_UNIT_SIZE[unit];
  if (target.dim === 'mass') {
    if (!isDecimalString(item.netMass)) {
      return { code: 'QUANTITY_MISSING', message: `duty per ${unit} needs the net mass` };
    }
    return { value: dec(item.netMass).dividedBy(target.size), source: 'netMass' };
  }
  const declared = DECLARED_UNIT_SIZE[(item.unit ?? '').toUpperCase()];
  if (declared && declared.dim === target.dim && isDecimalString(item.quantity)) {
    return {
      value: dec(item.quantity).times(declared.size).dividedBy(target.size),
      source: 'quantity',
    };
  }
  if (isDecimalString(item.supplementaryUnits)) {
    const su = supplementaryUnit ? DUTY_UNIT_SIZE[supplementaryUnit] : { dim: target.dim, size: 1 };
    if (su.dim !== target.dim) {
      return {
        code: 'UNIT_MISMATCH',
        message: `duty per ${unit} cannot use supplementary units in ${supplementaryUnit}`,
      };
    }
    return {
      value: dec(item.supplementaryUnits).times(su.size).dividedBy(target.size),
      source: 'supplementaryUnits',
    };
  }
  return {
    code: 'QUANTITY_MISSING',
    message: `duty per ${unit} needs a quantity in a ${target.dim} unit (item unit is ${item.unit}) or supplementary units`,
  };
}

export interface DutyContext {
  item: DeclarationItem;
  /** Customs value of the item in national currency (already rounded). */
  customsValue: ValuationDecimal;
  nationalCurrency: string;
  /** National units per 1 unit of `currency`, or undefined when no rate is in force. */
  rateFor: (currency: string) => string | undefined;
  supplementaryUnit?: DutyUnit;
  /** Decimal places to show the customs value with (as rounded by the caller). */
  places?: number;
}

export interface DutyEvaluation {
  amount: ValuationDecimal;
  components: DutyComponentLine[];
  boundApplied?: 'min' | 'max' | 'zero';
}

function isProblem(x: unknown): x is DutyProblem {
  return typeof x === 'object' && x !== null && 'code' in x;
}

function evalTerm(
  t: DutyTerm,
  role: DutyComponentLine['role'],
  ctx: DutyContext,
): DutyComponentLine | DutyProblem {
  if (t.kind === 'ad-valorem') {
    return {
      role,
      kind: 'ad-valorem',
      sign: t.sign,
      base:
        ctx.places === undefined ? plain(ctx.customsValue) : ctx.customsValue.toFixed(ctx.places),
      baseUnit: ctx.nationalCurrency,
      rate: t.percent,
      rateUnit: '%',
      amount: plain(ctx.customsValue.times(dec(t.percent)).dividedBy(100)),
    };
  }
  const q = quantityFor(t.unit, ctx.item, ctx.supplementaryUnit);
  if (isProblem(q)) return q;
  const fx = t.currency === ctx.nationalCurrency ? '1' : ctx.rateFor(t.currency);
  if (fx === undefined) {
    return {
      code: 'NO_EXCHANGE_RATE',
      message: `no ${t.currency} rate in force for the specific duty`,
    };
  }
  return {
    role,
    kind: 'specific',
    sign: t.sign,
    base: plain(q.value),
    baseUnit: t.unit,
    rate: t.amount,
    rateUnit: `${t.currency} / ${t.unit}`,
    currency: t.currency,
    exchangeRate: fx,
    quantitySource: q.source,
    amount: plain(q.value.times(dec(t.amount)).times(dec(fx))),
  };
}

function evalSum(
  terms: DutyTerm[],
  role: DutyComponentLine['role'],
  ctx: DutyContext,
  out: DutyComponentLine[],
): ValuationDecimal | DutyProblem {
  let sum = ZERO;
  for (const t of terms) {
    const c = evalTerm(t, role, ctx);
    if (isProblem(c)) return c;
    out.push(c);
    sum = t.sign === 1 ? sum.plus(dec(c.amount)) : sum.minus(dec(c.amount));
  }
  return sum;
}

/** Amount before rounding: sum of terms, raised to MIN, capped at MAX, never below zero. */
export function evaluateDuty(e: DutyExpression, ctx: DutyContext): DutyEvaluation | DutyProblem {
  const components: DutyComponentLine[] = [];
  const main = evalSum(e.terms, 'main', ctx, components);
  if (isProblem(main)) return main;
  let amount = main;
  let boundApplied: DutyEvaluation['boundApplied'];
  if (e.min) {
    const min = evalSum(e.min, 'min', ctx, components);
    if (isProblem(min)) return min;
    if (amount.lessThan(min)) {
      amount = min;
      boundApplied = 'min';
    }
  }
  if (e.max) {
    const max = evalSum(e.max, 'max', ctx, components);
    if (isProblem(max)) return max;
    if (amount.greaterThan(max)) {
      amount = max;
      boundApplied = 'max';
    }
  }
  if (amount.lessThan(0)) {
    amount = ZERO;
    boundApplied = 'zero';
  }
  return { amount, components, ...(boundApplied ? { boundApplied } : {}) };
}

export function isDutyProblem(x: DutyEvaluation | DutyProblem): x is DutyProblem {
  return isProblem(x);
}
