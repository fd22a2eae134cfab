/**
 * What the generator needs to invoice goods at plausible prices: a typical unit value per
 * kilogram (national currency) by commodity-code prefix, and exchange rates to turn it into
 * the invoice currency. Without it, invoice amounts and masses would be independent and most
 * declarations would look undervalued to valuation's reference price bands.
 */
export interface GeneratorPricing {
  /** National currency of the unit values (the exchange rates convert into it). */
  nationalCurrency: string;
  /** Typical unit value, national currency per kg net, by code prefix (longest prefix wins). */
  unitValuePerKg: Readonly<Record<string, number>>;
  /** The least value per kg the valuation's reference bands accept, by code prefix. */
  floorPerKg: Readonly<Record<string, number>>;
  /** National currency units per 1 unit of each invoice currency. */
  exchangeRates: Readonly<Record<string, number>>;
  /** Share of items deliberately invoiced below their reference floor (default 0.02). */
  undervaluedShare?: number;
}

/**
 * Typical customs values (EUR per kg net) by HS chapter or heading: orders of magnitude of EU
 * import statistics, rounded; enough to keep declarations on the right side of the seed's
 * reference price floors and to give duties realistic weights.
 */
export const TYPICAL_UNIT_VALUES_EUR: Readonly<Record<string, number>> = {
  '02': 6,
  '03': 7,
  '04': 5,
  '07': 1.2,
  '08': 1.5,
  '09': 6,
  '10': 0.6,
  '15': 1.2,
  '17': 0.7,
  '20': 1.6,
  '2203': 1.2,
  '2204': 4.5,
  '2208': 9,
  '24': 9,
  '2402': 80,
  '27': 0.6,
  '30': 90,
  '33': 14,
  '39': 4,
  '3926': 6,
  '40': 4,
  '42': 30,
  '44': 1.2,
  '48': 1.5,
  '52': 6,
  '61': 18,
  '62': 22,
  '64': 28,
  '6403': 40,
  '71': 900,
  '72': 0.9,
  '73': 3.5,
  '76': 5,
  '84': 35,
  '8471': 90,
  '85': 45,
  '8517': 160,
  '87': 9,
  '88': 250,
  '90': 110,
  '91': 400,
  '93': 70,
  '94': 5,
  '95': 9,
};

/** Rough EUR rates (EUR per unit) used when the caller gives no exchange-rate table. */
export const APPROXIMATE_EUR_RATES: Readonly<Record<string, number>> = {
  EUR: 1,
  USD: 0.92,
  CNY: 0.127,
  GBP: 1.17,
  JPY: 0.0061,
  CHF: 1.06,
  TRY: 0.027,
  INR: 0.011,
};

/** The reference data shapes the pricing is built from (structural: no domain import needed). */
export interface PricingReferenceData {
  referencePrices: {
    bands: readonly {
      codePrefix: string;
      origin?: string;
      floorPerKg: string;
      validFrom: string;
      validTo?: string | null;
    }[];
  };
  exchangeRates: {
    nationalCurrency: string;
    rates: readonly {
      currency: string;
      rate: string;
      validFrom: string;
      validTo?: string | null;
    }[];
  };
}

const inForce = (p: { validFrom: string; validTo?: string | null }, date: string) =>
  p.validFrom <= date && (p.validTo == null || date <= p.validTo);

/**
 * Pricing from versioned reference data as in force on `date`: the floors of the reference
 * price bands (the highest of a prefix's bands, so origin-specific floors are respected too),
 * typical values at least 2.5 times the floor, and the exchange rates of that month.
 */
export function pricingFromReferenceData(
  ref: PricingReferenceData,
  date: string,
  undervaluedShare = 0.02,
): GeneratorPricing {
  const floorPerKg: Record<string, number> = {};
  for (const b of ref.referencePrices.bands) {
    if (!inForce(b, date)) continue;
    floorPerKg[b.codePrefix] = Math.max(floorPerKg[b.codePrefix] ?? 0, Number(b.floorPerKg));
  }
  const unitValuePerKg: Record<string, number> = { ...TYPICAL_UNIT_VALUES_EUR };
  for (const [prefix, floor] of Object.entries(floorPerKg)) {
    const typical = lookupPrefix(unitValuePerKg, prefix) ?? 0;
    unitValuePerKg[prefix] = Math.max(typical, floor * 2.5);
  }
  const exchangeRates: Record<string, number> = { [ref.exchangeRates.nationalCurrency]: 1 };
  for (const r of ref.exchangeRates.rates)
    if (inForce(r, date)) exchangeRates[r.currency] = Number(r.rate);
  return {
    nationalCurrency: ref.exchangeRates.nationalCurrency,
    unitValuePerKg,
    floorPerKg,
    exchangeRates,
    undervaluedShare,
  };
}

/** Value of the longest key that prefixes `code`, if any. */
export function lookupPrefix(
  table: Readonly<Record<string, number>>,
  code: string,
): number | undefined {
  for (let n = code.length; n >= 2; n--) {
    const v = table[code.slice(0, n)];
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Built-in pricing (approximate EUR rates, no floors known): the default of the generator. */
export const DEFAULT_PRICING: GeneratorPricing = {
  nationalCurrency: 'EUR',
  unitValuePerKg: TYPICAL_UNIT_VALUES_EUR,
  floorPerKg: {},
  exchangeRates: APPROXIMATE_EUR_RATES,
  undervaluedShare: 0.02,
};
