import { createHmac } from 'node:crypto';
import Decimal from 'decimal.js';
import { hmacDraw, laneDraw, ruleDraw } from './random-draw.engine';

describe('HMAC random draw', () => {
  // RFC 4231 section 4.3 (test case 2): HMAC-SHA256(key "Jefe", "what do ya want for nothing?")
  // = 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843.
  it('takes the first 52 bits of the RFC 4231 test vector', () => {
    const d = hmacDraw('Jefe', 'what do ya want for nothing?');
    expect(d.bits).toBe(0x5bdcc146bf607n);
    expect(d.value).toBe(0x5bdcc146bf607 / 2 ** 52);
  });

  it('equals the value computed independently with node:crypto, as double and exact decimal', () => {
    const seed = 'seed-2026.1';
    for (const mrn of ['26NL000000000001J2', '26DE4F9A00000017A8', 'X']) {
      const hex = createHmac('sha256', seed).update(mrn).digest('hex');
      const expected = parseInt(hex.slice(0, 13), 16) / 2 ** 52;
      const d = laneDraw(seed, mrn);
      expect(d.value).toBe(expected);
      expect(Number(d.decimal)).toBe(expected);
      const exact = new (Decimal.clone({ precision: 100 }))(parseInt(hex.slice(0, 13), 16)).div(
        2 ** 52,
      );
      expect(d.decimal).toBe(exact.toString());
      expect(d.value).toBeGreaterThanOrEqual(0);
      expect(d.value).toBeLessThan(1);
    }
  });

  it('renders zero and small draws without exponent notation', () => {
    expect(hmacDraw('Jefe', 'what do ya want for nothing?').decimal).toMatch(/^0\.\d{1,52}$/);
  });

  it('gives each rule a draw independent of the lane draw', () => {
    const lane = laneDraw('s', '26NL000000000001J2');
    const rule = ruleDraw('s', '26NL000000000001J2', 'ARMS-93');
    expect(rule.bits).not.toBe(lane.bits);
    const hex = createHmac('sha256', 's').update('26NL000000000001J2:ARMS-93').digest('hex');
    expect(rule.bits).toBe(BigInt(`0x${hex.slice(0, 13)}`));
  });
});
