import {
  parseExchangeRates,
  parseExciseMeasures,
  parsePreferenceAgreements,
  parseReferencePrices,
  parseTariffMeasures,
  parseVatRates,
  ValidityPeriod,
  ValuationReferenceData,
} from '@customs/domain';

/*
 * The six parts of valuation reference data, each a kind of its own in the valuation store
 * (`customs reference import <kind> <file>`): one place says which kind feeds which part,
 * how its files are parsed and how a version is summarised, for the importers, the service
 * and `quote` alike.
 */

export type ValuationPartKey = keyof ValuationReferenceData;

export interface ValuationPartSpec<K extends ValuationPartKey = ValuationPartKey> {
  /** The <kind> of `reference import` and of the stored versions. */
  kind: string;
  key: K;
  description: string;
  /** The domain parser: every problem with its JSON path, or a validated copy. */
  parse(json: unknown): ValuationReferenceData[K];
  /** The dated entries, for the default effective date and the summary. */
  entries(data: ValuationReferenceData[K]): ValidityPeriod[];
  /** Count and shape for people, e.g. "412 measures (398 third-country, 14 preferential)". */
  describe(data: ValuationReferenceData[K]): string;
  /** Currency the part is expressed in, when it must equal the national currency. */
  currency?(data: ValuationReferenceData[K]): string;
}

const count = <T>(items: T[], key: (x: T) => string): string =>
  [...items.reduce((m, x) => m.set(key(x), (m.get(key(x)) ?? 0) + 1), new Map<string, number>())]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');

function spec<K extends ValuationPartKey>(s: ValuationPartSpec<K>): ValuationPartSpec<K> {
  return s;
}

export const VALUATION_PARTS = {
  tariff: spec({
    kind: 'tariff',
    key: 'tariff',
    description: 'tariff measures: third-country and preferential duty expressions by code prefix',
    parse: parseTariffMeasures,
    entries: (d) => d.measures,
    describe: (d) => `${d.measures.length} measures (${count(d.measures, (m) => m.type)})`,
  }),
  exchangeRates: spec({
    kind: 'exchange-rates',
    key: 'exchangeRates',
    description: 'exchange rates into the national currency, with validity periods (e.g. monthly)',
    parse: parseExchangeRates,
    entries: (d) => d.rates,
    describe: (d) =>
      `${d.rates.length} rates into ${d.nationalCurrency} for ${new Set(d.rates.map((r) => r.currency)).size} currencies`,
    currency: (d) => d.nationalCurrency,
  }),
  referencePrices: spec({
    kind: 'reference-prices',
    key: 'referencePrices',
    description: 'reference price bands per kg net, for undervaluation alerts',
    parse: parseReferencePrices,
    entries: (d) => d.bands,
    describe: (d) => `${d.bands.length} price bands in ${d.currency}/kg`,
    currency: (d) => d.currency,
  }),
  preferences: spec({
    kind: 'preferences',
    key: 'preferences',
    description: 'preference agreements and the origin countries they cover',
    parse: parsePreferenceAgreements,
    entries: (d) => d.agreements,
    describe: (d) =>
      `${d.agreements.length} agreements covering ${d.agreements.reduce((n, a) => n + a.countries.length, 0)} country entries`,
  }),
  vat: spec({
    kind: 'vat',
    key: 'vat',
    description: 'VAT: standard rate and reduced rates by code prefix',
    parse: parseVatRates,
    entries: (d) => d.reducedRates,
    describe: (d) => `standard rate ${d.standardRate} %, ${d.reducedRates.length} reduced rates`,
  }),
  excise: spec({
    kind: 'excise',
    key: 'excise',
    description: 'excise duties by code prefix',
    parse: parseExciseMeasures,
    entries: (d) => d.measures,
    describe: (d) => `${d.measures.length} excise measures`,
  }),
} as const satisfies { [K in ValuationPartKey]: ValuationPartSpec<K> };

export const VALUATION_PART_KEYS = Object.keys(VALUATION_PARTS) as ValuationPartKey[];

/** The part whose versions are stored under `kind`. */
export function valuationPartByKind(kind: string): ValuationPartSpec | undefined {
  return VALUATION_PART_KEYS.map((k) => VALUATION_PARTS[k] as ValuationPartSpec).find(
    (p) => p.kind === kind,
  );
}
