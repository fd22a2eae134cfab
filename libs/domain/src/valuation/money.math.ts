import Decimal from 'decimal.js';
import { ValuationRoundingMode } from './valuation.model';

/**
 * A private Decimal constructor: 40 significant digits (far beyond any customs amount, so
 * products and quotients of rates are exact enough before the one rounding per line), plain
 * notation in strings. Cloned so that no other code's Decimal.set() can change our results.
 */
export const ValuationDecimal = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -40,
  toExpPos: 40,
});
export type ValuationDecimal = InstanceType<typeof ValuationDecimal>;

const DECIMAL_STRING = /^-?\d+(\.\d+)?$/;

/** A decimal string as written in declarations and reference data: digits, optional point and digits. */
export function isDecimalString(s: unknown): s is string {
  return typeof s === 'string' && DECIMAL_STRING.test(s);
}

export function dec(s: string | number | ValuationDecimal): ValuationDecimal {
  return new ValuationDecimal(s);
}

export const ZERO = dec(0);

const MODES: Record<ValuationRoundingMode, Decimal.Rounding> = {
  'half-up': Decimal.ROUND_HALF_UP,
  'half-even': Decimal.ROUND_HALF_EVEN,
  down: Decimal.ROUND_DOWN,
  up: Decimal.ROUND_UP,
};

export interface RoundingRule {
  mode: ValuationRoundingMode;
  places: number;
}

export function roundMoney(x: ValuationDecimal, rule: RoundingRule): ValuationDecimal {
  return x.toDecimalPlaces(rule.places, MODES[rule.mode]);
}

/** Fixed-point string with exactly `places` decimals (rounds with the rule first). */
export function money(x: ValuationDecimal, rule: RoundingRule): string {
  return roundMoney(x, rule).toFixed(rule.places);
}

/** Shortest exact string, for rates, quantities and unrounded amounts. */
export function plain(x: ValuationDecimal): string {
  return x.toString();
}

/** Foreign amount to national currency: amount x rate (rate = national units per 1 foreign unit). */
export function convertToNational(amount: string, rate: string): ValuationDecimal {
  return dec(amount).times(dec(rate));
}

/** National amount back to foreign currency: amount / rate. */
export function convertFromNational(amount: string, rate: string): ValuationDecimal {
  return dec(amount).dividedBy(dec(rate));
}

export interface ApportionShare {
  key: number;
  weight: ValuationDecimal;
}

/**
 * Splits `total` over shares in proportion to their weights, each share rounded DOWN (toward
 * zero) to `places`, then the cents left over go to one share so the parts sum exactly to the
 * total: the share with the largest weight (ties: lowest key) or the one with the highest key
 * ('last'). Keys (item numbers), not positions, decide, so the order of items does not matter.
 * All weights zero: equal shares.
 */
export function apportion(
  total: ValuationDecimal,
  shares: ApportionShare[],
  places: number,
  remainderTo: 'largest' | 'last',
): Map<number, ValuationDecimal> {
  const out = new Map<number, ValuationDecimal>();
  if (shares.length === 0) return out;
  const sumWeights = shares.reduce((s, x) => s.plus(x.weight), ZERO);
  const weights = sumWeights.isZero() ? shares.map((s) => ({ ...s, weight: dec(1) })) : shares;
  const sum = sumWeights.isZero() ? dec(shares.length) : sumWeights;
  let allocated = ZERO;
  for (const s of weights) {
    const part = total.times(s.weight).dividedBy(sum).toDecimalPlaces(places, Decimal.ROUND_DOWN);
    out.set(s.key, part);
    allocated = allocated.plus(part);
  }
  const remainder = total.minus(allocated);
  if (!remainder.isZero()) {
    const target =
      remainderTo === 'last'
        ? Math.max(...weights.map((s) => s.key))
        : [...weights].sort((a, b) => b.weight.comparedTo(a.weight) || a.key - b.key)[0].key;
    out.set(target, (out.get(target) ?? ZERO).plus(remainder));
  }
  return out;
}
