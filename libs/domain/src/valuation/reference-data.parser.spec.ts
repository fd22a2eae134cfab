import {
  parseExchangeRates,
  parseReferencePrices,
  parseTariffMeasures,
  parseValuationReferenceData,
} from './reference-data.parser';
import { ValuationReferenceDataError } from './valuation.errors';
import { fixtureReferenceData } from './valuation.test-fixtures';

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ValuationReferenceDataError)
      return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a ValuationReferenceDataError');
}

describe('valuation reference-data parsers', () => {
  it('accepts valid data, as objects or JSON text, and keeps it intact', () => {
    const ref = fixtureReferenceData();
    expect(parseValuationReferenceData(ref)).toEqual(ref);
    expect(parseTariffMeasures(JSON.stringify(ref.tariff))).toEqual(ref.tariff);
    expect(parseExchangeRates(ref.exchangeRates)).toEqual(ref.exchangeRates);
    expect(parseReferencePrices(ref.referencePrices)).toEqual(ref.referencePrices);
  });

  it('names the path of every problem in a tariff file', () => {
    const found = problems(() =>
      parseTariffMeasures({
        version: 'T',
        measures: [
          {
            id: 'A',
            codePrefix: '610',
            type: 'third-country',
            dutyExpression: '12 %',
            validFrom: '2026-01-01',
          },
          {
            id: 'B',
            codePrefix: '6109',
            type: 'third-country',
            dutyExpression: '12 EUR / tonne',
            validFrom: '2026-02-30',
          },
          {
            id: 'B',
            codePrefix: '6110',
            type: 'preferential',
            dutyExpression: '0 %',
            validFrom: '2026-01-01',
          },
          {
            id: 'D',
            codePrefix: '6109',
            type: 'third-country',
            dutyExpression: '5 %',
            validFrom: '2025-01-01',
          },
        ],
      }),
    );
    expect(found).toEqual([
      "$.measures[0].codePrefix: expected 2, 4, 6, 8 or 10 digits, got '610'",
      expect.stringMatching(
        /^\$\.measures\[1\]\.dutyExpression: invalid duty expression '12 EUR \/ tonne' at position 9: unknown unit 'tonne'/,
      ),
      "$.measures[1].validFrom: expected YYYY-MM-DD, got '2026-02-30'",
      '$.measures[2].agreement: a preferential measure needs its agreement',
      "$.measures[2].id: duplicate id 'B'",
      '$.measures[1]: measure overlaps the period of $.measures[3]',
    ]);
  });

  it('checks exchange rates: ISO codes, positive decimal strings, no overlapping periods', () => {
    const found = problems(() =>
      parseExchangeRates({
        version: 'X',
        nationalCurrency: 'EUR',
        rates: [
          { currency: 'USD', rate: '0.9', validFrom: '2026-01-01', validTo: '2026-01-31' },
          { currency: 'USD', rate: '0.91', validFrom: '2026-01-31', validTo: '2026-02-28' },
          { currency: 'XYZ', rate: 0.5, validFrom: '2026-01-01' },
          { currency: 'GBP', rate: '0', validFrom: '2026-01-01', validTo: '2025-12-31' },
        ],
      }),
    );
    expect(found).toEqual([
      "$.rates[2].currency: not an ISO 4217 currency code: 'XYZ'",
      '$.rates[2].rate: expected a decimal string such as "12.5", got 0.5',
      '$.rates[3].rate: must be greater than 0',
      '$.rates[3].validTo: is before validFrom',
      '$.rates[1]: rate overlaps the period of $.rates[0]',
    ]);
  });

  it('checks reference price bands', () => {
    const found = problems(() =>
      parseReferencePrices({
        version: 'R',
        currency: 'EUR',
        bands: [
          {
            id: 'A',
            codePrefix: '6109',
            origin: 'XX',
            floorPerKg: '5',
            ceilingPerKg: '4',
            validFrom: '2026-01-01',
          },
        ],
      }),
    );
    expect(found).toEqual([
      "$.bands[0].origin: not an ISO 3166 alpha-2 country code: 'XX'",
      '$.bands[0].ceilingPerKg: is below floorPerKg',
    ]);
  });

  it('reports bad JSON and wrong shapes at the root', () => {
    expect(problems(() => parseTariffMeasures('{'))[0]).toMatch(/^\$: not JSON/);
    expect(problems(() => parseExchangeRates([]))).toEqual(['$: expected an object']);
    expect(problems(() => parseReferencePrices({ version: 'R', currency: 'EUR' }))).toEqual([
      '$.bands: expected an array',
    ]);
  });

  it('prefixes part paths and cross-checks agreements in a bundle', () => {
    const ref = fixtureReferenceData();
    ref.tariff.measures.push({
      id: 'P',
      codePrefix: '01',
      type: 'preferential',
      agreement: 'NOPE',
      dutyExpression: '0 %',
      validFrom: '2020-01-01',
    });
    (ref.vat as { standardRate: unknown }).standardRate = 21;
    expect(problems(() => parseValuationReferenceData(ref))).toEqual([
      '$.vat.standardRate: expected a decimal string such as "12.5", got 21',
      `$.tariff.measures[${ref.tariff.measures.length - 1}].agreement: unknown agreement 'NOPE'`,
    ]);
  });
});
