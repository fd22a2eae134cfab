import Decimal from 'decimal.js';
import { CONTROL_LANES, ControlLane, RandomSelectionSettings } from './ruleset.model';

// Rates are short decimal strings; products with an AEO factor and 2^52 stay far below 80 digits.
const Dec = Decimal.clone({ precision: 80 });
const TWO_POW_52 = new Dec(2).pow(52);

/*
 * Random selection, as ASYCUDA practises it, made stateless.
 *
 * ASYCUDA selects by rules first, then randomly at a minimum rate per lane (so that even a
 * lane the rules already fill keeps an unpredictable share: traders cannot learn the rules
 * and be sure of green), then tops each lane up to its expected rate, counting the rule
 * selections already made. Counting needs state (how many declarations went where today);
 * a pure function of one declaration has none. So the top-up is approximated with the
 * ruleset's declared estimate of the rule-selection rate per lane (from past statistics):
 *
 *   r_lane = max(minRate, expectedRate - estimatedRuleRate)        (then x AEO factor)
 *
 * With no estimate (0) the random rate IS the expected rate; with an estimate at least
 * `expectedRate - minRate`, only the minimum random rate remains. The result is only as
 * good as the estimate: if rules select more (or less) than estimated, the lane rates
 * overshoot (or undershoot) the expected rates. Monitor them with summariseRiskResults
 * and publish a new ruleset version with a better estimate.
 *
 * One draw u in [0, 1) per declaration falls in disjoint intervals, in severity order:
 *   [0, r_red) red, [r_red, r_red + r_yellow) yellow, [.., .. + r_blue) blue, rest none.
 * Over many declarations without rule hits each lane's share is therefore exactly its
 * r_lane (disjoint intervals do not steal from each other, unlike three separate draws).
 * The lane is then max(rule lane, random lane): a declaration already in a more severe
 * lane is never downgraded, a random selection can only raise it.
 */

export interface RandomLaneBounds {
  /** Per lane, the rate actually used (after top-up approximation and AEO factor), decimal string. */
  rates: Record<ControlLane, string>;
  /** Exclusive upper bound of each lane's interval, as a decimal string. */
  upper: Record<ControlLane, string>;
  /** Same bounds in draw units: u < upper  <=>  bits < upperBits (exact, no rounding). */
  upperBits: Record<ControlLane, bigint>;
}

const cache = new WeakMap<RandomSelectionSettings, Map<string, RandomLaneBounds>>();

/** The random selection intervals for a ruleset, with rates multiplied by `factor` (AEO; "1" otherwise). */
export function randomLaneBounds(
  settings: RandomSelectionSettings,
  factor = '1',
): RandomLaneBounds {
  let perFactor = cache.get(settings);
  if (!perFactor) {
    perFactor = new Map();
    cache.set(settings, perFactor);
  }
  const hit = perFactor.get(factor);
  if (hit) return hit;
  const rates = {} as Record<ControlLane, string>;
  const upper = {} as Record<ControlLane, string>;
  const upperBits = {} as Record<ControlLane, bigint>;
  let start = new Dec(0);
  for (const lane of CONTROL_LANES) {
    const s = settings[lane];
    const topUp = new Dec(s.expectedRate).minus(s.estimatedRuleRate ?? '0');
    const rate = Dec.max(s.minRate, topUp).times(factor);
    start = start.plus(rate);
    rates[lane] = rate.toString();
    upper[lane] = start.toString();
    upperBits[lane] = BigInt(start.times(TWO_POW_52).ceil().toFixed(0));
  }
  const bounds = { rates, upper, upperBits };
  perFactor.set(factor, bounds);
  return bounds;
}

/** The lane whose interval holds the draw, or null (no random selection). */
export function randomLaneFor(bits: bigint, bounds: RandomLaneBounds): ControlLane | null {
  for (const lane of CONTROL_LANES) if (bits < bounds.upperBits[lane]) return lane;
  return null;
}
