/**
 * Versioned reference data and configuration for valuation. Every amount and rate is a decimal
 * string (never a float) so that imports, events and hashes are exact in any language.
 *
 * Validity periods: `validFrom` and `validTo` are calendar dates (YYYY-MM-DD), both inclusive
 * (as TARIC writes start and end dates); an absent `validTo` means open-ended. A declaration
 * is judged on the UTC calendar date of its acceptance instant.
 */

/** Units a specific duty can be expressed in (TARIC measurement units, reduced to the common ones). */
export const DUTY_UNITS = [
  'kg',
  '100 kg',
  '1000 kg',
  'l',
  'hl',
  'p/st',
  '100 p/st',
  '1000 p/st',
  'm',
  'm2',
  'm3',
] as const;
export type DutyUnit = (typeof DUTY_UNITS)[number];

export interface ValidityPeriod {
  validFrom: string;
  validTo?: string;
}

/** Units of national currency per 1 unit of `currency`, in force over the period. */
export interface ExchangeRate extends ValidityPeriod {
  currency: string;
  rate: string;
}

export interface ExchangeRateTable {
  version: string;
  nationalCurrency: string;
  /** Where the rates come from (e.g. "ECB monthly customs rates", "illustrative seed"). */
  source?: string;
  rates: ExchangeRate[];
}

export type TariffMeasureType = 'third-country' | 'preferential';

export interface TariffMeasure extends ValidityPeriod {
  id: string;
  /** Commodity code prefix of 2, 4, 6, 8 or 10 digits; the most specific prefix in force wins. */
  codePrefix: string;
  type: TariffMeasureType;
  /** For preferential measures: the agreement (PreferenceAgreement.id) it belongs to. */
  agreement?: string;
  /** Duty expression as TARIC writes it, e.g. `3.5 % + 25 EUR / 100 kg`. */
  dutyExpression: string;
  /** Unit in which the declaration's supplementaryUnits are given for these codes (CN supplementary unit). */
  supplementaryUnit?: DutyUnit;
  /** True for the synthetic chapter-level rates that exist so that every code gets a duty. */
  fallback?: boolean;
  description?: string;
}

export interface TariffMeasureSet {
  version: string;
  source?: string;
  measures: TariffMeasure[];
}

export interface PreferenceCountry extends ValidityPeriod {
  country: string;
}

export interface PreferenceAgreement extends ValidityPeriod {
  id: string;
  name: string;
  countries: PreferenceCountry[];
}

export interface PreferenceAgreementSet {
  version: string;
  agreements: PreferenceAgreement[];
}

export interface VatRate extends ValidityPeriod {
  codePrefix: string;
  /** Percentage, e.g. '9' for 9 %. */
  rate: string;
  description?: string;
}

export interface VatRateSet {
  version: string;
  /** Standard rate in percent, e.g. '21'. */
  standardRate: string;
  /** Reduced rates by commodity code prefix (most specific prefix wins). */
  reducedRates: VatRate[];
}

export interface ExciseMeasure extends ValidityPeriod {
  id: string;
  codePrefix: string;
  /** Same grammar as customs duties, e.g. `297.79 EUR / 1000 p/st`. */
  dutyExpression: string;
  supplementaryUnit?: DutyUnit;
  description?: string;
}

export interface ExciseMeasureSet {
  version: string;
  measures: ExciseMeasure[];
}

/** Expected unit value (national currency per kg net) for a commodity prefix, optionally for one origin. */
export interface ReferencePriceBand extends ValidityPeriod {
  id: string;
  codePrefix: string;
  /** ISO 3166 alpha-2 origin, or absent for any origin. */
  origin?: string;
  floorPerKg: string;
  ceilingPerKg?: string;
}

export interface ReferencePriceSet {
  version: string;
  currency: string;
  bands: ReferencePriceBand[];
}

export interface ValuationReferenceData {
  exchangeRates: ExchangeRateTable;
  tariff: TariffMeasureSet;
  preferences: PreferenceAgreementSet;
  vat: VatRateSet;
  excise: ExciseMeasureSet;
  referencePrices: ReferencePriceSet;
}

export type ValuationRoundingMode = 'half-up' | 'half-even' | 'down' | 'up';

export interface ValuationConfig {
  /** National currency (ISO 4217); must equal the exchange-rate table's. */
  nationalCurrency: string;
  /**
   * CIF: transport, insurance and loading/handling to the place of import are part of the
   * customs value (EU, most WTO members). FOB: they are not (e.g. US, CA, AU).
   */
  basis: 'CIF' | 'FOB';
  /** Rounding of every duty/tax line and every item customs value. */
  rounding: { mode: ValuationRoundingMode; places: number };
  /** Which item takes the cent left over when apportioning declaration-level costs. */
  apportionRemainderTo: 'largest' | 'last';
  /** Overrides the reference data's VAT standard rate (percent) when set. */
  vatStandardRate?: string;
  /**
   * Incidental costs up to the first place of destination, added to the VAT base (EU VAT
   * Directive 2006/112/EC Art. 86(1)(b)). `includeTransportAfterImport` adds the declared
   * `costs.transportAfterImport` (excluded from customs value, but part of the VAT base);
   * `fixedAmount` is a further amount in national currency for the whole declaration,
   * apportioned like the other declaration-level costs.
   */
  vatIncidentalCosts: { includeTransportAfterImport: boolean; fixedAmount: string };
}

export const DEFAULT_VALUATION_CONFIG: Readonly<ValuationConfig> = Object.freeze({
  nationalCurrency: 'EUR',
  basis: 'CIF',
  rounding: Object.freeze({ mode: 'half-up', places: 2 }),
  apportionRemainderTo: 'largest',
  vatIncidentalCosts: Object.freeze({ includeTransportAfterImport: true, fixedAmount: '0' }),
} as const);
