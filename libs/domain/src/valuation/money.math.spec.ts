import Decimal from 'decimal.js';
import { ValuationDecimal, apportion, dec, money, roundMoney } from './money.math';

describe('money math', () => {
  it('uses its own Decimal clone, unaffected by the global configuration', () => {
    const saved = Decimal.precision;
    Decimal.set({ precision: 5 });
    try {
      expect(dec('1').dividedBy(3).toString()).toBe('0.3333333333333333333333333333333333333333');
      expect(ValuationDecimal).not.toBe(Decimal);
    } finally {
      Decimal.set({ precision: saved });
    }
  });

  it('rounds half-up, half-even, down and up', () => {
    const r = (x: string, mode: 'half-up' | 'half-even' | 'down' | 'up') =>
      money(dec(x), { mode, places: 2 });
    expect([r('2.345', 'half-up'), r('2.345', 'half-even'), r('2.355', 'half-even')]).toEqual([
      '2.35',
      '2.34',
      '2.36',
    ]);
    expect([r('2.349', 'down'), r('2.341', 'up'), r('-2.345', 'half-up')]).toEqual([
      '2.34',
      '2.35',
      '-2.35',
    ]);
    expect(roundMoney(dec('10'), { mode: 'half-up', places: 0 }).toString()).toBe('10');
  });

  // 100.00 over 1 : 1 : 1 -> 33.33 each, the left-over cent to the largest weight (tie: lowest
  // item number) or, with 'last', to the highest item number.
  it('apportions with a deterministic remainder', () => {
    const shares = [3, 1, 2].map((key) => ({ key, weight: dec(1) }));
    const largest = apportion(dec(100), shares, 2, 'largest');
    expect([1, 2, 3].map((k) => largest.get(k)!.toFixed(2))).toEqual(['33.34', '33.33', '33.33']);
    const last = apportion(dec(100), shares, 2, 'last');
    expect([1, 2, 3].map((k) => last.get(k)!.toFixed(2))).toEqual(['33.33', '33.33', '33.34']);
    const weighted = apportion(
      dec('10.00'),
      [
        { key: 1, weight: dec(1) },
        { key: 2, weight: dec(2) },
      ],
      2,
      'largest',
    );
    expect([weighted.get(1)!.toFixed(2), weighted.get(2)!.toFixed(2)]).toEqual(['3.33', '6.67']);
    const zero = apportion(
      dec('1.00'),
      [
        { key: 1, weight: dec(0) },
        { key: 2, weight: dec(0) },
      ],
      2,
      'largest',
    );
    expect([zero.get(1)!.toFixed(2), zero.get(2)!.toFixed(2)]).toEqual(['0.50', '0.50']);
  });
});
