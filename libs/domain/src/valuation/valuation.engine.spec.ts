import { DutyLine, ItemAssessment, ValuationResult } from '@customs/contracts';
import { assessValuation } from './valuation.engine';
import { ValuationError } from './valuation.errors';
import { ValuationConfig } from './valuation.model';
import {
  MARCH_2026,
  fixtureDeclaration,
  fixtureItem,
  fixtureReferenceData,
} from './valuation.test-fixtures';
import { Declaration } from '@customs/contracts';

const ref = fixtureReferenceData();

function value(
  d: Declaration,
  config?: Partial<ValuationConfig>,
  acceptedAt = MARCH_2026,
): ValuationResult {
  return assessValuation({ declaration: d, acceptedAt }, ref, config);
}

function line(item: ItemAssessment, type: DutyLine['type']): DutyLine {
  const l = item.duties.find((d) => d.type === type);
  if (!l) throw new Error(`no ${type} line on item ${item.itemNumber}`);
  return l;
}

function codes(r: ValuationResult): string[] {
  return r.alerts.map((a) => (a.itemNumber ? `${a.code}#${a.itemNumber}` : a.code));
}

describe('assessValuation: worked examples', () => {
  // DHL, "All you need to know about UK import tax and duty" (CIF calculation): 2000
  // umbrellas at GBP 5 = GBP 10,000, plus GBP 500 insurance and freight = CIF GBP 10,500;
  // duty 4 % = GBP 420. Import VAT at 20 % on value + duty (VAT Act 1994 s.21(2); HMRC
  // Notice 252): 20 % x 10,920 = GBP 2,184.
  it('reproduces the published UK CIF umbrella example (GBP national currency)', () => {
    const d = fixtureDeclaration(
      { invoiceCurrency: 'GBP', incoterm: 'FOB', costs: { freight: '500.00' } },
      [
        fixtureItem(1, {
          commodityCode: '6601910000',
          quantity: '2000',
          netMass: '800',
          invoiceAmount: '10000.00',
        }),
      ],
    );
    const r = assessValuation(
      { declaration: d, acceptedAt: MARCH_2026 },
      fixtureReferenceData('GBP'),
      {
        nationalCurrency: 'GBP',
        vatStandardRate: '20',
      },
    );
    expect(r.currency).toBe('GBP');
    expect(r.customsValue).toBe('10500.00');
    expect(line(r.items[0], 'customs-duty')).toMatchObject({
      base: '10500.00',
      rate: '4',
      amount: '420.00',
    });
    expect(line(r.items[0], 'vat')).toMatchObject({
      base: '10920.00',
      rate: '20',
      amount: '2184.00',
    });
    expect(r.totalToPay).toBe('2604.00');
    expect(r.exchangeRate).toMatchObject({ from: 'GBP', to: 'GBP', rate: '1' });
    expect(r.adjustments).toEqual([
      expect.objectContaining({ cost: 'freight', effect: 'addition', declared: '500.00' }),
    ]);
  });

  // DDP sale: import duties included in the price are not part of the customs value when
  // shown separately (WTO CVA Annex I, Note to Art. 1 para. 3(c); UCC Art. 72(f)); the CJEU
  // accepted that the DDP term itself shows them separately (summarised in customs-attorney.com,
  // "Customs value - when sold DDP": EUR 10,000 DDP, 5 % duty -> duty 5/105 x 10,000 = 476).
  it('deducts duties included in a DDP price: 10,000 incl. 5 % duty -> value 9,523.81, duty 476.19', () => {
    const d = fixtureDeclaration({ incoterm: 'DDP', costs: { importDutiesIncluded: '476.19' } }, [
      fixtureItem(1, { commodityCode: '9403200000', invoiceAmount: '10000.00' }),
    ]);
    const r = value(d);
    expect(r.customsValue).toBe('9523.81');
    expect(line(r.items[0], 'customs-duty').amount).toBe('476.19'); // 9523.81 x 5 % = 476.1905
    expect(line(r.items[0], 'vat')).toMatchObject({ base: '10000.00', amount: '2100.00' });
    expect(codes(r)).not.toContain('DDP_DUTIES_NOT_DECLARED');
    expect(codes(value(fixtureDeclaration({ incoterm: 'DDP' })))).toContain(
      'DDP_DUTIES_NOT_DECLARED',
    );
  });

  // WTO CVA Art. 8(2)(a),(c), UCC Art. 71(1)(e): under the CIF basis the freight and insurance
  // paid by the buyer of FOB goods are added. Declaration-level costs are apportioned by
  // invoice amount, each share rounded down to the cent, the left-over cent to the largest item:
  //   freight 100.00 over 333.33 / 333.33 / 333.34 -> 33.333, 33.333, 33.334 -> 33.33, 33.33, 33.33 + 0.01
  //   insurance 10.00 -> 3.33, 3.33, 3.33 + 0.01
  //   transaction values 369.99, 369.99, 370.02 USD (sum 1110.00 = 1000 + 100 + 10)
  //   x 0.9000 (March 2026) -> 332.991, 332.991, 333.018 -> 332.99, 332.99, 333.02 EUR
  //   duty 12 % -> 39.9588, 39.9588, 39.9624 -> 39.96 each; VAT 21 % on 372.95, 372.95, 372.98
  //   -> 78.3195, 78.3195, 78.3258 -> 78.32, 78.32, 78.33
  it('adds freight and insurance to an FOB price, apportioned to the cent, in USD', () => {
    const d = fixtureDeclaration(
      { invoiceCurrency: 'USD', incoterm: 'FOB', costs: { freight: '100.00', insurance: '10.00' } },
      [
        fixtureItem(1, { invoiceAmount: '333.33', netMass: '10' }),
        fixtureItem(2, { invoiceAmount: '333.33', netMass: '10' }),
        fixtureItem(3, { invoiceAmount: '333.34', netMass: '10' }),
      ],
    );
    const r = value(d);
    expect(r.items.map((i) => i.adjustments)).toEqual([
      [
        { cost: 'freight', effect: 'addition', amount: '33.33' },
        { cost: 'insurance', effect: 'addition', amount: '3.33' },
      ],
      [
        { cost: 'freight', effect: 'addition', amount: '33.33' },
        { cost: 'insurance', effect: 'addition', amount: '3.33' },
      ],
      [
        { cost: 'freight', effect: 'addition', amount: '33.34' },
        { cost: 'insurance', effect: 'addition', amount: '3.34' },
      ],
    ]);
    expect(r.items.map((i) => i.transactionValue)).toEqual(['369.99', '369.99', '370.02']);
    expect(r.items.map((i) => i.customsValue)).toEqual(['332.99', '332.99', '333.02']);
    expect(r.items.map((i) => line(i, 'customs-duty').amount)).toEqual(['39.96', '39.96', '39.96']);
    expect(r.items.map((i) => line(i, 'vat').amount)).toEqual(['78.32', '78.32', '78.33']);
    expect(r).toMatchObject({
      customsValue: '999.00',
      totalDuties: '119.88',
      totalVat: '234.97',
      totalTaxes: '234.97',
      totalToPay: '354.85',
      complete: true,
    });
    expect(r.exchangeRate).toEqual({
      from: 'USD',
      to: 'EUR',
      rate: '0.9000',
      version: 'EXR-T1',
      validFrom: '2026-03-01',
      validTo: '2026-03-31',
    });
  });

  // Art. 8(1)(a)(i)-(iii), (c): commissions, packing, royalties added; buying commissions
  // never added and, declared as included, deducted: 1000 + 50 + 30 + 20 - 10 = 1090.
  it('applies Article 8(1) additions and deducts buying commissions', () => {
    const d = fixtureDeclaration({
      costs: { commissions: '50', packing: '30', royalties: '20', buyingCommissions: '10' },
    });
    const r = value(d);
    expect(r.items[0].transactionValue).toBe('1090.00');
    expect(r.customsValue).toBe('1090.00');
    expect(r.adjustments?.map((a) => `${a.cost}:${a.effect}`)).toEqual([
      'commissions:addition',
      'packing:addition',
      'royalties:addition',
      'buyingCommissions:deduction',
    ]);
  });

  // FOB basis (WTO CVA Art. 8(2), e.g. the US): freight and insurance in a CIF price are deducted
  // when declared: (1100 - 80 - 20) x 0.9 = 900.00; under the CIF basis they stay: 1100 x 0.9 = 990.00.
  it('deducts freight and insurance in a CIF price under the FOB basis', () => {
    const d = fixtureDeclaration(
      { invoiceCurrency: 'USD', incoterm: 'CIF', costs: { freight: '80', insurance: '20' } },
      [fixtureItem(1, { invoiceAmount: '1100' })],
    );
    expect(value(d, { basis: 'FOB' }).customsValue).toBe('900.00');
    const cif = value(d, { basis: 'CIF' });
    expect(cif.customsValue).toBe('990.00');
    expect(cif.adjustments?.map((a) => a.effect)).toEqual(['none', 'none']);
  });

  // DAP to an inland place: carriage after import is deducted from the value (UCC Art. 72(a))
  // but is an incidental cost to the first destination in the VAT base (Directive 2006/112/EC
  // Art. 86(1)(b)): value 1040 - 40 = 1000; duty 120; VAT 21 % x (1000 + 120 + 40) = 243.60.
  it('deducts transport after import under DAP and adds it to the VAT base', () => {
    const d = fixtureDeclaration({ incoterm: 'DAP', costs: { transportAfterImport: '40' } }, [
      fixtureItem(1, { invoiceAmount: '1040' }),
    ]);
    const r = value(d);
    expect(r.customsValue).toBe('1000.00');
    expect(line(r.items[0], 'vat')).toMatchObject({ base: '1160.00', amount: '243.60' });
    const noIncidental = value(d, {
      vatIncidentalCosts: { includeTransportAfterImport: false, fixedAmount: '0' },
    });
    expect(line(noIncidental.items[0], 'vat')).toMatchObject({ base: '1120.00', amount: '235.20' });
    // A fixed incidental amount (national currency) is apportioned like the other costs.
    const fixedInc = value(d, {
      vatIncidentalCosts: { includeTransportAfterImport: false, fixedAmount: '10' },
    });
    expect(line(fixedInc.items[0], 'vat').base).toBe('1130.00');
  });

  it('leaves transport after import out under EXW (it cannot be in that price) and flags missing freight', () => {
    const d = fixtureDeclaration({ incoterm: 'EXW', costs: { transportAfterImport: '40' } });
    const r = value(d);
    expect(r.customsValue).toBe('1000.00');
    expect(r.adjustments?.[0]).toMatchObject({ cost: 'transportAfterImport', effect: 'none' });
    expect(codes(r)).toContain('TRANSPORT_COSTS_MISSING');
  });

  // Compound duty with a reduced VAT rate: beef 0201, 1000 kg, value 5000:
  // 12.8 % x 5000 = 640 + 176.8 x 10 = 1768 -> 2408.00; VAT 9 % x 7408.00 = 666.72.
  it('computes a compound duty and a reduced VAT rate', () => {
    const d = fixtureDeclaration({}, [
      fixtureItem(1, {
        commodityCode: '0201100000',
        netMass: '1000',
        invoiceAmount: '5000',
        originCountry: 'AR',
      }),
    ]);
    const r = value(d);
    const duty = line(r.items[0], 'customs-duty');
    expect(duty).toMatchObject({ amount: '2408.00', base: '5000.00', rate: '12.8', rateUnit: '%' });
    expect(duty.components?.map((c) => c.amount)).toEqual(['640', '1768']);
    expect(line(r.items[0], 'vat')).toMatchObject({ rate: '9', base: '7408.00', amount: '666.72' });
  });

  // Wine 2204, 750 l (7.5 hl), value 3000: duty 13.1 x 7.5 = 98.25; excise 97.41 x 7.5 =
  // 730.575 -> 730.58 (half-up); VAT 21 % x (3000 + 98.25 + 730.58 = 3828.83) = 804.0543 -> 804.05.
  it('charges specific duty and excise per hectolitre, and VAT on value + duty + excise', () => {
    const d = fixtureDeclaration({}, [
      fixtureItem(1, {
        commodityCode: '2204210600',
        quantity: '750',
        unit: 'LTR',
        netMass: '800',
        invoiceAmount: '3000',
      }),
    ]);
    const r = value(d);
    expect(line(r.items[0], 'customs-duty').amount).toBe('98.25');
    expect(line(r.items[0], 'excise')).toMatchObject({
      amount: '730.58',
      unroundedAmount: '730.575',
    });
    expect(line(r.items[0], 'vat')).toMatchObject({ base: '3828.83', amount: '804.05' });
    expect(r).toMatchObject({
      totalDuties: '98.25',
      totalExcise: '730.58',
      totalTaxes: '1534.63',
      totalToPay: '1632.88',
    });
  });

  // Cigarettes: 50,000 pieces declared as 50 supplementary units (1000 p/st), value 5000:
  // duty 57.6 % = 2880.00; excise 271.35 x 50 = 13567.50; VAT 21 % x 21447.50 = 4503.975 -> 4503.98.
  it('reads cigarettes in thousands from supplementary units', () => {
    const d = fixtureDeclaration({}, [
      fixtureItem(1, {
        commodityCode: '2402209000',
        unit: 'KGM',
        quantity: '50',
        netMass: '50',
        supplementaryUnits: '50',
        invoiceAmount: '5000',
      }),
    ]);
    const r = value(d);
    expect(line(r.items[0], 'customs-duty').amount).toBe('2880.00');
    expect(line(r.items[0], 'excise')).toMatchObject({
      amount: '13567.50',
      base: '50',
      baseUnit: '1000 p/st',
    });
    expect(line(r.items[0], 'vat').amount).toBe('4503.98');
  });

  it('converts a specific duty fixed in USD at the rate in force and records that rate', () => {
    // 10 USD / 100 kg x 5 x 0.9000 = 45.00
    const d = fixtureDeclaration({}, [
      fixtureItem(1, { commodityCode: '0406900100', netMass: '500' }),
    ]);
    const r = value(d);
    expect(line(r.items[0], 'customs-duty').amount).toBe('45.00');
    expect(r.exchangeRatesUsed?.map((x) => `${x.from}:${x.rate}`)).toEqual(['EUR:1', 'USD:0.9000']);
  });

  it('uses the exchange rate in force on the UTC date of acceptance', () => {
    const d = fixtureDeclaration({ invoiceCurrency: 'USD' });
    // 00:30 at UTC+2 on 1 April is still 31 March in UTC: March rate 0.9.
    expect(value(d, {}, '2026-04-01T00:30:00+02:00').customsValue).toBe('900.00');
    const april = value(d, {}, '2026-04-01T00:30:00Z');
    expect(april.customsValue).toBe('800.00');
    expect(april.exchangeRate).toMatchObject({
      rate: '0.8000',
      validFrom: '2026-04-01',
      validTo: '2026-04-30',
    });
    expect(april.valuationDate).toBe('2026-04-01');
  });

  it('uses the tariff measure in force on the date', () => {
    const d = fixtureDeclaration({}, [fixtureItem(1, { commodityCode: '8507600000' })]);
    expect(line(value(d, {}, '2026-03-15T23:59:59Z').items[0], 'customs-duty').amount).toBe(
      '27.00',
    );
    expect(line(value(d, {}, '2026-03-16T00:00:00Z').items[0], 'customs-duty').amount).toBe(
      '13.00',
    );
  });
});

describe('assessValuation: preferences', () => {
  const proof = { type: 'REX', reference: 'INREXAB1234567' };
  const run = (over: Parameters<typeof fixtureItem>[1]) =>
    value(fixtureDeclaration({}, [fixtureItem(1, over)]));

  it('applies the preferential rate for a covered origin with proof (9.6 % of 1000)', () => {
    const r = run({ preferenceCode: '300', proofOfOrigin: proof });
    expect(line(r.items[0], 'customs-duty')).toMatchObject({
      amount: '96.00',
      measureId: 'GSP-6109',
    });
    expect(r.items[0].preference).toMatchObject({ claimed: true, applied: true, agreement: 'GSP' });
    expect(codes(r)).not.toContain('PREFERENCE_REFUSED#1');
  });

  it.each([
    ['no proof of origin', { preferenceCode: '300' }, /without proof of origin/],
    [
      'origin no longer listed (CN left the GSP in 2015)',
      { preferenceCode: '300', proofOfOrigin: proof, originCountry: 'CN' },
      /CN is in no preference agreement in force on 2026-03-10/,
    ],
    [
      'no preferential rate for the code',
      { preferenceCode: '300', proofOfOrigin: proof, originCountry: 'CH' },
      /no preferential rate for 6109100010 under FTA/,
    ],
  ])('falls back to the third-country rate and says why: %s', (_why, over, reason) => {
    const r = run(over);
    expect(line(r.items[0], 'customs-duty').amount).toBe('120.00');
    expect(r.items[0].preference?.applied).toBe(false);
    expect(r.items[0].preference?.reason).toMatch(reason);
    expect(r.alerts.find((a) => a.code === 'PREFERENCE_REFUSED')?.message).toMatch(reason);
  });

  it('does not treat a non-3 preference code as a claim', () => {
    const r = run({ preferenceCode: '100', proofOfOrigin: proof });
    expect(line(r.items[0], 'customs-duty').amount).toBe('120.00');
    expect(r.items[0].preference).toMatchObject({ claimed: false, applied: false });
    expect(codes(r)).not.toContain('PREFERENCE_REFUSED#1');
  });

  it('uses the chapter fallback when nothing more specific exists, and prefers an FTA rate at chapter level', () => {
    const d = fixtureDeclaration({}, [
      fixtureItem(1, { commodityCode: '8541100000', originCountry: 'CH' }),
    ]);
    const r = value(d);
    expect(line(r.items[0], 'customs-duty')).toMatchObject({ amount: '22.00', codePrefix: '85' });
    expect(codes(r)).toContain('TARIFF_FALLBACK#1');
    const pref = value(
      fixtureDeclaration({}, [
        fixtureItem(1, {
          commodityCode: '8541100000',
          originCountry: 'CH',
          preferenceCode: '300',
          proofOfOrigin: proof,
        }),
      ]),
    );
    expect(line(pref.items[0], 'customs-duty').amount).toBe('0.00');
  });
});

describe('assessValuation: alerts and errors', () => {
  it('flags a related-party sale and a method other than 1 for officer review, still with method 1 figures', () => {
    const r = value(fixtureDeclaration({ relatedParty: true, valuationMethod: 2 }));
    expect(r.alerts.filter((a) => a.code === 'OFFICER_REVIEW')).toHaveLength(2);
    expect(r.method).toBe(1);
    expect(r.methodClaimed).toBe(2);
    expect(r.customsValue).toBe('1000.00');
  });

  it('raises UNDERVALUATION with the item number when the unit value is below the band floor', () => {
    // 1000 EUR / 200 kg = 5.00 EUR/kg: below the CN band floor 7.00, not below the any-origin floor 5.00.
    const d = fixtureDeclaration({}, [
      fixtureItem(1, { netMass: '200', originCountry: 'IN' }),
      fixtureItem(2, { netMass: '200', originCountry: 'CN' }),
    ]);
    const r = value(d);
    expect(r.alerts.filter((a) => a.code === 'UNDERVALUATION').map((a) => a.itemNumber)).toEqual([
      2,
    ]);
    expect(r.items.map((i) => i.unitValuePerKg)).toEqual(['5.0000', '5.0000']);
    const over = value(
      fixtureDeclaration({}, [fixtureItem(1, { commodityCode: '8517130000', netMass: '0.1' })]),
    );
    expect(codes(over)).toEqual(['OVERVALUATION#1']);
  });

  it('returns an error line, not an exception, when a specific duty has no quantity', () => {
    const d = fixtureDeclaration({}, [
      fixtureItem(1, { commodityCode: '2204210600', unit: 'KGM', quantity: '800' }),
    ]);
    const r = value(d);
    expect(r.complete).toBe(false);
    expect(line(r.items[0], 'customs-duty')).toMatchObject({
      amount: '0.00',
      error: { code: 'QUANTITY_MISSING' },
    });
    expect(line(r.items[0], 'excise').error?.code).toBe('QUANTITY_MISSING');
    expect(r.alerts.filter((a) => a.code === 'DUTY_NOT_COMPUTABLE')).toHaveLength(2);
    expect(line(r.items[0], 'vat')).toMatchObject({ base: '1000.00', amount: '210.00' });
  });

  it('reports a code with no measure at all as not computable', () => {
    const r = value(fixtureDeclaration({}, [fixtureItem(1, { commodityCode: '0101210000' })]));
    expect(r.complete).toBe(false);
    expect(r.alerts[0].message).toMatch(/NO_TARIFF_MEASURE/);
  });

  it('flags an invoice total that does not match the items and a price below its deductions', () => {
    const d = fixtureDeclaration({ invoiceTotal: '999.00', costs: { buyingCommissions: '1200' } });
    const r = value(d);
    // A value of 0 is also below every reference band floor.
    expect(codes(r)).toEqual([
      'INVOICE_TOTAL_MISMATCH',
      'DEDUCTIONS_EXCEED_PRICE#1',
      'UNDERVALUATION#1',
    ]);
    expect(r.customsValue).toBe('0.00');
  });

  it('values an export declaration without duties', () => {
    const r = value(fixtureDeclaration({ declarationType: 'export' }));
    expect(r.items[0].duties).toEqual([]);
    expect(r.totalToPay).toBe('0.00');
    expect(codes(r)).toContain('NO_IMPORT_DUTIES');
  });

  it('rounds with the configured mode and places', () => {
    // VAT 21 % x 100.50 = 21.105: half-up 21.11, half-even 21.10; 3 places keeps 21.105.
    const d = fixtureDeclaration({}, [
      fixtureItem(1, { commodityCode: '8517130000', netMass: '1', invoiceAmount: '100.50' }),
    ]);
    expect(line(value(d).items[0], 'vat').amount).toBe('21.11');
    expect(
      line(value(d, { rounding: { mode: 'half-even', places: 2 } }).items[0], 'vat').amount,
    ).toBe('21.10');
    expect(
      line(value(d, { rounding: { mode: 'half-up', places: 3 } }).items[0], 'vat').amount,
    ).toBe('21.105');
  });

  it('throws a ValuationError only when no value can be stated', () => {
    const catchErr = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as ValuationError;
      }
      throw new Error('expected an error');
    };
    const noRate = catchErr(() =>
      value(fixtureDeclaration({ invoiceCurrency: 'JPY' }), {}, '2026-05-02T10:00:00Z'),
    );
    expect(noRate).toBeInstanceOf(ValuationError);
    expect(noRate.code).toBe('NO_EXCHANGE_RATE');
    const bad = catchErr(() =>
      value(fixtureDeclaration({}, [fixtureItem(1, { invoiceAmount: '12,50' })])),
    );
    expect(bad).toMatchObject({
      code: 'INVALID_INPUT',
      path: 'declaration.items[0].invoiceAmount',
    });
    expect(catchErr(() => value(fixtureDeclaration(), {}, 'yesterday')).code).toBe('INVALID_INPUT');
    expect(catchErr(() => value(fixtureDeclaration(), { nationalCurrency: 'GBP' })).code).toBe(
      'CURRENCY_MISMATCH',
    );
    expect(
      catchErr(() => value(fixtureDeclaration(), { rounding: { mode: 'half-up', places: -1 } }))
        .code,
    ).toBe('INVALID_CONFIG');
  });

  it('keeps defaults for config keys passed as undefined (unset environment variables)', () => {
    const r = value(fixtureDeclaration(), { basis: undefined, nationalCurrency: undefined });
    expect(r).toMatchObject({ basis: 'CIF', currency: 'EUR' });
  });

  it('records every version used', () => {
    expect(value(fixtureDeclaration()).versions).toEqual({
      tariff: 'TARIFF-T1',
      exchangeRates: 'EXR-T1',
      referencePrices: 'RP-T1',
      preferences: 'PREF-T1',
      vat: 'VAT-T1',
      excise: 'EXC-T1',
    });
  });
});
