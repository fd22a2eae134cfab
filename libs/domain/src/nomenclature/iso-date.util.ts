import { InvalidIsoDateError } from './nomenclature.errors';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * True for a real calendar date written YYYY-MM-DD. Checked by arithmetic, not by `Date`,
 * so that 2026-02-30 is refused instead of silently rolled over to March.
 */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

export function assertIsoDate(value: unknown): asserts value is string {
  if (!isIsoDate(value)) throw new InvalidIsoDateError(value);
}

/**
 * Validity with both ends inclusive, as in TARIC (the end date is the last day a code can
 * be declared). Null means open-ended. ISO dates compare correctly as strings.
 */
export function isWithin(date: string, validFrom: string | null, validTo: string | null): boolean {
  return (validFrom === null || validFrom <= date) && (validTo === null || date <= validTo);
}
