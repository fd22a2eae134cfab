import {
  Declaration,
  DeclarationAdjustment,
  DeclarationItem,
  DutyLine,
  ExchangeRateUsed,
  ItemAdjustment,
  ItemAssessment,
  PreferenceOutcome,
  ValuationAlert,
  ValuationResult,
} from '@customs/contracts';
import { DutyExpression, parseDutyExpression } from './duty-expression.parser';
import { evaluateDuty, isDutyProblem } from './duty.engine';
import { COST_ORDER, INCOTERM_INCLUSIONS, planAdjustment } from './incoterms.rules';
import {
  ValuationDecimal,
  ZERO,
  apportion,
  dec,
  isDecimalString,
  plain,
  roundMoney,
} from './money.math';
import {
  agreementsCovering,
  findExchangeRate,
  findExciseMeasure,
  findPreferentialMeasure,
  findReferenceBand,
  findThirdCountryMeasure,
  findVatRate,
  valuationDate,
} from './reference-lookup.rules';
import { DutyExpressionError, ValuationError } from './valuation.errors';
import {
  DEFAULT_VALUATION_CONFIG,
  DutyUnit,
  TariffMeasure,
  ValuationConfig,
  ValuationReferenceData,
} from './valuation.model';

/*
 * Valuation of an import declaration: customs value by WTO method 1 (transaction value) with
 * the Article 8 adjustments, then customs duty (tariff measure in force, preferential when
 * claimed and proven), excise and VAT, per item.
 *
 * Rounding (documented choice): each item's customs value and each duty/tax line is rounded
 * once, with the configured mode and places (default half-up to 2 decimals); the next base
 * uses the rounded figures (VAT on rounded customs value + rounded duty + rounded excise), and
 * totals are sums of the rounded lines. So every printed line can be recomputed by hand from
 * printed figures, and the totals equal the sum of what is printed: the approach of EU
 * customs systems, which calculate per item and per tax type. Declaration-level costs are
 * apportioned to items in proportion to item invoice amounts (see money.math `apportion`).
 */

export interface ValuationInput {
  declaration: Declaration;
  acceptedAt: string;
}

/** Keys set to undefined (e.g. an unset environment variable) keep their default. */
function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(o ?? {}).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

export function resolveValuationConfig(config?: Partial<ValuationConfig>): ValuationConfig {
  const c: ValuationConfig = {
    ...DEFAULT_VALUATION_CONFIG,
    ...defined(config),
    rounding: { ...DEFAULT_VALUATION_CONFIG.rounding, ...defined(config?.rounding) },
    vatIncidentalCosts: {
      ...DEFAULT_VALUATION_CONFIG.vatIncidentalCosts,
      ...defined(config?.vatIncidentalCosts),
    },
  };
  const bad = (msg: string) => new ValuationError('INVALID_CONFIG', msg);
  if (c.basis !== 'CIF' && c.basis !== 'FOB') throw bad(`basis must be CIF or FOB, got ${c.basis}`);
  if (!Number.isInteger(c.rounding.places) || c.rounding.places < 0 || c.rounding.places > 6) {
    throw bad(`rounding places must be an integer 0-6, got ${c.rounding.places}`);
  }
  if (!['half-up', 'half-even', 'down', 'up'].includes(c.rounding.mode)) {
    throw bad(`unknown rounding mode ${c.rounding.mode}`);
  }
  if (!/^[A-Z]{3}$/.test(c.nationalCurrency))
    throw bad(`bad national currency ${c.nationalCurrency}`);
  if (c.vatStandardRate !== undefined && !isDecimalString(c.vatStandardRate)) {
    throw bad(`vatStandardRate must be a decimal string`);
  }
  if (
    !isDecimalString(c.vatIncidentalCosts.fixedAmount) ||
    dec(c.vatIncidentalCosts.fixedAmount).lessThan(0)
  ) {
    throw bad(`vatIncidentalCosts.fixedAmount must be a non-negative decimal string`);
  }
  return c;
}

function invalid(path: string, message: string): ValuationError {
  return new ValuationError('INVALID_INPUT', message, path);
}

function checkAmount(value: unknown, path: string): void {
  if (!isDecimalString(value))
    throw invalid(path, `expected a decimal string, got ${JSON.stringify(value)}`);
  if (value.startsWith('-')) throw invalid(path, 'must not be negative');
}

/** Only what makes valuation impossible; the intake's validator checks the rest. */
function validateDeclaration(d: Declaration): void {
  if (!Array.isArray(d.items) || d.items.length === 0)
    throw invalid('declaration.items', 'no items');
  if (!/^[A-Z]{3}$/.test(d.invoiceCurrency ?? '')) {
    throw invalid('declaration.invoiceCurrency', `not an ISO 4217 code: ${d.invoiceCurrency}`);
  }
  if (!(d.incoterm in INCOTERM_INCLUSIONS))
    throw invalid('declaration.incoterm', `unknown Incoterm ${d.incoterm}`);
  const seen = new Set<number>();
  d.items.forEach((it, i) => {
    const p = `declaration.items[${i}]`;
    if (!Number.isInteger(it.itemNumber) || seen.has(it.itemNumber)) {
      throw invalid(`${p}.itemNumber`, `missing or duplicate item number ${it.itemNumber}`);
    }
    seen.add(it.itemNumber);
    if (!/^\d{6,10}$/.test(it.commodityCode ?? '')) {
      throw invalid(`${p}.commodityCode`, `expected 6 to 10 digits, got ${it.commodityCode}`);
    }
    checkAmount(it.invoiceAmount, `${p}.invoiceAmount`);
    checkAmount(it.netMass, `${p}.netMass`);
  });
  for (const [k, v] of Object.entries(d.costs ?? {})) {
    if (v !== undefined) checkAmount(v, `declaration.costs.${k}`);
  }
}

const expressionCache = new Map<string, DutyExpression>();

function parseCached(expr: string): DutyExpression {
  let e = expressionCache.get(expr);
  if (!e) {
    e = parseDutyExpression(expr);
    expressionCache.set(expr, e);
  }
  return e;
}

/** Fixed places when exact, else the exact value (a remainder share may carry sub-cent digits). */
function show(x: ValuationDecimal, places: number): string {
  return x.decimalPlaces() <= places ? x.toFixed(places) : plain(x);
}

interface TariffChoice {
  measure?: TariffMeasure;
  preference: PreferenceOutcome;
}

function chooseTariff(
  ref: ValuationReferenceData,
  item: DeclarationItem,
  date: string,
): TariffChoice {
  const thirdCountry = findThirdCountryMeasure(ref.tariff, item.commodityCode, date);
  const claimed = (item.preferenceCode ?? '').startsWith('3');
  const refuse = (why: string): TariffChoice => ({
    measure: thirdCountry,
    preference: { claimed, applied: false, reason: `${why}: third-country duty applies` },
  });
  if (!claimed) return refuse('no preference claimed');
  if (!item.proofOfOrigin)
    return refuse(`preference ${item.preferenceCode} claimed without proof of origin`);
  const agreements = agreementsCovering(ref.preferences, item.originCountry, date);
  if (agreements.length === 0) {
    return refuse(`origin ${item.originCountry} is in no preference agreement in force on ${date}`);
  }
  const ids = agreements.map((a) => a.id);
  const pm = findPreferentialMeasure(ref.tariff, item.commodityCode, date, ids);
  if (!pm) return refuse(`no preferential rate for ${item.commodityCode} under ${ids.join(', ')}`);
  const name = agreements.find((a) => a.id === pm.agreement)?.name ?? pm.agreement;
  return {
    measure: pm,
    preference: {
      claimed,
      applied: true,
      agreement: pm.agreement,
      reason: `preferential rate under ${name} (${pm.agreement}), proof ${item.proofOfOrigin.type} ${item.proofOfOrigin.reference}`,
    },
  };
}

interface LineSource {
  type: DutyLine['type'];
  expression: string;
  measureId?: string;
  codePrefix?: string;
  supplementaryUnit?: DutyUnit;
}

export function assessValuation(
  input: ValuationInput,
  ref: ValuationReferenceData,
  config?: Partial<ValuationConfig>,
): ValuationResult {
  const cfg = resolveValuationConfig(config);
  const rule = cfg.rounding;
  const places = rule.places;
  const fixed = (x: ValuationDecimal) => x.toFixed(places);
  const decl = input.declaration;
  if (!decl || typeof decl !== 'object') throw invalid('declaration', 'missing');
  validateDeclaration(decl);
  const national = cfg.nationalCurrency;
  if (ref.exchangeRates.nationalCurrency !== national) {
    throw new ValuationError(
      'CURRENCY_MISMATCH',
      `exchange rates are in ${ref.exchangeRates.nationalCurrency}, national currency is ${national}`,
    );
  }
  if (ref.referencePrices.currency !== national) {
    throw new ValuationError(
      'CURRENCY_MISMATCH',
      `reference prices are in ${ref.referencePrices.currency}, national currency is ${national}`,
    );
  }
  const date = valuationDate(input.acceptedAt);
  const invoiceRate = findExchangeRate(ref.exchangeRates, decl.invoiceCurrency, date);
  if (!invoiceRate) {
    throw new ValuationError(
      'NO_EXCHANGE_RATE',
      `no ${decl.invoiceCurrency} rate in force on ${date} in exchange rates ${ref.exchangeRates.version}`,
      'declaration.invoiceCurrency',
    );
  }
  const rateUsed = (r: NonNullable<ReturnType<typeof findExchangeRate>>): ExchangeRateUsed => ({
    from: r.currency,
    to: national,
    rate: r.rate,
    version: r.version,
    ...(r.validFrom ? { validFrom: r.validFrom } : {}),
    ...(r.validTo ? { validTo: r.validTo } : {}),
  });
  const ratesUsed = new Map<string, ExchangeRateUsed>([
    [decl.invoiceCurrency, rateUsed(invoiceRate)],
  ]);
  const rateFor = (currency: string): string | undefined => {
    const r = findExchangeRate(ref.exchangeRates, currency, date);
    if (r && !ratesUsed.has(currency)) ratesUsed.set(currency, rateUsed(r));
    return r?.rate;
  };

  const alerts: ValuationAlert[] = [];
  const items = [...decl.items].sort((a, b) => a.itemNumber - b.itemNumber);
  const weights = items.map((it) => ({ key: it.itemNumber, weight: dec(it.invoiceAmount) }));
  const fxRate = dec(invoiceRate.rate);

  // Declaration-level costs: decide their effect once, then apportion to items.
  const adjustments: DeclarationAdjustment[] = [];
  const itemAdjustments = new Map<number, ItemAdjustment[]>(items.map((it) => [it.itemNumber, []]));
  const transactionValue = new Map<number, ValuationDecimal>(
    items.map((it) => [it.itemNumber, dec(it.invoiceAmount)]),
  );
  let afterImportShares: Map<number, ValuationDecimal> | undefined;
  for (const cost of COST_ORDER) {
    const declared = decl.costs?.[cost];
    if (declared === undefined || dec(declared).isZero()) continue;
    const plan = planAdjustment(cost, decl.incoterm, cfg.basis);
    adjustments.push({
      cost,
      declared,
      effect: plan.effect,
      legalBasis: plan.legalBasis,
      note: plan.note,
    });
    const shares = apportion(dec(declared), weights, places, cfg.apportionRemainderTo);
    if (cost === 'transportAfterImport') afterImportShares = shares;
    if (plan.effect === 'none') continue;
    for (const it of items) {
      const share = shares.get(it.itemNumber) ?? ZERO;
      itemAdjustments
        .get(it.itemNumber)!
        .push({ cost, effect: plan.effect, amount: show(share, places) });
      const tv = transactionValue.get(it.itemNumber)!;
      transactionValue.set(
        it.itemNumber,
        plan.effect === 'addition' ? tv.plus(share) : tv.minus(share),
      );
    }
  }
  const fixedIncidental = dec(cfg.vatIncidentalCosts.fixedAmount);
  const fixedIncidentalShares = fixedIncidental.isZero()
    ? undefined
    : apportion(fixedIncidental, weights, places, cfg.apportionRemainderTo);

  // Declaration-level alerts.
  const inc = INCOTERM_INCLUSIONS[decl.incoterm];
  if (decl.relatedParty) {
    alerts.push({
      code: 'OFFICER_REVIEW',
      severity: 'review',
      message:
        'buyer and seller are related: the price may be influenced (WTO CVA Art. 1(2)); method 1 figures are provisional',
    });
  }
  if (decl.valuationMethod !== 1) {
    alerts.push({
      code: 'OFFICER_REVIEW',
      severity: 'review',
      message: `valuation method ${decl.valuationMethod} claimed: an officer must establish the value; figures shown are the declared price by method 1`,
    });
  }
  if (cfg.basis === 'CIF' && !inc.transportToImport && !decl.costs?.freight) {
    alerts.push({
      code: 'TRANSPORT_COSTS_MISSING',
      severity: 'warning',
      message: `${decl.incoterm} price without declared freight: transport to the place of import is missing from the value`,
    });
  }
  if (inc.importDuties && !decl.costs?.importDutiesIncluded) {
    alerts.push({
      code: 'DDP_DUTIES_NOT_DECLARED',
      severity: 'warning',
      message: 'DDP price includes import duties, but none are declared to deduct',
    });
  }
  const itemsTotal = items.reduce((s, it) => s.plus(dec(it.invoiceAmount)), ZERO);
  if (isDecimalString(decl.invoiceTotal) && !itemsTotal.equals(dec(decl.invoiceTotal))) {
    alerts.push({
      code: 'INVOICE_TOTAL_MISMATCH',
      severity: 'warning',
      message: `items sum to ${plain(itemsTotal)} ${decl.invoiceCurrency}, invoice total is ${decl.invoiceTotal}`,
    });
  }
  const isImport = decl.declarationType === 'import';
  if (!isImport) {
    alerts.push({
      code: 'NO_IMPORT_DUTIES',
      severity: 'info',
      message: `${decl.declarationType} declaration: customs value only, no import duties or taxes`,
    });
  }

  let complete = true;
  const lineFrom = (src: LineSource, item: DeclarationItem, cv: ValuationDecimal): DutyLine => {
    const failed = (code: string, message: string): DutyLine => {
      complete = false;
      alerts.push({
        code: 'DUTY_NOT_COMPUTABLE',
        itemNumber: item.itemNumber,
        severity: 'warning',
        message: `${src.type} '${src.expression}': ${code}: ${message}`,
      });
      return {
        type: src.type,
        expression: src.expression,
        base: '0',
        rate: '0',
        amount: fixed(ZERO),
        ...(src.measureId ? { measureId: src.measureId } : {}),
        ...(src.codePrefix !== undefined ? { codePrefix: src.codePrefix } : {}),
        error: { code, message },
      };
    };
    let parsed: DutyExpression;
    try {
      parsed = parseCached(src.expression);
    } catch (e) {
      if (e instanceof DutyExpressionError) return failed('INVALID_DUTY_EXPRESSION', e.message);
      throw e;
    }
    const ev = evaluateDuty(parsed, {
      item,
      customsValue: cv,
      nationalCurrency: national,
      rateFor,
      supplementaryUnit: src.supplementaryUnit,
      places,
    });
    if (isDutyProblem(ev)) return failed(ev.code, ev.message);
    const first = ev.components[0];
    return {
      type: src.type,
      expression: src.expression,
      base: first.base,
      baseUnit: first.baseUnit,
      rate: first.rate,
      rateUnit: first.rateUnit,
      amount: fixed(roundMoney(ev.amount, rule)),
      unroundedAmount: plain(ev.amount),
      ...(ev.boundApplied ? { boundApplied: ev.boundApplied } : {}),
      components: ev.components,
      ...(src.measureId ? { measureId: src.measureId } : {}),
      ...(src.codePrefix !== undefined ? { codePrefix: src.codePrefix } : {}),
    };
  };

  const assessed: ItemAssessment[] = [];
  let totalCustomsValue = ZERO;
  let totalDuties = ZERO;
  let totalExcise = ZERO;
  let totalVat = ZERO;
  for (const item of items) {
    const n = item.itemNumber;
    let tv = transactionValue.get(n)!;
    if (tv.lessThan(0)) {
      alerts.push({
        code: 'DEDUCTIONS_EXCEED_PRICE',
        itemNumber: n,
        severity: 'review',
        message: `deductions exceed the price (${plain(tv)} ${decl.invoiceCurrency}): value taken as 0`,
      });
      tv = ZERO;
    }
    const cv = roundMoney(tv.times(fxRate), rule);
    const duties: DutyLine[] = [];
    let duty = ZERO;
    let excise = ZERO;
    let vat = ZERO;
    let vatBase: ValuationDecimal | undefined;
    let preference: PreferenceOutcome | undefined;
    if (isImport) {
      const choice = chooseTariff(ref, item, date);
      preference = choice.preference;
      if (preference.claimed && !preference.applied) {
        alerts.push({
          code: 'PREFERENCE_REFUSED',
          itemNumber: n,
          severity: 'info',
          message: preference.reason,
        });
      }
      const m = choice.measure;
      const dutyLine = m
        ? lineFrom(
            {
              type: 'customs-duty',
              expression: m.dutyExpression,
              measureId: m.id,
              codePrefix: m.codePrefix,
              supplementaryUnit: m.supplementaryUnit,
            },
            item,
            cv,
          )
        : undefined;
      if (!m) {
        complete = false;
        alerts.push({
          code: 'DUTY_NOT_COMPUTABLE',
          itemNumber: n,
          severity: 'warning',
          message: `NO_TARIFF_MEASURE: no measure in force on ${date} for ${item.commodityCode}`,
        });
      } else if (m.fallback) {
        alerts.push({
          code: 'TARIFF_FALLBACK',
          itemNumber: n,
          severity: 'info',
          message: `no measure for ${item.commodityCode} below chapter level: chapter fallback rate ${m.dutyExpression} (${m.id})`,
        });
      }
      if (dutyLine) {
        duties.push(dutyLine);
        duty = dec(dutyLine.amount);
      }
      const ex = findExciseMeasure(ref.excise, item.commodityCode, date);
      if (ex) {
        const exLine = lineFrom(
          {
            type: 'excise',
            expression: ex.dutyExpression,
            measureId: ex.id,
            codePrefix: ex.codePrefix,
            supplementaryUnit: ex.supplementaryUnit,
          },
          item,
          cv,
        );
        duties.push(exLine);
        excise = dec(exLine.amount);
      }
      const vatRate = findVatRate(ref.vat, item.commodityCode, date, cfg.vatStandardRate);
      let incidental = ZERO;
      const tai = afterImportShares?.get(n);
      if (cfg.vatIncidentalCosts.includeTransportAfterImport && tai)
        incidental = incidental.plus(tai.times(fxRate));
      const fixedShare = fixedIncidentalShares?.get(n);
      if (fixedShare) incidental = incidental.plus(fixedShare);
      vatBase = cv.plus(duty).plus(excise).plus(roundMoney(incidental, rule));
      vat = roundMoney(vatBase.times(dec(vatRate.rate)).dividedBy(100), rule);
      duties.push({
        type: 'vat',
        expression: `${vatRate.rate} %`,
        base: fixed(vatBase),
        baseUnit: national,
        rate: vatRate.rate,
        rateUnit: '%',
        amount: fixed(vat),
        unroundedAmount: plain(vatBase.times(dec(vatRate.rate)).dividedBy(100)),
        measureId: vatRate.codePrefix ? `VAT-${vatRate.codePrefix}` : 'VAT-STANDARD',
        codePrefix: vatRate.codePrefix,
      });
    }

    // Unit value against reference price bands (national currency per kg net).
    const netMass = dec(item.netMass);
    let unitValue: ValuationDecimal | undefined;
    if (!netMass.isZero()) {
      unitValue = cv.dividedBy(netMass);
      const band = findReferenceBand(
        ref.referencePrices,
        item.commodityCode,
        item.originCountry,
        date,
      );
      if (band && unitValue.lessThan(dec(band.floorPerKg))) {
        alerts.push({
          code: 'UNDERVALUATION',
          itemNumber: n,
          severity: 'review',
          message: `unit value ${unitValue.toFixed(2)} ${national}/kg is below the floor ${band.floorPerKg} of reference band ${band.id}`,
        });
      }
      if (band?.ceilingPerKg !== undefined && unitValue.greaterThan(dec(band.ceilingPerKg))) {
        alerts.push({
          code: 'OVERVALUATION',
          itemNumber: n,
          severity: 'warning',
          message: `unit value ${unitValue.toFixed(2)} ${national}/kg is above the ceiling ${band.ceilingPerKg} of reference band ${band.id}`,
        });
      }
    }

    totalCustomsValue = totalCustomsValue.plus(cv);
    totalDuties = totalDuties.plus(duty);
    totalExcise = totalExcise.plus(excise);
    totalVat = totalVat.plus(vat);
    assessed.push({
      itemNumber: n,
      commodityCode: item.commodityCode,
      customsValue: fixed(cv),
      duties,
      originCountry: item.originCountry,
      invoiceAmount: item.invoiceAmount,
      transactionValue: show(tv, places),
      adjustments: itemAdjustments.get(n)!,
      ...(preference ? { preference } : {}),
      ...(vatBase ? { vatBase: fixed(vatBase) } : {}),
      ...(unitValue ? { unitValuePerKg: unitValue.toDecimalPlaces(4).toFixed(4) } : {}),
      totalDuties: fixed(duty),
      totalTaxes: fixed(excise.plus(vat)),
    });
  }

  const totalTaxes = totalVat.plus(totalExcise);
  return {
    currency: national,
    method: 1,
    methodClaimed: decl.valuationMethod,
    basis: cfg.basis,
    incoterm: decl.incoterm,
    invoiceCurrency: decl.invoiceCurrency,
    acceptedAt: input.acceptedAt,
    valuationDate: date,
    exchangeRate: ratesUsed.get(decl.invoiceCurrency)!,
    exchangeRatesUsed: [...ratesUsed.values()].sort((a, b) =>
      a.from < b.from ? -1 : a.from > b.from ? 1 : 0,
    ),
    adjustments,
    customsValue: fixed(totalCustomsValue),
    totalDuties: fixed(totalDuties),
    totalExcise: fixed(totalExcise),
    totalVat: fixed(totalVat),
    totalTaxes: fixed(totalTaxes),
    totalToPay: fixed(totalDuties.plus(totalTaxes)),
    complete,
    items: assessed,
    alerts: sortAlerts(alerts),
    versions: {
      tariff: ref.tariff.version,
      exchangeRates: ref.exchangeRates.version,
      referencePrices: ref.referencePrices.version,
      preferences: ref.preferences.version,
      vat: ref.vat.version,
      excise: ref.excise.version,
    },
    rounding: { mode: rule.mode, places },
  };
}

/** Declaration-level alerts first, then by item number; stable otherwise (generation order is fixed). */
function sortAlerts(alerts: ValuationAlert[]): ValuationAlert[] {
  return alerts
    .map((a, i) => ({ a, i }))
    .sort((x, y) => (x.a.itemNumber ?? 0) - (y.a.itemNumber ?? 0) || x.i - y.i)
    .map((x) => x.a);
}
