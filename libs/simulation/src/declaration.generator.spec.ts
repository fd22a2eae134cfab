import { join } from 'node:path';
import Decimal from 'decimal.js';
import { assessValuation, validateDeclaration } from '@customs/domain';
import {
  loadSeedNomenclature,
  loadSeedValuationReferenceData,
  seedDeclarableCodes,
} from '@customs/reference-data';
import { DeclarationGenerator } from './declaration.generator';
import { pricingFromReferenceData } from './generator-pricing';
import { HS2022_CSV_RELATIVE, hsLeafCodes } from './hs-codes.loader';

const DATE = '2026-07-15';
const codes = seedDeclarableCodes(DATE);
const ref = loadSeedValuationReferenceData();
const pricing = pricingFromReferenceData(ref, DATE);
const generate = (
  n: number,
  opts: Partial<ConstructorParameters<typeof DeclarationGenerator>[0]> = {},
) => {
  const g = new DeclarationGenerator({ seed: 7, commodityCodes: codes, pricing, ...opts });
  return Array.from({ length: n }, (_, i) => g.next(i + 1));
};

describe('DeclarationGenerator', () => {
  it('is deterministic by seed, and another seed gives other declarations', () => {
    expect(JSON.stringify(generate(50))).toBe(JSON.stringify(generate(50)));
    expect(JSON.stringify(generate(50, { seed: 8 }))).not.toBe(JSON.stringify(generate(50)));
  });

  it.each([1, 5, 12])('draws 1 to maxItems items with the configured mean %p', (mean) => {
    const set = generate(4000, { meanItems: mean });
    const counts = set.map((d) => d.items.length);
    const avg = counts.reduce((a, b) => a + b, 0) / counts.length;
    expect(Math.min(...counts)).toBe(1);
    expect(Math.max(...counts)).toBeLessThanOrEqual(50);
    expect(Math.abs(avg - mean)).toBeLessThan(mean * 0.06 + 0.01);
  });

  it('clamps to maxItems and refuses a mean below one', () => {
    expect(
      Math.max(...generate(500, { meanItems: 30, maxItems: 8 }).map((d) => d.items.length)),
    ).toBe(8);
    expect(
      () => new DeclarationGenerator({ seed: 1, commodityCodes: codes, meanItems: 0 }),
    ).toThrow(/meanItems/);
    expect(() => new DeclarationGenerator({ seed: 1, commodityCodes: [] })).toThrow(
      /commodity code/,
    );
  });

  it('keeps the invariants intake checks: gross >= net, item amounts add up to the total, codes declarable', () => {
    const nomenclature = loadSeedNomenclature();
    for (const d of generate(1500)) {
      let sum = new Decimal(0);
      for (const item of d.items) {
        expect(new Decimal(item.grossMass).gte(item.netMass)).toBe(true);
        expect(new Decimal(item.netMass).gt(0)).toBe(true);
        expect(new Decimal(item.invoiceAmount).gt(0)).toBe(true);
        expect(codes).toContain(item.commodityCode);
        sum = sum.plus(item.invoiceAmount);
      }
      expect(sum.eq(d.invoiceTotal)).toBe(true);
      expect(
        validateDeclaration(JSON.parse(JSON.stringify(d)), { nomenclature, lodgementDate: DATE }),
      ).toMatchObject({ ok: true });
    }
  });

  it('counts goods in the units their duties need: litres for beer and wine, pieces with thousands for cigarettes', () => {
    const items = generate(3000).flatMap((d) => d.items);
    const of = (prefix: string) => items.filter((i) => i.commodityCode.startsWith(prefix));
    expect(of('2203').length + of('2204').length).toBeGreaterThan(0);
    for (const i of [...of('2203'), ...of('2204')]) expect(i.unit).toBe('LTR');
    expect(of('2402').length).toBeGreaterThan(0);
    for (const i of of('2402')) {
      expect(i.unit).toBe('NAR');
      expect(new Decimal(i.supplementaryUnits!).times(1000).eq(i.quantity)).toBe(true);
    }
  });

  it('prices goods so that only the deliberately undervalued few raise valuation alerts', () => {
    const set = generate(3000);
    const share = new Map<string, number>();
    for (const declaration of set) {
      const result = assessValuation({ declaration, acceptedAt: `${DATE}T10:00:00Z` }, ref, {
        nationalCurrency: 'EUR',
      });
      for (const code of new Set(result.alerts.map((a) => a.code)))
        share.set(code, (share.get(code) ?? 0) + 1 / set.length);
    }
    expect(share.get('DUTY_NOT_COMPUTABLE') ?? 0).toBe(0);
    // ~2 % of items undervalued, of which those with a reference band raise the alert.
    expect(share.get('UNDERVALUATION') ?? 0).toBeGreaterThan(0.01);
    expect(share.get('UNDERVALUATION') ?? 0).toBeLessThan(0.06);
  });

  it('reads the 6-digit leaves of the full HS file when it is there', () => {
    const path = join(__dirname, '..', '..', '..', HS2022_CSV_RELATIVE);
    const leaves = hsLeafCodes(path);
    expect(hsLeafCodes('/nonexistent/hs.csv')).toBeNull();
    if (leaves === null) return; // the shared folder is optional
    expect(leaves.length).toBeGreaterThan(5000);
    expect(leaves.every((c) => /^\d{6}$/.test(c))).toBe(true);
  });
});
