import { ValuationError } from './valuation.errors';
import {
  ExchangeRateTable,
  ExciseMeasure,
  ExciseMeasureSet,
  PreferenceAgreement,
  PreferenceAgreementSet,
  ReferencePriceBand,
  ReferencePriceSet,
  TariffMeasure,
  TariffMeasureSet,
  ValidityPeriod,
  VatRateSet,
} from './valuation.model';

/**
 * The calendar date (UTC) on which a declaration is judged. The acceptance instant decides
 * (UCC Art. 85: duty is determined on the basis of the rules in force when the debt is
 * incurred, i.e. on acceptance of the declaration).
 */
export function valuationDate(acceptedAt: string): string {
  if (typeof acceptedAt !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(acceptedAt)) {
    throw new ValuationError(
      'INVALID_INPUT',
      `not an ISO-8601 instant: ${String(acceptedAt)}`,
      'acceptedAt',
    );
  }
  const t = new Date(acceptedAt);
  if (Number.isNaN(t.getTime())) {
    throw new ValuationError(
      'INVALID_INPUT',
      `not an ISO-8601 instant: ${acceptedAt}`,
      'acceptedAt',
    );
  }
  return t.toISOString().slice(0, 10);
}

export function inForce(p: ValidityPeriod, date: string): boolean {
  return p.validFrom <= date && (p.validTo === undefined || date <= p.validTo);
}

/** Most specific prefix first, then id, so ties are settled the same way everywhere. */
function bySpecificity<T extends { codePrefix: string; id: string }>(a: T, b: T): number {
  return b.codePrefix.length - a.codePrefix.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface RateInForce {
  currency: string;
  rate: string;
  version: string;
  validFrom?: string;
  validTo?: string;
}

/** Rate in force on `date` for `currency`; the national currency converts at 1 when the table has no line for it. */
export function findExchangeRate(
  table: ExchangeRateTable,
  currency: string,
  date: string,
): RateInForce | undefined {
  const hits = table.rates
    .filter((r) => r.currency === currency && inForce(r, date))
    .sort((a, b) => (a.validFrom < b.validFrom ? 1 : a.validFrom > b.validFrom ? -1 : 0));
  const r = hits[0];
  if (r) {
    return {
      currency,
      rate: r.rate,
      version: table.version,
      validFrom: r.validFrom,
      validTo: r.validTo,
    };
  }
  if (currency === table.nationalCurrency) return { currency, rate: '1', version: table.version };
  return undefined;
}

export function codeMatches(code: string, prefix: string): boolean {
  return code.startsWith(prefix);
}

/** The third-country (erga omnes) measure with the most specific prefix in force. */
export function findThirdCountryMeasure(
  set: TariffMeasureSet,
  code: string,
  date: string,
): TariffMeasure | undefined {
  return set.measures
    .filter(
      (m) => m.type === 'third-country' && codeMatches(code, m.codePrefix) && inForce(m, date),
    )
    .sort(bySpecificity)[0];
}

/** The preferential measure with the most specific prefix among the given agreements. */
export function findPreferentialMeasure(
  set: TariffMeasureSet,
  code: string,
  date: string,
  agreements: string[],
): TariffMeasure | undefined {
  return set.measures
    .filter(
      (m) =>
        m.type === 'preferential' &&
        m.agreement !== undefined &&
        agreements.includes(m.agreement) &&
        codeMatches(code, m.codePrefix) &&
        inForce(m, date),
    )
    .sort(bySpecificity)[0];
}

/** Agreements in force on `date` whose country list holds `origin` on that date. */
export function agreementsCovering(
  set: PreferenceAgreementSet,
  origin: string,
  date: string,
): PreferenceAgreement[] {
  return set.agreements
    .filter(
      (a) => inForce(a, date) && a.countries.some((c) => c.country === origin && inForce(c, date)),
    )
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function findExciseMeasure(
  set: ExciseMeasureSet,
  code: string,
  date: string,
): ExciseMeasure | undefined {
  return set.measures
    .filter((m) => codeMatches(code, m.codePrefix) && inForce(m, date))
    .sort(bySpecificity)[0];
}

/** VAT rate: the most specific reduced rate in force, else the standard rate (codePrefix ''). */
export function findVatRate(
  set: VatRateSet,
  code: string,
  date: string,
  standardOverride?: string,
): { rate: string; codePrefix: string; description?: string } {
  const reduced = set.reducedRates
    .filter((r) => codeMatches(code, r.codePrefix) && inForce(r, date))
    .sort((a, b) => b.codePrefix.length - a.codePrefix.length || (a.rate < b.rate ? -1 : 1))[0];
  if (reduced)
    return { rate: reduced.rate, codePrefix: reduced.codePrefix, description: reduced.description };
  return {
    rate: standardOverride ?? set.standardRate,
    codePrefix: '',
    description: 'standard rate',
  };
}

/** Reference band: most specific prefix, then a band for this origin before an any-origin band. */
export function findReferenceBand(
  set: ReferencePriceSet,
  code: string,
  origin: string,
  date: string,
): ReferencePriceBand | undefined {
  return set.bands
    .filter(
      (b) =>
        codeMatches(code, b.codePrefix) &&
        (b.origin === undefined || b.origin === origin) &&
        inForce(b, date),
    )
    .sort(
      (a, b) =>
        b.codePrefix.length - a.codePrefix.length ||
        (a.origin ? 0 : 1) - (b.origin ? 0 : 1) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )[0];
}
