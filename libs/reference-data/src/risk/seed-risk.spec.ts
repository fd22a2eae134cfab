import type { Declaration, DeclarationItem, RiskResult } from '@customs/contracts';
import { assessRisk, mrnCheckDigit, summariseRiskResults } from '@customs/domain';
import {
  loadSeedRuleset,
  loadSeedTraderRegistry,
  SEED_WATCHLISTED_PARTY_ID,
} from './seed-risk.loader';

// Small fixtures of our own (declaration fixtures elsewhere may change shape).
function item(overrides: Partial<DeclarationItem> = {}): DeclarationItem {
  return {
    itemNumber: 1,
    commodityCode: '8516600000',
    description: 'Electric ovens',
    originCountry: 'TR',
    quantity: '10',
    unit: 'NAR',
    netMass: '200',
    grossMass: '220',
    invoiceAmount: '3000.00',
    ...overrides,
  };
}

function declaration(overrides: Partial<Declaration> = {}): Declaration {
  return {
    lrn: 'LRN-SEED-0001',
    declarationType: 'import',
    procedureCode: '4000',
    declarant: { id: 'NL123456789' },
    importer: { id: 'NL987654321' },
    officeOfLodgement: 'NL000396',
    borderPost: 'NL-RTM-01',
    transportMode: '1',
    dispatchCountry: 'TR',
    destinationCountry: 'NL',
    invoiceCurrency: 'EUR',
    invoiceTotal: '3000.00',
    incoterm: 'FOB',
    incotermPlace: 'Izmir',
    relatedParty: false,
    valuationMethod: 1,
    items: [item()],
    ...overrides,
  };
}

function mrnFor(serial: number): string {
  const first17 = `26NL${String(serial).padStart(12, '0')}J`;
  return first17 + mrnCheckDigit(first17);
}

const ruleset = loadSeedRuleset();
const traders = loadSeedTraderRegistry();
const ACCEPTED_AT = '2026-03-10T08:00:00Z';
const assess = (d: Declaration, mrn = mrnFor(7)): RiskResult =>
  assessRisk({ declaration: d, mrn, acceptedAt: ACCEPTED_AT }, ruleset, traders);
const ruleIds = (r: RiskResult) => r.hits.filter((h) => h.source === 'rule').map((h) => h.ruleId);

describe('seed risk reference data', () => {
  it('loads and validates', () => {
    expect(ruleset.version).toBe('seed-2026.1');
    expect(ruleset.effectiveFrom).toBe('2026-01-01T00:00:00Z');
    expect(ruleset.rules.length).toBeGreaterThanOrEqual(8);
    expect(traders.version).toBe('seed-traders-2026.1');
    expect(traders.traders.filter((t) => t.aeo !== null).map((t) => t.aeo)).toEqual([
      'AEOF',
      'AEOC',
      'AEOS',
    ]);
    expect(loadSeedRuleset()).toBe(ruleset);
  });

  it('arms (chapter 93) go red', () => {
    const r = assess(declaration({ items: [item({ commodityCode: '9302000000' })] }));
    expect(ruleIds(r)).toEqual(['ARMS-93']);
    expect(r.channel).toBe('red');
  });

  it('used cars (CN 8703 xx 90) go yellow; new cars do not', () => {
    expect(
      ruleIds(assess(declaration({ items: [item({ commodityCode: '8703239000' })] }))),
    ).toEqual(['USED-VEHICLES-8703']);
    expect(
      ruleIds(assess(declaration({ items: [item({ commodityCode: '8703231990' })] }))),
    ).toEqual([]);
  });

  it('cigarettes above 150 EUR per kg score points, below do not', () => {
    // 10 kg at 1600 EUR = 160 EUR/kg; at 1400 EUR = 140 EUR/kg.
    const high = declaration({
      items: [item({ commodityCode: '2402200000', netMass: '10', invoiceAmount: '1600' })],
    });
    const low = declaration({
      items: [item({ commodityCode: '2402200000', netMass: '10', invoiceAmount: '1400' })],
    });
    expect(ruleIds(assess(high))).toEqual(['TOBACCO-2402-HIGH-VALUE-PER-KG']);
    expect(assess(high).score).toBe(35);
    expect(assess(high).ruleChannel).toBe('blue');
    expect(ruleIds(assess(low))).toEqual([]);
    // USD invoices use the USD band (165): 160 USD/kg does not match.
    expect(ruleIds(assess({ ...high, invoiceCurrency: 'USD' }))).toEqual([]);
  });

  it('laptops and phones below 20 EUR per kg score as possible undervaluation', () => {
    const cheap = declaration({
      items: [item({ commodityCode: '8471300000', netMass: '100', invoiceAmount: '1500' })],
    });
    expect(ruleIds(assess(cheap))).toEqual(['ELECTRONICS-LOW-VALUE-PER-KG']);
    const fair = declaration({
      items: [item({ commodityCode: '8517130000', netMass: '10', invoiceAmount: '9000' })],
    });
    expect(ruleIds(assess(fair))).toEqual([]);
  });

  it('apparel from listed origins, plus related parties: 25 + 10 = 35, blue', () => {
    const r = assess(
      declaration({
        relatedParty: true,
        items: [item({ commodityCode: '6109100010', originCountry: 'BD' })],
      }),
    );
    expect(ruleIds(r)).toEqual(['APPAREL-61-62-ORIGIN', 'RELATED-PARTY']);
    expect([r.score, r.ruleChannel]).toEqual([35, 'blue']);
  });

  it('the watchlisted party goes red; a seed AEO gets its reduction', () => {
    const w = assess(declaration({ seller: { id: SEED_WATCHLISTED_PARTY_ID } }));
    expect(w.channel).toBe('red');
    expect(w.hits[0].ruleId).toBe('WATCHLIST');
    const aeo = assess(declaration({ importer: { id: 'DE000000000000002' } }));
    expect(aeo.hits[0]).toMatchObject({ ruleId: 'AEO', points: -10 });
    expect(aeo.traderRegistryVersion).toBe('seed-traders-2026.1');
  });
});

describe('seed lane rates over 100,000 synthetic declarations', () => {
  it('land within one percentage point of the expected rates when rules hit at the estimated rates', () => {
    // Rule selections at the seed's estimated rates (red 0.5%, yellow 1%, blue 1%), the rest
    // clean; a seeded generator (mulberry32) keeps the mix reproducible.
    const red = declaration({ items: [item({ commodityCode: '9303201000' })] });
    const yellow = declaration({ items: [item({ commodityCode: '8703329000' })] });
    const blue = declaration({
      relatedParty: true,
      items: [item({ commodityCode: '6204430000', originCountry: 'PK' })],
    });
    const clean = declaration();
    let state = 20260101;
    const next = () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const results: RiskResult[] = [];
    for (let i = 1; i <= 100_000; i++) {
      const p = next();
      const d = p < 0.005 ? red : p < 0.015 ? yellow : p < 0.025 ? blue : clean;
      results.push(assess(d, mrnFor(i)));
    }
    const s = summariseRiskResults(results);
    const rate = (lane: 'red' | 'yellow' | 'blue') => Number(s.rates[lane]);
    expect(Math.abs(rate('red') - 0.03)).toBeLessThan(0.01);
    expect(Math.abs(rate('yellow') - 0.07)).toBeLessThan(0.01);
    expect(Math.abs(rate('blue') - 0.05)).toBeLessThan(0.01);
    // The rules did fire at about the estimated rates.
    expect(Math.abs(s.hitsByRule['ARMS-93'] / 100_000 - 0.005)).toBeLessThan(0.001);
    expect(Math.abs(s.hitsByRule['USED-VEHICLES-8703'] / 100_000 - 0.01)).toBeLessThan(0.0015);
  });
});
