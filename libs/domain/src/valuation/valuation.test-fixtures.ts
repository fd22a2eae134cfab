import { Declaration, DeclarationItem } from '@customs/contracts';
import { dec, isDecimalString } from './money.math';
import { TariffMeasure, ValuationReferenceData } from './valuation.model';

/*
 * Small, hand-checkable reference data and declarations for the valuation specs. Rates are
 * round numbers on purpose so each expected figure can be worked out on paper.
 */

function third(
  id: string,
  codePrefix: string,
  dutyExpression: string,
  extra: Partial<TariffMeasure> = {},
): TariffMeasure {
  return {
    id,
    codePrefix,
    type: 'third-country',
    dutyExpression,
    validFrom: '2020-01-01',
    ...extra,
  };
}

function pref(agreement: string, codePrefix: string, dutyExpression: string): TariffMeasure {
  return {
    id: `${agreement}-${codePrefix}`,
    codePrefix,
    type: 'preferential',
    agreement,
    dutyExpression,
    validFrom: '2020-01-01',
  };
}

export function fixtureReferenceData(nationalCurrency = 'EUR'): ValuationReferenceData {
  const ref: ValuationReferenceData = {
    exchangeRates: {
      version: 'EXR-T1',
      nationalCurrency,
      rates: [
        { currency: 'USD', rate: '0.9000', validFrom: '2026-03-01', validTo: '2026-03-31' },
        { currency: 'USD', rate: '0.8000', validFrom: '2026-04-01', validTo: '2026-04-30' },
        { currency: 'GBP', rate: '1.2000', validFrom: '2026-03-01', validTo: '2026-04-30' },
        { currency: 'JPY', rate: '0.006123', validFrom: '2026-03-01', validTo: '2026-04-30' },
      ],
    },
    tariff: {
      version: 'TARIFF-T1',
      measures: [
        third('T-6109', '6109', '12 %'),
        third('T-6601', '6601', '4 %'),
        third('T-0201', '0201', '12.8 % + 176.8 EUR / 100 kg'),
        third('T-2204', '2204', '13.1 EUR / hl'),
        third('T-2401', '2401', '10 % MIN 22 EUR / 100 kg MAX 24 EUR / 100 kg'),
        third('T-9102', '9102', '8 % + 1.50 EUR / p/st'),
        third('T-1701', '1701', '2.5 % - 3 EUR / 100 kg'),
        third('T-2402', '2402', '57.6 %', { supplementaryUnit: '1000 p/st' }),
        third('T-0406', '0406', '10 USD / 100 kg'),
        third('T-8517', '8517', '0 %'),
        third('T-9403', '9403', '5 %'),
        third('T-8507-A', '8507', '2.7 %', { validTo: '2026-03-15' }),
        third('T-8507-B', '8507', '1.3 %', { validFrom: '2026-03-16' }),
        third('FB-85', '85', '2.2 %', { fallback: true }),
        pref('GSP', '6109', '9.6 %'),
        pref('FTA', '85', '0 %'),
      ],
    },
    preferences: {
      version: 'PREF-T1',
      agreements: [
        {
          id: 'GSP',
          name: 'Test GSP',
          validFrom: '2014-01-01',
          countries: [
            { country: 'IN', validFrom: '2014-01-01' },
            { country: 'CN', validFrom: '2014-01-01', validTo: '2014-12-31' },
          ],
        },
        {
          id: 'FTA',
          name: 'Test FTA',
          validFrom: '2000-01-01',
          countries: [{ country: 'CH', validFrom: '2000-01-01' }],
        },
      ],
    },
    vat: {
      version: 'VAT-T1',
      standardRate: '21',
      reducedRates: [{ codePrefix: '0201', rate: '9', validFrom: '2020-01-01' }],
    },
    excise: {
      version: 'EXC-T1',
      measures: [
        {
          id: 'E-2204',
          codePrefix: '2204',
          dutyExpression: '97.41 EUR / hl',
          validFrom: '2020-01-01',
        },
        {
          id: 'E-2402',
          codePrefix: '2402',
          dutyExpression: '271.35 EUR / 1000 p/st',
          supplementaryUnit: '1000 p/st',
          validFrom: '2020-01-01',
        },
      ],
    },
    referencePrices: {
      version: 'RP-T1',
      currency: nationalCurrency,
      bands: [
        { id: 'RP-6109', codePrefix: '6109', floorPerKg: '5.00', validFrom: '2020-01-01' },
        {
          id: 'RP-6109-CN',
          codePrefix: '6109',
          origin: 'CN',
          floorPerKg: '7.00',
          validFrom: '2020-01-01',
        },
        {
          id: 'RP-8517',
          codePrefix: '8517',
          floorPerKg: '40',
          ceilingPerKg: '5000',
          validFrom: '2020-01-01',
        },
      ],
    },
  };
  // The national currency has no rate line: it converts at 1.
  ref.exchangeRates.rates = ref.exchangeRates.rates.filter((r) => r.currency !== nationalCurrency);
  return ref;
}

export function fixtureItem(
  itemNumber: number,
  over: Partial<DeclarationItem> = {},
): DeclarationItem {
  return {
    itemNumber,
    commodityCode: '6109100010',
    description: 'T-shirts of cotton',
    originCountry: 'IN',
    quantity: '100',
    unit: 'NAR',
    netMass: '100',
    grossMass: '110',
    invoiceAmount: '1000.00',
    ...over,
  };
}

export function fixtureDeclaration(
  over: Partial<Declaration> = {},
  items?: DeclarationItem[],
): Declaration {
  const its = items ?? [fixtureItem(1)];
  const total = its.reduce(
    (s, i) => (isDecimalString(i.invoiceAmount) ? s.plus(dec(i.invoiceAmount)) : s),
    dec(0),
  );
  return {
    lrn: 'LRN-VAL-1',
    declarationType: 'import',
    procedureCode: '4000',
    declarant: { id: 'NL123456789' },
    officeOfLodgement: 'NL000396',
    borderPost: 'NL-RTM-1',
    transportMode: '1',
    dispatchCountry: 'IN',
    destinationCountry: 'NL',
    invoiceCurrency: 'EUR',
    invoiceTotal: total.toFixed(2),
    incoterm: 'CIF',
    incotermPlace: 'Rotterdam',
    relatedParty: false,
    valuationMethod: 1,
    items: its,
    ...over,
  };
}

export const MARCH_2026 = '2026-03-10T09:00:00Z';
