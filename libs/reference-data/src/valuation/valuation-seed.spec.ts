import * as fc from 'fast-check';
import { Declaration, DeclarationItem } from '@customs/contracts';
import {
  assessValuation,
  findExchangeRate,
  findThirdCountryMeasure,
  formatValuation,
} from '@customs/domain';
import { loadSeedValuationReferenceData } from './valuation-seed.loader';

const ref = loadSeedValuationReferenceData();

function item(itemNumber: number, over: Partial<DeclarationItem>): DeclarationItem {
  return {
    itemNumber,
    commodityCode: '6109100010',
    description: 'goods',
    originCountry: 'CN',
    quantity: '100',
    unit: 'NAR',
    netMass: '100',
    grossMass: '110',
    invoiceAmount: '1000.00',
    ...over,
  };
}

function declaration(over: Partial<Declaration>, items: DeclarationItem[]): Declaration {
  return {
    lrn: 'LRN-SEED-1',
    declarationType: 'import',
    procedureCode: '4000',
    declarant: { id: 'NL123456789' },
    officeOfLodgement: 'NL000396',
    borderPost: 'NL-RTM-1',
    transportMode: '1',
    dispatchCountry: 'CN',
    destinationCountry: 'NL',
    invoiceCurrency: 'EUR',
    invoiceTotal: '1000.00',
    incoterm: 'CIF',
    incotermPlace: 'Rotterdam',
    relatedParty: false,
    valuationMethod: 1,
    items,
    ...over,
  };
}

const MARCH = '2026-03-12T10:00:00Z';

describe('seed valuation reference data', () => {
  it('loads, validates and is shared frozen', () => {
    expect(loadSeedValuationReferenceData()).toBe(ref);
    expect(Object.isFrozen(ref.tariff.measures[0])).toBe(true);
    expect(ref.exchangeRates.nationalCurrency).toBe('EUR');
    expect(ref.vat.standardRate).toBe('21');
  });

  it('has a monthly rate for every month of 2026 for each seed currency', () => {
    for (const currency of ['USD', 'CNY', 'GBP', 'JPY', 'CHF', 'TRY', 'INR', 'EUR']) {
      for (let m = 1; m <= 12; m++) {
        const mm = String(m).padStart(2, '0');
        for (const day of ['01', '15', '28']) {
          const r = findExchangeRate(ref.exchangeRates, currency, `2026-${mm}-${day}`);
          expect(r?.validFrom).toBe(`2026-${mm}-01`);
        }
      }
    }
  });

  it('has a real (non-fallback) measure for each seed heading', () => {
    const codes = [
      '0901110000',
      '0803901000',
      '2204210600',
      '2203000100',
      '2402209000',
      '2709009000',
      '3004900000',
      '6109100010',
      '6203420000',
      '6403990000',
      '8471300000',
      '8517130000',
      '8703231900',
      '9403200000',
      '9503007000',
      '8708290000',
      '3926909700',
      '7208510000',
      '9303201000',
      '8802400000',
    ];
    for (const code of codes) {
      const m = findThirdCountryMeasure(ref.tariff, code, '2026-03-12');
      expect({ code, fallback: m?.fallback ?? false }).toEqual({ code, fallback: false });
    }
  });

  const chapters = [...Array.from({ length: 97 }, (_, i) => i + 1).filter((c) => c !== 77), 99].map(
    (c) => String(c).padStart(2, '0'),
  );

  it('gives a duty to any valid commodity code (all 97 chapters and random codes)', () => {
    expect(chapters).toHaveLength(97);
    const codeArb = fc
      .tuple(fc.constantFrom(...chapters), fc.integer({ min: 0, max: 99999999 }))
      .map(([ch, rest]) => ch + String(rest).padStart(8, '0'));
    const codes = [...chapters.map((c) => `${c}00000000`), ...fc.sample(codeArb, 300)];
    const d = declaration(
      {},
      codes.map((commodityCode, i) => item(i + 1, { commodityCode, supplementaryUnits: '10' })),
    );
    const r = assessValuation({ declaration: d, acceptedAt: MARCH }, ref);
    expect(r.alerts.filter((a) => a.code === 'DUTY_NOT_COMPUTABLE')).toEqual([]);
    expect(r.complete).toBe(true);
    for (const it of r.items)
      expect(it.duties.filter((l) => l.type === 'customs-duty')).toHaveLength(1);
  });

  // Worked example on the seed (figures from the seed files: USD March 2026 = 0.8593 EUR;
  // GSP 6109 = 9.6 %, i.e. 12 % reduced by 20 % for textiles, Reg. (EU) 978/2012 Art. 7(2)-(4)):
  // FOB USD 8,000 + freight 600 + insurance 40 = USD 8,640 x 0.8593 = 7,424.352 -> EUR 7,424.35;
  // duty 9.6 % = 712.7376 -> 712.74; VAT 21 % x 8,137.09 = 1,708.7889 -> 1,708.79; total 2,421.53.
  // Without the preference (origin CN): 12 % = 890.922 -> 890.92; VAT 21 % x 8,315.27 = 1,746.21.
  it('values T-shirts from Bangladesh under the GSP, and from China at the third-country rate', () => {
    const run = (originCountry: string) =>
      assessValuation(
        {
          declaration: declaration(
            {
              invoiceCurrency: 'USD',
              invoiceTotal: '8000.00',
              incoterm: 'FOB',
              costs: { freight: '600', insurance: '40' },
            },
            [
              item(1, {
                invoiceAmount: '8000.00',
                netMass: '500',
                quantity: '2000',
                originCountry,
                preferenceCode: '300',
                proofOfOrigin: { type: 'REX', reference: 'BDREX0001' },
              }),
            ],
          ),
          acceptedAt: MARCH,
        },
        ref,
      );
    const bd = run('BD');
    expect(bd.exchangeRate).toMatchObject({
      rate: '0.8593',
      validFrom: '2026-03-01',
      validTo: '2026-03-31',
    });
    expect(bd).toMatchObject({
      customsValue: '7424.35',
      totalDuties: '712.74',
      totalVat: '1708.79',
      totalToPay: '2421.53',
    });
    expect(bd.items[0].preference).toMatchObject({ applied: true, agreement: 'GSP' });
    const cn = run('CN');
    expect(cn).toMatchObject({ totalDuties: '890.92', totalVat: '1746.21' });
    expect(cn.items[0].preference?.reason).toMatch(/CN is in no preference agreement/);
  });

  // Watches 9102: '4.5 % MIN 0.3 EUR / p/st MAX 0.8 EUR / p/st'. 100 watches at EUR 300:
  // 4.5 % = 13.50 < MIN 0.3 x 100 = 30.00 -> 30.00; VAT 21 % x 330.00 = 69.30.
  it('applies the minimum of a TARIC-style MIN/MAX duty and prints the quote', () => {
    const r = assessValuation(
      {
        declaration: declaration({ invoiceTotal: '300.00' }, [
          item(1, {
            commodityCode: '9102110000',
            invoiceAmount: '300.00',
            quantity: '100',
            netMass: '5',
          }),
        ]),
        acceptedAt: MARCH,
      },
      ref,
    );
    expect(r.items[0].duties.map((l) => `${l.type}:${l.amount}`)).toEqual([
      'customs-duty:30.00',
      'vat:69.30',
    ]);
    expect(r.items[0].duties[0].boundApplied).toBe('min');
    const text = formatValuation(r);
    expect(text).toContain('minimum applies');
    expect(text).toContain(
      'Reference data: tariff TARIC-SEED-2026.1; exchange rates EXR-SEED-2026.1',
    );
  });
});
