import { createHash } from 'node:crypto';

/**
 * Movement Reference Number (EU): 2 digits year, 2 letters country, 12 alphanumerics,
 * 1 procedure letter, 1 check digit (ISO 6346-style weights 2^i, letters skipping
 * multiples of 11).
 */
export const MRN_PATTERN = /^\d{2}[A-Z]{2}[A-Z0-9]{12}[A-Z][0-9]$/;
/** MRNs issued before the procedure letter (pre-UCC NCTS/ECS) have any alphanumeric there. */
const LEGACY_MRN_PATTERN = /^\d{2}[A-Z]{2}[A-Z0-9]{13}[0-9]$/;

function charValue(c: string): number {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  const letterIndex = c.charCodeAt(0) - 65; // A = 0
  if (letterIndex < 0 || letterIndex > 25) throw new RangeError(`invalid MRN character '${c}'`);
  // A=10 upwards, skipping 11, 22, 33: A=10, B=12..K=21, L=23..U=32, V=34..Z=38.
  let value = 10 + letterIndex;
  if (value >= 11) value += 1;
  if (value >= 22) value += 1;
  if (value >= 33) value += 1;
  return value;
}

/** ISO 6346 weighted remainder: (sum of value(c_i) * 2^i) mod 11. */
export function iso6346Remainder(chars: string): number {
  let sum = 0;
  for (let i = 0; i < chars.length; i++) sum += charValue(chars[i]) * 2 ** i;
  return sum % 11;
}

/** Check digit over the first 17 characters: the ISO 6346 remainder, then mod 10. */
export function mrnCheckDigit(first17: string): number {
  if (first17.length !== 17) throw new RangeError('MRN check digit needs exactly 17 characters');
  return iso6346Remainder(first17) % 10;
}

export interface MrnCheck {
  mrn: string;
  valid: boolean;
  formatValid: boolean;
  /** True when position 17 is a procedure letter (the current format), false for legacy MRNs. */
  hasProcedureLetter: boolean;
  expectedCheckDigit: number | null;
  actualCheckDigit: string | null;
  problems: string[];
}

export function checkMrn(raw: string): MrnCheck {
  const mrn = raw.trim().toUpperCase();
  const problems: string[] = [];
  if (mrn.length !== 18) problems.push(`length is ${mrn.length}, expected 18`);
  const hasProcedureLetter = MRN_PATTERN.test(mrn);
  const formatValid = hasProcedureLetter || LEGACY_MRN_PATTERN.test(mrn);
  if (!formatValid && mrn.length === 18) {
    problems.push(
      'expected 2 digits (year), 2 letters (country), 13 alphanumerics (the last one the procedure letter), 1 check digit',
    );
  }
  let expected: number | null = null;
  if (mrn.length >= 17 && /^[A-Z0-9]{17}/.test(mrn)) expected = mrnCheckDigit(mrn.slice(0, 17));
  const actual = mrn.length === 18 ? mrn[17] : null;
  if (formatValid && expected !== null && String(expected) !== actual) {
    problems.push(`check digit is ${actual}, expected ${expected}`);
  }
  return {
    mrn,
    valid: problems.length === 0,
    formatValid,
    hasProcedureLetter,
    expectedCheckDigit: expected,
    actualCheckDigit: actual,
    problems,
  };
}

/** Procedure letter of the MRN by declaration type (EU practice: A export, J import, T transit...). */
export function procedureLetter(declarationType: 'import' | 'export' | 'transit'): string {
  return { import: 'J', export: 'A', transit: 'T' }[declarationType];
}

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Assigns the MRN of a lodgement. The 12-character serial derives from the declarant and
 * the LRN (SHA-256, base 36), so every intake replica assigns the same MRN to the same
 * lodgement without coordination, and a resubmission gets the same MRN back. A unique
 * index in intake's store catches the (1 in 10^18) collision of two different lodgements.
 */
export function assignMrn(input: {
  year: number;
  country: string;
  declarantId: string;
  lrn: string;
  declarationType: 'import' | 'export' | 'transit';
  salt?: number;
}): string {
  const digest = createHash('sha256')
    .update(`${input.declarantId}\u0000${input.lrn}\u0000${input.salt ?? 0}`)
    .digest();
  let serial = '';
  for (let i = 0; i < 12; i++) serial += ALPHANUMERIC[digest[i] % 36];
  const yy = String(input.year % 100).padStart(2, '0');
  const body = `${yy}${input.country.toUpperCase()}${serial}${procedureLetter(input.declarationType)}`;
  return `${body}${mrnCheckDigit(body)}`;
}
