import { createHmac } from 'node:crypto';

const BITS = 52n;
const FIVE_POW_52 = 5n ** BITS;

/** A uniform draw u in [0, 1) with 52 bits, exactly representable both as a double and as a decimal. */
export interface RandomDraw {
  /** The first 52 bits of the HMAC as an integer: u = bits / 2^52. */
  bits: bigint;
  /** u exactly, as a decimal string (at most 52 fractional digits, no trailing zeros). */
  decimal: string;
  /** u as a double (exact: 52 bits fit a double's mantissa). */
  value: number;
}

/**
 * u = first 52 bits (big-endian) of HMAC-SHA256(key = seed as UTF-8, message as UTF-8) / 2^52.
 * Any language recomputes it: take the first 13 hex digits of the HMAC and divide by 2^52.
 */
export function hmacDraw(seed: string, message: string): RandomDraw {
  const mac = createHmac('sha256', seed).update(message, 'utf8').digest();
  const bits = mac.readBigUInt64BE(0) >> (64n - BITS);
  return { bits, decimal: drawToDecimal(bits), value: Number(bits) / 2 ** 52 };
}

/** bits / 2^52 = bits * 5^52 / 10^52: an exact decimal expansion with 52 digits at most. */
function drawToDecimal(bits: bigint): string {
  if (bits === 0n) return '0';
  const digits = (bits * FIVE_POW_52).toString().padStart(Number(BITS), '0').replace(/0+$/, '');
  return `0.${digits}`;
}

/** The declaration's lane draw: HMAC(seed, MRN). */
export function laneDraw(seed: string, mrn: string): RandomDraw {
  return hmacDraw(seed, mrn);
}

/** A rule's own draw for its hit limit: HMAC(seed, MRN + ':' + ruleId), independent of the lane draw. */
export function ruleDraw(seed: string, mrn: string, ruleId: string): RandomDraw {
  return hmacDraw(seed, `${mrn}:${ruleId}`);
}
