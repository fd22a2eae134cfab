import Decimal from 'decimal.js';

/**
 * Decimal arithmetic for release: sums and differences only, never a rounding step, so the
 * precision only has to hold the longest amount exactly (40 significant digits is ample).
 */
export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
export type Money = Decimal;

const DECIMAL_PATTERN = /^\d+(\.\d+)?$/;

/** A non-negative decimal string as carried in events ("12", "12.50"); no sign, no exponent. */
export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_PATTERN.test(value);
}

export function money(value: string): Decimal {
  return new Money(value);
}

/** Plain notation, no exponent, trailing zeros as computed: amounts go back into events as strings. */
export function moneyString(value: Decimal): string {
  return value.toFixed();
}
