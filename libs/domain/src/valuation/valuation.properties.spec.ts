import * as fc from 'fast-check';
import { Declaration, DeclarationItem, Incoterm, ValuationResult } from '@customs/contracts';
import { apportion, convertFromNational, convertToNational, dec, roundMoney } from './money.math';
import { assessValuation } from './valuation.engine';
import {
  MARCH_2026,
  fixtureDeclaration,
  fixtureItem,
  fixtureReferenceData,
} from './valuation.test-fixtures';
import { TariffMeasure } from './valuation.model';

// Property tests over random declarations. Kept to ~100 runs each so the file runs in well
// under a second; the seeds are fast-check's default (random per run, printed on failure).

const cents = (max: number) =>
  fc
    .integer({ min: 0, max })
    .map((n) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`);

const CODES = [
  '6109100010', // 12 % (GSP 9.6 %)
  '0201100000', // 12.8 % + 176.8 EUR / 100 kg
  '2204210600', // 13.1 EUR / hl + excise
  '2401100000', // 10 % MIN 22 MAX 24 EUR / 100 kg
  '9102110000', // 8 % + 1.50 EUR / p/st
  '1701140000', // 2.5 % - 3 EUR / 100 kg (can go negative)
  '2402209000', // 57.6 % + excise per 1000 p/st
  '0406900100', // 10 USD / 100 kg
  '8541100000', // chapter fallback
];

const itemArb = (itemNumber: number): fc.Arbitrary<DeclarationItem> =>
  fc
    .record({
      commodityCode: fc.constantFrom(...CODES),
      originCountry: fc.constantFrom('IN', 'CN', 'CH', 'US'),
      claim: fc.boolean(),
      quantity: cents(500000),
      unit: fc.constantFrom('NAR', 'LTR', 'KGM'),
      netMass: cents(10000000),
      invoiceAmount: cents(5000000),
      supplementaryUnits: fc.option(cents(10000), { nil: undefined }),
    })
    .map(({ claim, supplementaryUnits, ...r }) =>
      fixtureItem(itemNumber, {
        ...r,
        ...(supplementaryUnits ? { supplementaryUnits } : {}),
        ...(claim
          ? { preferenceCode: '300', proofOfOrigin: { type: 'REX', reference: 'X1' } }
          : {}),
      }),
    );

const declarationArb: fc.Arbitrary<Declaration> = fc
  .record({
    n: fc.integer({ min: 1, max: 5 }),
    incoterm: fc.constantFrom<Incoterm>('EXW', 'FOB', 'CFR', 'CIF', 'DAP', 'DDP'),
    currency: fc.constantFrom('EUR', 'USD', 'JPY', 'GBP'),
    freight: fc.option(cents(100000), { nil: undefined }),
    insurance: fc.option(cents(10000), { nil: undefined }),
    packing: fc.option(cents(10000), { nil: undefined }),
    transportAfterImport: fc.option(cents(10000), { nil: undefined }),
    buyingCommissions: fc.option(cents(10000), { nil: undefined }),
  })
  .chain(({ n, incoterm, currency, ...costs }) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => itemArb(i + 1))).map((items) => {
      const c = Object.fromEntries(Object.entries(costs).filter(([, v]) => v !== undefined));
      return fixtureDeclaration({ incoterm, invoiceCurrency: currency, costs: c }, items);
    }),
  );

const ref = fixtureReferenceData();
ref.tariff.measures.push({
  id: 'T-1701-X',
  codePrefix: '170114',
  type: 'third-country',
  dutyExpression: '2.5 % - 3 EUR / 100 kg',
  validFrom: '2020-01-01',
} satisfies TariffMeasure);
const value = (d: Declaration, basis: 'CIF' | 'FOB' = 'CIF'): ValuationResult =>
  assessValuation({ declaration: d, acceptedAt: MARCH_2026 }, ref, { basis });

describe('valuation properties', () => {
  it('never charges a negative duty or tax, and never a negative customs value', () => {
    fc.assert(
      fc.property(declarationArb, fc.constantFrom<'CIF' | 'FOB'>('CIF', 'FOB'), (d, basis) => {
        const r = value(d, basis);
        for (const it of r.items) {
          expect(dec(it.customsValue).isNegative()).toBe(false);
          for (const l of it.duties) expect(dec(l.amount).isNegative()).toBe(false);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same result whatever order the items come in', () => {
    fc.assert(
      fc.property(
        declarationArb.chain((d) =>
          fc
            .shuffledSubarray(d.items, { minLength: d.items.length })
            .map((items) => [d, items] as const),
        ),
        ([d, shuffled]) => {
          expect(value({ ...d, items: shuffled })).toEqual(value(d));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('has totals equal to the sums of the rounded lines', () => {
    fc.assert(
      fc.property(declarationArb, (d) => {
        const r = value(d);
        const sum = (f: (t: string) => boolean) =>
          r.items
            .flatMap((i) => i.duties.filter((l) => f(l.type)))
            .reduce((s, l) => s.plus(dec(l.amount)), dec(0));
        expect(r.totalDuties).toBe(sum((t) => t === 'customs-duty').toFixed(2));
        expect(r.totalVat).toBe(sum((t) => t === 'vat').toFixed(2));
        expect(r.totalExcise).toBe(sum((t) => t === 'excise').toFixed(2));
        expect(r.totalTaxes).toBe(sum((t) => t !== 'customs-duty').toFixed(2));
        expect(r.totalToPay).toBe(dec(r.totalDuties).plus(dec(r.totalTaxes)).toFixed(2));
        expect(r.customsValue).toBe(
          r.items.reduce((s, i) => s.plus(dec(i.customsValue)), dec(0)).toFixed(2),
        );
        for (const l of r.items.flatMap((i) => i.duties)) expect(l.amount).toMatch(/^\d+\.\d{2}$/);
      }),
      { numRuns: 60 },
    );
  });

  it('apportions costs so that the shares sum exactly and stay within a cent of the exact share', () => {
    fc.assert(
      fc.property(
        cents(1000000),
        fc.array(cents(1000000), { minLength: 1, maxLength: 8 }),
        fc.constantFrom<'largest' | 'last'>('largest', 'last'),
        (total, weights, to) => {
          const shares = weights.map((w, i) => ({ key: i + 1, weight: dec(w) }));
          const out = apportion(dec(total), shares, 2, to);
          const parts = [...out.values()];
          expect(parts.reduce((s, p) => s.plus(p), dec(0)).equals(dec(total))).toBe(true);
          const sumW = shares.reduce((s, x) => s.plus(x.weight), dec(0));
          const n = shares.length;
          for (const s of shares) {
            const exact = sumW.isZero()
              ? dec(total).dividedBy(n)
              : dec(total).times(s.weight).dividedBy(sumW);
            const got = out.get(s.key)!;
            expect(got.isNegative()).toBe(false);
            // Each share is the exact one rounded down; only the remainder holder gets up to n cents more.
            expect(got.minus(exact).abs().lessThanOrEqualTo(dec(n).times('0.01'))).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('converts to national currency and back within the rounding of one cent', () => {
    fc.assert(
      fc.property(
        cents(100000000),
        fc.integer({ min: 1, max: 50000000 }).map((n) => dec(n).dividedBy(1000000).toString()),
        (amount, rate) => {
          const national = roundMoney(convertToNational(amount, rate), {
            mode: 'half-up',
            places: 2,
          });
          const back = convertFromNational(national.toFixed(2), rate);
          // |back - amount| = |rounding error| / rate <= 0.005 / rate
          expect(
            back
              .minus(dec(amount))
              .abs()
              .lessThanOrEqualTo(dec('0.005').dividedBy(dec(rate))),
          ).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
