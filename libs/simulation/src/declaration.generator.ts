import Decimal from 'decimal.js';
import prand from 'pure-rand';
import { Declaration, DeclarationItem, Incoterm } from '@customs/contracts';
import { DEFAULT_PRICING, GeneratorPricing, lookupPrefix } from './generator-pricing';

/** Seeded, deterministic source of realistic declarations for demos, tests and benchmarks. */
export interface GeneratorOptions {
  seed: number;
  /** Declarable commodity codes to draw from (the nomenclature in force). */
  commodityCodes: readonly string[];
  /** Mean number of items (geometric, so most declarations are small); 1 to maxItems items. */
  meanItems?: number;
  maxItems?: number;
  /** Prefix making LRNs unique to one run. */
  lrnPrefix?: string;
  officeOfLodgement?: string;
  borderPosts?: readonly string[];
  /** Traders holding a guarantee or deferment account; most declarations come from them. */
  securedTraders?: readonly { holder: string; accountId: string }[];
  /**
   * Unit values and exchange rates the invoice amounts follow (see pricingFromReferenceData);
   * built-in typical values and approximate EUR rates when absent.
   */
  pricing?: GeneratorPricing;
}

const ORIGINS = ['CN', 'US', 'TR', 'IN', 'JP', 'GB', 'CH', 'VN', 'BD', 'BR', 'KR', 'MA'] as const;
const CURRENCIES = ['EUR', 'USD', 'CNY', 'GBP', 'JPY', 'CHF', 'TRY', 'INR'] as const;
/** Invoice currencies without minor units (ISO 4217 exponent 0). */
const NO_MINOR_UNIT = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK']);
const INCOTERMS: readonly Incoterm[] = ['EXW', 'FCA', 'FOB', 'CFR', 'CIF', 'CPT', 'CIP', 'DAP'];
const DESCRIPTIONS = [
  'goods as per invoice',
  'spare parts',
  'consumer goods',
  'machinery parts',
  'textile articles',
  'foodstuffs',
];
/** Typical unit value when no prefix of the code is priced (national currency per kg). */
const FALLBACK_UNIT_VALUE = 10;

/**
 * How a code's goods are counted, so that specific duties and excise find their quantity:
 * litres for beer and wine (duties per hl), pieces with supplementary units in thousands for
 * cigarettes (excise per 1000 p/st), pieces for watches and vehicles, else kilograms or pieces.
 */
interface ItemShape {
  unit: 'KGM' | 'LTR' | 'NAR';
  /** Net kg per piece (pieces) or per litre (volumes). */
  kgPerUnit: number;
  /** Range of net mass of one item line, kg. */
  massRange: [number, number];
  supplementaryPerUnit?: number;
}

function shapeOf(code: string): ItemShape {
  const h = code.slice(0, 4);
  const ch = code.slice(0, 2);
  if (h === '2203' || h === '2204' || h === '2205' || h === '2206' || h === '2208')
    return { unit: 'LTR', kgPerUnit: h === '2203' ? 1.01 : 0.99, massRange: [50, 20000] };
  if (h === '2402')
    return { unit: 'NAR', kgPerUnit: 0.001, massRange: [5, 2000], supplementaryPerUnit: 0.001 };
  if (h === '9101' || h === '9102') return { unit: 'NAR', kgPerUnit: 0.1, massRange: [1, 200] };
  if (h === '8703') return { unit: 'NAR', kgPerUnit: 1400, massRange: [1400, 14000] };
  if (h === '8802') return { unit: 'NAR', kgPerUnit: 900, massRange: [900, 9000] };
  if (['84', '85', '90', '94', '95'].includes(ch))
    return { unit: 'NAR', kgPerUnit: 2.5, massRange: [5, 5000] };
  return { unit: 'KGM', kgPerUnit: 1, massRange: [1, 20000] };
}

export class DeclarationGenerator {
  private rng: prand.RandomGenerator;
  private readonly opts: Required<GeneratorOptions>;

  constructor(options: GeneratorOptions) {
    if (options.commodityCodes.length === 0)
      throw new Error('the generator needs at least one commodity code');
    if (options.meanItems !== undefined && !(options.meanItems >= 1))
      throw new Error(`meanItems must be at least 1 (got ${options.meanItems})`);
    if (
      options.maxItems !== undefined &&
      !(Number.isInteger(options.maxItems) && options.maxItems >= 1)
    )
      throw new Error(`maxItems must be a positive integer (got ${options.maxItems})`);
    this.opts = {
      meanItems: 5,
      maxItems: 50,
      lrnPrefix: `S${options.seed}`,
      officeOfLodgement: 'NL000396',
      borderPosts: ['NL-RTM-MAASVLAKTE', 'NL-AMS-SCHIPHOL', 'NL-VNL-VENLO'],
      securedTraders: [],
      pricing: DEFAULT_PRICING,
      // Options given as undefined keep their defaults.
      ...(Object.fromEntries(
        Object.entries(options).filter(([, v]) => v !== undefined),
      ) as GeneratorOptions),
    };
    this.rng = prand.xoroshiro128plus(options.seed);
  }

  private int(min: number, max: number): number {
    const [v, next] = prand.uniformIntDistribution(min, max, this.rng);
    this.rng = next;
    return v;
  }

  /** Uniform on (0, 1), never 0 (logarithms are taken of it). */
  private unit(): number {
    return (this.int(0, 0x3fffffff) + 1) / 0x40000001;
  }

  /** Log-uniform on [min, max]: masses and prices spread over orders of magnitude. */
  private logUniform(min: number, max: number): number {
    return min * Math.exp(Math.log(max / min) * this.unit());
  }

  private pick<T>(list: readonly T[]): T {
    return list[this.int(0, list.length - 1)];
  }

  /**
   * Item count: 1 + geometric, whose mean is the configured mean (most declarations are
   * small, a few long), clamped to 1..maxItems.
   */
  itemCount(): number {
    const mean = Math.min(this.opts.meanItems, this.opts.maxItems);
    if (mean <= 1) return 1;
    const p = 1 / mean;
    const extra = Math.floor(Math.log(this.unit()) / Math.log(1 - p));
    return Math.min(this.opts.maxItems, 1 + extra);
  }

  /** One item line, its invoice amount in `currency` following the code's unit value. */
  private item(i: number, index: number, currency: string, origin: string): DeclarationItem {
    const pricing = this.opts.pricing;
    const code = this.pick(this.opts.commodityCodes);
    const shape = shapeOf(code);
    const rawNet = this.logUniform(shape.massRange[0], shape.massRange[1]);
    let quantity: Decimal;
    let net: Decimal;
    if (shape.unit === 'NAR') {
      const pieces = Math.max(1, Math.round(rawNet / shape.kgPerUnit));
      quantity = new Decimal(pieces);
      net = Decimal.max(
        new Decimal('0.1'),
        new Decimal(pieces * shape.kgPerUnit).toDecimalPlaces(1),
      );
    } else if (shape.unit === 'LTR') {
      quantity = new Decimal(Math.max(1, Math.round(rawNet / shape.kgPerUnit)));
      net = quantity.times(shape.kgPerUnit).toDecimalPlaces(1);
    } else {
      net = Decimal.max(new Decimal('0.1'), new Decimal(rawNet).toDecimalPlaces(1));
      quantity = net;
    }
    const gross = net.times(1 + this.int(2, 25) / 100).toDecimalPlaces(1, Decimal.ROUND_UP);

    const typical = lookupPrefix(pricing.unitValuePerKg, code) ?? FALLBACK_UNIT_VALUE;
    const floor = lookupPrefix(pricing.floorPerKg, code);
    const undervalued = this.unit() < (pricing.undervaluedShare ?? 0.02);
    // Deliberately undervalued lines sit well below the floor; the others well above it.
    const perKg = undervalued
      ? floor !== undefined
        ? floor * (0.3 + this.unit() * 0.5)
        : typical * (0.1 + this.unit() * 0.2)
      : typical * this.logUniform(0.7, 2);
    const rate = pricing.exchangeRates[currency] ?? 1;
    const digits = NO_MINOR_UNIT.has(currency) ? 0 : 2;
    const minor = new Decimal(10).pow(-digits);
    const amount = Decimal.max(
      minor,
      new Decimal(perKg).times(net).dividedBy(rate).toDecimalPlaces(digits),
    );

    const line: DeclarationItem = {
      itemNumber: i,
      commodityCode: code,
      description: this.pick(DESCRIPTIONS),
      originCountry: origin,
      quantity: quantity.toFixed(),
      unit: shape.unit,
      netMass: net.toFixed(1),
      grossMass: gross.toFixed(1),
      invoiceAmount: amount.toFixed(digits),
      documents: [{ code: 'N935', reference: `INV-${index}` }],
    };
    if (shape.supplementaryPerUnit !== undefined)
      line.supplementaryUnits = quantity.times(shape.supplementaryPerUnit).toFixed();
    return line;
  }

  next(index: number): Declaration {
    const country = this.opts.officeOfLodgement.slice(0, 2);
    const currency = this.pick(CURRENCIES);
    const incoterm = this.pick(INCOTERMS);
    const dispatch = this.pick(ORIGINS);
    const n = this.itemCount();
    const digits = NO_MINOR_UNIT.has(currency) ? 0 : 2;
    const items: DeclarationItem[] = [];
    let total = new Decimal(0);
    for (let i = 1; i <= n; i++) {
      const origin = this.int(0, 3) === 0 ? this.pick(ORIGINS) : dispatch;
      const line = this.item(i, index, currency, origin);
      total = total.plus(line.invoiceAmount);
      items.push(line);
    }
    // Most traders hold a guarantee or deferment account; the others pay on demand.
    const secured =
      this.opts.securedTraders.length > 0 && this.int(0, 9) < 8
        ? this.pick(this.opts.securedTraders)
        : undefined;
    const declarantId =
      secured?.holder ?? `${country}${String(200000000 + this.int(0, 999)).padStart(9, '0')}`;
    const needsFreight = ['EXW', 'FCA', 'FOB'].includes(incoterm);
    const share = (f: string) => total.mul(f).toDecimalPlaces(digits).toFixed(digits);
    const declaration: Declaration = {
      lrn: `${this.opts.lrnPrefix}-${index}`,
      declarationType: 'import',
      procedureCode: '4000',
      declarant: { id: declarantId, name: `Declarant ${declarantId}`, country },
      importer: { id: declarantId, name: `Importer ${declarantId}`, country },
      exporter: { id: `${dispatch}EX${this.int(1000, 9999)}`, name: 'Exporter', country: dispatch },
      officeOfLodgement: this.opts.officeOfLodgement,
      borderPost: this.pick(this.opts.borderPosts),
      transportMode: this.pick(['1', '3', '4'] as const),
      dispatchCountry: dispatch,
      destinationCountry: country,
      invoiceCurrency: currency,
      invoiceTotal: total.toFixed(digits),
      incoterm,
      incotermPlace: 'ROTTERDAM',
      costs: needsFreight
        ? { freight: share('0.05'), insurance: share('0.005') }
        : incoterm === 'CFR' || incoterm === 'CPT'
          ? { insurance: share('0.005') }
          : {},
      relatedParty: false,
      valuationMethod: 1,
      items,
    };
    if (secured) declaration.guaranteeReference = secured.accountId;
    return declaration;
  }
}
