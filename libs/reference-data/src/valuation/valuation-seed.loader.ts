import { ValuationReferenceData, parseValuationReferenceData } from '@customs/domain';
import exchangeRates from './exchange-rates.seed.json';
import excise from './excise-measures.seed.json';
import preferences from './preference-agreements.seed.json';
import referencePrices from './reference-prices.seed.json';
import tariff from './tariff-measures.seed.json';
import vat from './vat-rates.seed.json';

/*
 * Seed valuation reference data: EUR national currency, monthly exchange rates 2025-2027,
 * TARIC-like third-country and preferential duties for the seed chapters plus a fallback
 * rate for every HS chapter, four preference arrangements, Dutch-like VAT (21 % / 9 %),
 * a few excise duties and reference price bands. Illustrative figures, modelled on the
 * public EU sources named in each file's `source`/`description`; not official extracts.
 */

let seed: ValuationReferenceData | undefined;

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** The seed, validated by the import parsers on first use (a bad seed fails loudly), then frozen and shared. */
export function loadSeedValuationReferenceData(): ValuationReferenceData {
  seed ??= deepFreeze(
    parseValuationReferenceData({
      exchangeRates,
      tariff,
      preferences,
      vat,
      excise,
      referencePrices,
    }),
  );
  return seed;
}
