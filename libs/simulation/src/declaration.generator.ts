import Decimal from 'decimal.js';
import prand from 'pure-rand';
import { Declaration, DeclarationItem, Incoterm } from '@customs/contracts';

/** Seeded, deterministic source of realistic declarations for demos, tests and benchmarks. */
export interface GeneratorOptions {
  seed: number;
  /** Declarable commodity codes to draw from (the nomenclature in force). */
  commodityCodes: readonly string[];
  /** Mean number of items; each declaration has 1 to maxItems items. */
  meanItems?: number;
  maxItems?: number;
  /** Prefix making LRNs unique to one run. */
  lrnPrefix?: string;
  officeOfLodgement?: string;
  borderPosts?: readonly string[];
  /** Traders holding a guarantee or deferment account; most declarations come from them. */
  securedTraders?: readonly { holder: string; accountId: string }[];
}

const ORIGINS = ['CN', 'US', 'TR', 'IN', 'JP', 'GB', 'CH', 'VN', 'BD', 'BR', 'KR', 'MA'] as const;
const CURRENCIES = ['EUR', 'USD', 'CNY', 'GBP', 'JPY', 'CHF', 'TRY', 'INR'] as const;
const INCOTERMS: readonly Incoterm[] = ['EXW', 'FCA', 'FOB', 'CFR', 'CIF', 'CPT', 'CIP', 'DAP'];
const UNITS = ['NAR', 'KGM', 'NAR', 'NAR', 'LTR'] as const;
const DESCRIPTIONS = [
  'goods as per invoice',
  'spare parts',
  'consumer goods',
  'machinery parts',
  'textile articles',
  'foodstuffs',
];

export class DeclarationGenerator {
  private rng: prand.RandomGenerator;
  private readonly opts: Required<GeneratorOptions>;

  constructor(options: GeneratorOptions) {
    if (options.commodityCodes.length === 0)
      throw new Error('the generator needs at least one commodity code');
    this.opts = {
      meanItems: 5,
      maxItems: 50,
      lrnPrefix: `S${options.seed}`,
      officeOfLodgement: 'NL000396',
      borderPosts: ['NL-RTM-MAASVLAKTE', 'NL-AMS-SCHIPHOL', 'NL-VNL-VENLO'],
      securedTraders: [],
      ...options,
    };
    this.rng = prand.xoroshiro128plus(options.seed);
  }

  private int(min: number, max: number): number {
    const [v, next] = prand.uniformIntDistribution(min, max, this.rng);
    this.rng = next;
    return v;
  }

  private pick<T>(list: readonly T[]): T {
    return list[this.int(0, list.length - 1)];
  }

  /** Item count with the configured mean: geometric-like, clamped to 1..maxItems. */
  private itemCount(): number {
    const mean = this.opts.meanItems;
    if (mean <= 1) return 1;
    // Uniform on 1..(2*mean-1) has the requested mean and stays cheap and deterministic.
    return Math.min(this.opts.maxItems, this.int(1, 2 * mean - 1));
  }

  next(index: number): Declaration {
    const country = this.opts.officeOfLodgement.slice(0, 2);
    const currency = this.pick(CURRENCIES);
    const incoterm = this.pick(INCOTERMS);
    const dispatch = this.pick(ORIGINS);
    const n = this.itemCount();
    const items: DeclarationItem[] = [];
    let total = new Decimal(0);
    for (let i = 1; i <= n; i++) {
      const net = new Decimal(this.int(1, 50000)).div(10);
      const gross = net.plus(new Decimal(this.int(0, 500)).div(10));
      const amount = new Decimal(this.int(100, 5_000_000)).div(100);
      total = total.plus(amount);
      const unit = this.pick(UNITS);
      const quantity = unit === 'KGM' ? net : new Decimal(this.int(1, 1000));
      const origin = this.int(0, 3) === 0 ? this.pick(ORIGINS) : dispatch;
      items.push({
        itemNumber: i,
        commodityCode: this.pick(this.opts.commodityCodes),
        description: this.pick(DESCRIPTIONS),
        originCountry: origin,
        quantity: quantity.toFixed(),
        unit,
        netMass: net.toFixed(1),
        grossMass: gross.toFixed(1),
        invoiceAmount: amount.toFixed(2),
        documents: [{ code: 'N935', reference: `INV-${index}` }],
      });
    }
    // Most traders hold a guarantee or deferment account; the others pay on demand.
    const secured =
      this.opts.securedTraders.length > 0 && this.int(0, 9) < 8
        ? this.pick(this.opts.securedTraders)
        : undefined;
    const declarantId =
      secured?.holder ?? `${country}${String(200000000 + this.int(0, 999)).padStart(9, '0')}`;
    const needsFreight = ['EXW', 'FCA', 'FOB'].includes(incoterm);
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
      invoiceTotal: total.toFixed(2),
      incoterm,
      incotermPlace: 'ROTTERDAM',
      costs: needsFreight
        ? { freight: total.mul('0.05').toFixed(2), insurance: total.mul('0.005').toFixed(2) }
        : incoterm === 'CFR' || incoterm === 'CPT'
          ? { insurance: total.mul('0.005').toFixed(2) }
          : {},
      relatedParty: false,
      valuationMethod: 1,
      items,
    };
    if (secured) declaration.guaranteeReference = secured.accountId;
    return declaration;
  }
}
