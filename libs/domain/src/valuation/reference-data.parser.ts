import * as currencyCodes from 'currency-codes';
import * as countries from 'i18n-iso-countries';
import { parseDutyExpression } from './duty-expression.parser';
import { dec, isDecimalString } from './money.math';
import {
  DutyExpressionError,
  ValuationDataProblem,
  ValuationReferenceDataError,
} from './valuation.errors';
import {
  DUTY_UNITS,
  DutyUnit,
  ExchangeRate,
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
  ValuationReferenceData,
  VatRate,
  VatRateSet,
} from './valuation.model';

/*
 * Parsers for valuation reference-data import files (JSON text or already-parsed values).
 * Each collects every problem with its JSON path (`$.measures[3].dutyExpression`) and throws
 * one ValuationReferenceDataError, or returns a typed, validated copy (unknown keys dropped).
 */

type Obj = Record<string, unknown>;

class Checker {
  readonly problems: ValuationDataProblem[] = [];
  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }
  obj(v: unknown, path: string): Obj | undefined {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Obj;
    this.problem(path, 'expected an object');
    return undefined;
  }
  arr(v: unknown, path: string): unknown[] {
    if (Array.isArray(v)) return v;
    this.problem(path, 'expected an array');
    return [];
  }
  str(o: Obj, key: string, path: string, re?: RegExp, what?: string): string {
    const v = o[key];
    if (typeof v !== 'string' || v.length === 0) {
      this.problem(`${path}.${key}`, 'expected a non-empty string');
      return '';
    }
    if (re && !re.test(v))
      this.problem(`${path}.${key}`, `expected ${what ?? re.source}, got '${v}'`);
    return v;
  }
  optStr(o: Obj, key: string, path: string, re?: RegExp, what?: string): string | undefined {
    return o[key] === undefined ? undefined : this.str(o, key, path, re, what);
  }
  decimal(o: Obj, key: string, path: string, opts: { positive?: boolean } = {}): string {
    const v = o[key];
    if (!isDecimalString(v)) {
      this.problem(
        `${path}.${key}`,
        `expected a decimal string such as "12.5", got ${JSON.stringify(v)}`,
      );
      return '0';
    }
    if (v.startsWith('-')) this.problem(`${path}.${key}`, 'must not be negative');
    else if (opts.positive && dec(v).isZero())
      this.problem(`${path}.${key}`, 'must be greater than 0');
    return v;
  }
  validity(o: Obj, path: string): ValidityPeriod {
    const validFrom = this.str(o, 'validFrom', path);
    if (validFrom && !isDate(validFrom))
      this.problem(`${path}.validFrom`, `expected YYYY-MM-DD, got '${validFrom}'`);
    const validTo = this.optStr(o, 'validTo', path);
    if (validTo !== undefined && validTo !== '') {
      if (!isDate(validTo))
        this.problem(`${path}.validTo`, `expected YYYY-MM-DD, got '${validTo}'`);
      else if (isDate(validFrom) && validTo < validFrom)
        this.problem(`${path}.validTo`, 'is before validFrom');
    }
    return validTo ? { validFrom, validTo } : { validFrom };
  }
  currency(o: Obj, key: string, path: string): string {
    const c = this.str(o, key, path);
    if (c && !currencyCodes.code(c))
      this.problem(`${path}.${key}`, `not an ISO 4217 currency code: '${c}'`);
    return c;
  }
  country(o: Obj, key: string, path: string): string {
    const c = this.str(o, key, path);
    if (c && !(/^[A-Z]{2}$/.test(c) && countries.isValid(c))) {
      this.problem(`${path}.${key}`, `not an ISO 3166 alpha-2 country code: '${c}'`);
    }
    return c;
  }
  prefix(o: Obj, key: string, path: string, allowEmpty = false): string {
    const v = o[key];
    if (allowEmpty && v === '') return '';
    return this.str(o, key, path, /^\d{2}(\d{2}){0,4}$/, '2, 4, 6, 8 or 10 digits');
  }
  expression(o: Obj, key: string, path: string): string {
    const e = this.str(o, key, path);
    if (e) {
      try {
        parseDutyExpression(e);
      } catch (err) {
        if (err instanceof DutyExpressionError) this.problem(`${path}.${key}`, err.message);
        else throw err;
      }
    }
    return e;
  }
  unit(o: Obj, key: string, path: string): DutyUnit | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (!(DUTY_UNITS as readonly unknown[]).includes(v)) {
      this.problem(
        `${path}.${key}`,
        `expected one of ${DUTY_UNITS.join(', ')}, got ${JSON.stringify(v)}`,
      );
      return undefined;
    }
    return v as DutyUnit;
  }
  uniqueIds(items: { id: string }[], path: string, key = 'id'): void {
    const seen = new Set<string>();
    items.forEach((x, i) => {
      if (x.id && seen.has(x.id))
        this.problem(`${path}[${i}].${key}`, `duplicate ${key} '${x.id}'`);
      seen.add(x.id);
    });
  }
  /** Entries sharing a key must not be in force on the same day (the choice would be ambiguous). */
  noOverlap<T extends ValidityPeriod>(
    items: T[],
    keyOf: (x: T) => string,
    path: string,
    what: string,
  ): void {
    const byKey = new Map<string, { x: T; i: number }[]>();
    items.forEach((x, i) => {
      const k = keyOf(x);
      byKey.set(k, [...(byKey.get(k) ?? []), { x, i }]);
    });
    for (const group of byKey.values()) {
      const sorted = [...group].sort((a, b) => (a.x.validFrom < b.x.validFrom ? -1 : 1));
      for (let j = 1; j < sorted.length; j++) {
        const prev = sorted[j - 1].x;
        if (prev.validTo === undefined || prev.validTo >= sorted[j].x.validFrom) {
          this.problem(
            `${path}[${sorted[j].i}]`,
            `${what} overlaps the period of ${path}[${sorted[j - 1].i}]`,
          );
        }
      }
    }
  }
  done<T>(kind: string, value: T): T {
    if (this.problems.length > 0) throw new ValuationReferenceDataError(kind, this.problems);
    return value;
  }
}

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const t = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return t.toISOString().slice(0, 10) === s;
}

function load(kind: string, json: unknown): unknown {
  if (typeof json !== 'string') return json;
  try {
    return JSON.parse(json);
  } catch (e) {
    throw new ValuationReferenceDataError(kind, [
      { path: '$', message: `not JSON: ${(e as Error).message}` },
    ]);
  }
}

function root(c: Checker, kind: string, json: unknown): Obj {
  const o = c.obj(load(kind, json), '$');
  if (!o) c.done(kind, undefined);
  return o as Obj;
}

export function parseTariffMeasures(json: unknown): TariffMeasureSet {
  const kind = 'tariff measures';
  const c = new Checker();
  const o = root(c, kind, json);
  const version = c.str(o, 'version', '$');
  const source = c.optStr(o, 'source', '$');
  const measures: TariffMeasure[] = [];
  c.arr(o.measures, '$.measures').forEach((raw, i) => {
    const p = `$.measures[${i}]`;
    const m = c.obj(raw, p);
    if (!m) return;
    const type = m.type;
    if (type !== 'third-country' && type !== 'preferential') {
      c.problem(
        `${p}.type`,
        `expected 'third-country' or 'preferential', got ${JSON.stringify(type)}`,
      );
    }
    const agreement = c.optStr(m, 'agreement', p);
    if (type === 'preferential' && !agreement)
      c.problem(`${p}.agreement`, 'a preferential measure needs its agreement');
    if (type === 'third-country' && agreement)
      c.problem(`${p}.agreement`, 'only preferential measures have an agreement');
    if (m.fallback !== undefined && typeof m.fallback !== 'boolean')
      c.problem(`${p}.fallback`, 'expected a boolean');
    const supplementaryUnit = c.unit(m, 'supplementaryUnit', p);
    const description = c.optStr(m, 'description', p);
    measures.push({
      id: c.str(m, 'id', p),
      codePrefix: c.prefix(m, 'codePrefix', p),
      type: type as TariffMeasure['type'],
      ...(agreement ? { agreement } : {}),
      dutyExpression: c.expression(m, 'dutyExpression', p),
      ...(supplementaryUnit ? { supplementaryUnit } : {}),
      ...(m.fallback === true ? { fallback: true } : {}),
      ...(description ? { description } : {}),
      ...c.validity(m, p),
    });
  });
  c.uniqueIds(measures, '$.measures');
  c.noOverlap(
    measures,
    (m) => `${m.type}|${m.agreement ?? ''}|${m.codePrefix}`,
    '$.measures',
    'measure',
  );
  return c.done(kind, { version, ...(source ? { source } : {}), measures });
}

export function parseExchangeRates(json: unknown): ExchangeRateTable {
  const kind = 'exchange rates';
  const c = new Checker();
  const o = root(c, kind, json);
  const version = c.str(o, 'version', '$');
  const nationalCurrency = c.currency(o, 'nationalCurrency', '$');
  const source = c.optStr(o, 'source', '$');
  const rates: ExchangeRate[] = [];
  c.arr(o.rates, '$.rates').forEach((raw, i) => {
    const p = `$.rates[${i}]`;
    const r = c.obj(raw, p);
    if (!r) return;
    rates.push({
      currency: c.currency(r, 'currency', p),
      rate: c.decimal(r, 'rate', p, { positive: true }),
      ...c.validity(r, p),
    });
  });
  c.noOverlap(rates, (r) => r.currency, '$.rates', 'rate');
  return c.done(kind, { version, nationalCurrency, ...(source ? { source } : {}), rates });
}

export function parseReferencePrices(json: unknown): ReferencePriceSet {
  const kind = 'reference prices';
  const c = new Checker();
  const o = root(c, kind, json);
  const version = c.str(o, 'version', '$');
  const currency = c.currency(o, 'currency', '$');
  const bands: ReferencePriceBand[] = [];
  c.arr(o.bands, '$.bands').forEach((raw, i) => {
    const p = `$.bands[${i}]`;
    const b = c.obj(raw, p);
    if (!b) return;
    const origin = b.origin === undefined ? undefined : c.country(b, 'origin', p);
    const floorPerKg = c.decimal(b, 'floorPerKg', p);
    const ceilingPerKg = b.ceilingPerKg === undefined ? undefined : c.decimal(b, 'ceilingPerKg', p);
    if (ceilingPerKg !== undefined && dec(ceilingPerKg).lessThan(dec(floorPerKg))) {
      c.problem(`${p}.ceilingPerKg`, 'is below floorPerKg');
    }
    bands.push({
      id: c.str(b, 'id', p),
      codePrefix: c.prefix(b, 'codePrefix', p),
      ...(origin ? { origin } : {}),
      floorPerKg,
      ...(ceilingPerKg !== undefined ? { ceilingPerKg } : {}),
      ...c.validity(b, p),
    });
  });
  c.uniqueIds(bands, '$.bands');
  c.noOverlap(bands, (b) => `${b.codePrefix}|${b.origin ?? ''}`, '$.bands', 'band');
  return c.done(kind, { version, currency, bands });
}

export function parsePreferenceAgreements(json: unknown): PreferenceAgreementSet {
  const kind = 'preference agreements';
  const c = new Checker();
  const o = root(c, kind, json);
  const version = c.str(o, 'version', '$');
  const agreements: PreferenceAgreement[] = [];
  c.arr(o.agreements, '$.agreements').forEach((raw, i) => {
    const p = `$.agreements[${i}]`;
    const a = c.obj(raw, p);
    if (!a) return;
    const list = c.arr(a.countries, `${p}.countries`).flatMap((rc, j) => {
      const cp = `${p}.countries[${j}]`;
      const co = c.obj(rc, cp);
      return co ? [{ country: c.country(co, 'country', cp), ...c.validity(co, cp) }] : [];
    });
    c.noOverlap(list, (x) => x.country, `${p}.countries`, 'country entry');
    agreements.push({
      id: c.str(a, 'id', p),
      name: c.str(a, 'name', p),
      ...c.validity(a, p),
      countries: list,
    });
  });
  c.uniqueIds(agreements, '$.agreements');
  return c.done(kind, { version, agreements });
}

export function parseVatRates(json: unknown): VatRateSet {
  const kind = 'VAT rates';
  const c = new Checker();
  const o = root(c, kind, json);
  const version = c.str(o, 'version', '$');
  const standardRate = c.decimal(o, 'standardRate', '$');
  const reducedRates: VatRate[] = [];
  c.arr(o.reducedRates, '$.reducedRates').forEach((raw, i) => {
    const p = `$.reducedRates[${i}]`;
    const r = c.obj(raw, p);
    if (!r) return;
    const description = c.optStr(r, 'description', p);
    reducedRates.push({
      codePrefix: c.prefix(r, 'codePrefix', p),
      rate: c.decimal(r, 'rate', p),
      ...(description ? { description } : {}),
      ...c.validity(r, p),
    });
  });
  c.noOverlap(reducedRates, (r) => r.codePrefix, '$.reducedRates', 'reduced rate');
  return c.done(kind, { version, standardRate, reducedRates });
}

export function parseExciseMeasures(json: unknown): ExciseMeasureSet {
  const kind = 'excise measures';
  const c = new Checker();
  const o = root(c, kind, json);
  const version = c.str(o, 'version', '$');
  const measures: ExciseMeasure[] = [];
  c.arr(o.measures, '$.measures').forEach((raw, i) => {
    const p = `$.measures[${i}]`;
    const m = c.obj(raw, p);
    if (!m) return;
    const supplementaryUnit = c.unit(m, 'supplementaryUnit', p);
    const description = c.optStr(m, 'description', p);
    measures.push({
      id: c.str(m, 'id', p),
      codePrefix: c.prefix(m, 'codePrefix', p),
      dutyExpression: c.expression(m, 'dutyExpression', p),
      ...(supplementaryUnit ? { supplementaryUnit } : {}),
      ...(description ? { description } : {}),
      ...c.validity(m, p),
    });
  });
  c.uniqueIds(measures, '$.measures');
  c.noOverlap(measures, (m) => m.codePrefix, '$.measures', 'measure');
  return c.done(kind, { version, measures });
}

/** All six parts at once (e.g. one bundled import file); problems are reported per part. */
export function parseValuationReferenceData(json: unknown): ValuationReferenceData {
  const kind = 'valuation reference data';
  const c = new Checker();
  const o = root(c, kind, json);
  const part = <T>(key: string, parse: (v: unknown) => T): T | undefined => {
    try {
      return parse(o[key]);
    } catch (e) {
      if (!(e instanceof ValuationReferenceDataError)) throw e;
      for (const p of e.problems) c.problem(p.path.replace(/^\$/, `$.${key}`), p.message);
      return undefined;
    }
  };
  const result = {
    exchangeRates: part('exchangeRates', parseExchangeRates),
    tariff: part('tariff', parseTariffMeasures),
    preferences: part('preferences', parsePreferenceAgreements),
    vat: part('vat', parseVatRates),
    excise: part('excise', parseExciseMeasures),
    referencePrices: part('referencePrices', parseReferencePrices),
  };
  if (result.tariff && result.preferences) {
    const known = new Set(result.preferences.agreements.map((a) => a.id));
    result.tariff.measures.forEach((m, i) => {
      if (m.agreement && !known.has(m.agreement)) {
        c.problem(`$.tariff.measures[${i}].agreement`, `unknown agreement '${m.agreement}'`);
      }
    });
  }
  return c.done(kind, result as ValuationReferenceData);
}
