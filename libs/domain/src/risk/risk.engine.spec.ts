import type { Declaration, RiskResult } from '@customs/contracts';
import { laneDraw, ruleDraw } from './random-draw.engine';
import { RiskAssessmentInputError } from './risk.errors';
import { assessRisk } from './risk.engine';
import { summariseRiskResults } from './risk-statistics.engine';
import {
  buildDeclaration,
  buildItem,
  mrnFor,
  registryJson,
  rulesetJson,
} from './risk-test.fixtures';
import { parseRuleset, parseTraderRegistry } from './ruleset.parser';
import { Ruleset, TraderRegistry } from './ruleset.model';

const ACCEPTED_AT = '2026-02-01T09:30:00Z';
const noTraders = parseTraderRegistry(registryJson());

function assess(
  declaration: Declaration,
  ruleset: Ruleset,
  traders: TraderRegistry = noTraders,
  mrn = mrnFor(1),
): RiskResult {
  return assessRisk({ declaration, mrn, acceptedAt: ACCEPTED_AT }, ruleset, traders);
}

function pointsRule(id: string, points: number, prefixes: string[]) {
  return {
    id,
    description: `${id} reason`,
    criteria: { type: 'commodityCodePrefix', prefixes },
    action: { points },
  };
}

/** The first MRN (by serial) whose lane draw satisfies the predicate. */
function mrnWithDraw(seed: string, test: (u: number) => boolean): string {
  for (let i = 1; i < 100000; i++) if (test(laneDraw(seed, mrnFor(i)).value)) return mrnFor(i);
  throw new Error('no MRN found');
}

const arms = {
  id: 'ARMS-93',
  description: 'Arms and ammunition: physical inspection',
  criteria: { type: 'commodityCodePrefix', prefixes: ['93'] },
  action: { lane: 'red' },
};
const usedCars = {
  id: 'USED-CARS',
  description: 'Used cars: documents',
  criteria: { type: 'commodityCodePrefix', prefixes: ['87032390'] },
  action: { lane: 'yellow' },
};

describe('assessRisk: rules and score', () => {
  const ruleset = parseRuleset(
    rulesetJson({
      rules: [arms, usedCars, pointsRule('P30', 30, ['61']), pointsRule('P25', 25, ['62'])],
    }),
  );

  it('is green with no hit, and records the versions and the draw', () => {
    const r = assess(buildDeclaration(), ruleset);
    expect(r).toEqual({
      channel: 'green',
      ruleChannel: 'green',
      score: 0,
      hits: [],
      randomDraw: laneDraw('test-seed', mrnFor(1)).decimal,
      rulesetVersion: 'test-1',
      traderRegistryVersion: 'traders-test-1',
    });
  });

  it('a lane action sets the lane and records the reason and the matching items', () => {
    const d = buildDeclaration({
      items: [buildItem(), buildItem({ itemNumber: 2, commodityCode: '9303201000' })],
    });
    const r = assess(d, ruleset);
    expect(r.channel).toBe('red');
    expect(r.hits).toEqual([
      {
        ruleId: 'ARMS-93',
        source: 'rule',
        reason: 'Arms and ammunition: physical inspection',
        channel: 'red',
        itemNumbers: [2],
      },
    ]);
    expect(
      assess(buildDeclaration({ items: [buildItem({ commodityCode: '8703239000' })] }), ruleset)
        .channel,
    ).toBe('yellow');
  });

  it('the most severe lane wins', () => {
    const d = buildDeclaration({
      items: [
        buildItem({ commodityCode: '8703239000' }),
        buildItem({ itemNumber: 2, commodityCode: '9305100000' }),
      ],
    });
    expect(assess(d, ruleset).channel).toBe('red');
  });

  it('points add up and the score thresholds pick the lane (>= threshold)', () => {
    const cases: [number, string][] = [
      [29, 'green'],
      [30, 'blue'],
      [49, 'blue'],
      [50, 'yellow'],
      [79, 'yellow'],
      [80, 'red'],
    ];
    for (const [points, lane] of cases) {
      const rs = parseRuleset(
        rulesetJson({ rules: [pointsRule('A', points - 1, ['85']), pointsRule('B', 1, ['8516'])] }),
      );
      const r = assess(buildDeclaration(), rs);
      expect([r.score, r.channel]).toEqual([points, lane]);
      if (lane !== 'green') {
        expect(r.hits.at(-1)).toEqual({
          ruleId: 'SCORE',
          source: 'score',
          channel: lane,
          reason: expect.stringContaining(`score ${points} reaches the ${lane} threshold`),
        });
      }
    }
  });

  it('negative points lower the score, floored at 0', () => {
    const rs = parseRuleset(
      rulesetJson({ rules: [pointsRule('A', 40, ['85']), pointsRule('TRUSTED', -60, ['8516'])] }),
    );
    const r = assess(buildDeclaration(), rs);
    expect(r.score).toBe(0);
    expect(r.channel).toBe('green');
  });
});

describe('assessRisk: trader registry', () => {
  const traders = parseTraderRegistry(
    registryJson({
      traders: [
        { id: 'NL987654321', aeo: 'AEOC' },
        { id: 'NL123456789', aeo: 'AEOF' },
        {
          id: 'BE000000000000005',
          aeo: null,
          complianceScore: 35,
          history: { declarations: 60, irregularities: 8 },
        },
        {
          id: 'IT000000000000004',
          aeo: null,
          complianceScore: 55,
          history: { declarations: 100, irregularities: 5 },
        },
        { id: 'IT000000000000009', aeo: null, history: { declarations: 10, irregularities: 9 } },
      ],
      watchlist: [{ id: 'XX000000000WATCH', reason: 'seizure of counterfeit goods' }],
    }),
  );
  const ruleset = parseRuleset(rulesetJson({ rules: [pointsRule('P55', 55, ['85'])] }));

  it('a watchlisted party sends the declaration to red, naming its roles', () => {
    const watched = { id: 'XX000000000WATCH' };
    for (const role of ['declarant', 'importer', 'exporter', 'seller', 'buyer'] as const) {
      const r = assess(buildDeclaration({ [role]: watched }), ruleset, traders);
      expect(r.channel).toBe('red');
      expect(r.hits[0]).toEqual({
        ruleId: 'WATCHLIST',
        source: 'watchlist',
        channel: 'red',
        reason: `${role} XX000000000WATCH is on the watchlist: seizure of counterfeit goods`,
      });
    }
    const both = assess(buildDeclaration({ seller: watched, exporter: watched }), ruleset, traders);
    expect(both.hits.filter((h) => h.ruleId === 'WATCHLIST').map((h) => h.reason)).toEqual([
      'exporter and seller XX000000000WATCH is on the watchlist: seizure of counterfeit goods',
    ]);
  });

  it('an AEO importer gets the points reduction (55 - 10 = 45: blue, not yellow)', () => {
    const r = assess(buildDeclaration(), ruleset, traders);
    expect(r.score).toBe(45);
    expect(r.channel).toBe('blue');
    expect(r.hits[0]).toEqual({
      ruleId: 'AEO',
      source: 'aeo',
      points: -10,
      reason: 'importer NL987654321 holds AEOC: random selection rates x0.5, score -10',
    });
  });

  it("a broker's AEO status does not lower controls on a non-AEO importer", () => {
    // Declarant NL123456789 is AEOF; the importer is unknown to the registry.
    const r = assess(buildDeclaration({ importer: { id: 'NL555555555' } }), ruleset, traders);
    expect(r.hits.some((h) => h.ruleId === 'AEO')).toBe(false);
    expect(r.score).toBe(55);
    // Without an importer, the declarant is the principal trader.
    expect(assess(buildDeclaration({ importer: undefined }), ruleset, traders).score).toBe(40);
  });

  it('AEO status multiplies the random rates', () => {
    const rs = parseRuleset(
      rulesetJson({
        seed: 'aeo-seed',
        randomSelection: {
          red: { minRate: '0.5', expectedRate: '0.5' },
          yellow: { minRate: '0', expectedRate: '0' },
          blue: { minRate: '0', expectedRate: '0' },
        },
      }),
    );
    // u in [0.25, 0.5): red for anyone, nothing for an AEOC (red interval halved to [0, 0.25)).
    const mrn = mrnWithDraw('aeo-seed', (u) => u >= 0.25 && u < 0.5);
    const plain = assess(buildDeclaration({ importer: { id: 'NL555555555' } }), rs, traders, mrn);
    const aeo = assess(buildDeclaration(), rs, traders, mrn);
    expect(plain.channel).toBe('red');
    expect(plain.hits.map((h) => h.ruleId)).toEqual(['RANDOM-RED']);
    expect(aeo.channel).toBe('green');
    const low = mrnWithDraw('aeo-seed', (u) => u < 0.25);
    expect(assess(buildDeclaration(), rs, traders, low).channel).toBe('red');
  });

  it('poor compliance adds the highest matching band, not the sum', () => {
    // Score 35 < 40: 30 points; 8/60 = 13% >= 10%: 30 points; the record counts once: 30.
    const r = assess(buildDeclaration({ importer: { id: 'BE000000000000005' } }), ruleset, traders);
    const hit = r.hits.find((h) => h.ruleId === 'COMPLIANCE');
    expect(hit).toEqual({
      ruleId: 'COMPLIANCE',
      source: 'compliance',
      points: 30,
      reason:
        'importer BE000000000000005 has a poor compliance record (compliance score 35, 8 irregularities in 60 declarations)',
    });
    expect(r.score).toBe(85);
    expect(r.channel).toBe('red');
  });

  it('compliance bands: exact at the boundary, too short a history ignored', () => {
    // 5 / 100 = exactly 5%: the 0.05 band applies (15); score 55 < 60: 15.
    const it4 = assess(
      buildDeclaration({ importer: { id: 'IT000000000000004' } }),
      ruleset,
      traders,
    );
    expect(it4.hits.find((h) => h.ruleId === 'COMPLIANCE')?.points).toBe(15);
    // 9 irregularities in 10 declarations, but fewer than minDeclarations (20): not judged.
    const it9 = assess(
      buildDeclaration({ importer: { id: 'IT000000000000009' } }),
      ruleset,
      traders,
    );
    expect(it9.hits.some((h) => h.ruleId === 'COMPLIANCE')).toBe(false);
  });
});

describe('assessRisk: hit limits', () => {
  it('selects a hit with probability 1/(N+1) from the rule draw, and records unselected hits', () => {
    const rs = parseRuleset(rulesetJson({ rules: [{ ...usedCars, maxHitsWithoutSelection: 3 }] }));
    const d = buildDeclaration({ items: [buildItem({ commodityCode: '8703239000' })] });
    let selected = 0;
    const n = 4000;
    const wrong: string[] = [];
    for (let i = 1; i <= n; i++) {
      const r = assess(d, rs, noTraders, mrnFor(i));
      const hit = r.hits[0];
      const expectSelected = ruleDraw('test-seed', mrnFor(i), 'USED-CARS').value < 1 / 4;
      if (expectSelected) selected++;
      const ok = expectSelected
        ? hit.selected === true && hit.channel === 'yellow' && r.channel === 'yellow'
        : hit.selected === false &&
          hit.channel === undefined &&
          r.channel === 'green' &&
          /hit limit 3, one hit in 4/.test(hit.reason);
      if (!ok) wrong.push(`${mrnFor(i)}: ${JSON.stringify(r)}`);
    }
    expect(wrong).toEqual([]);
    // Binomial(4000, 0.25): sd 27; 0.25 +- 0.03 is more than 4 sd.
    expect(Math.abs(selected / n - 0.25)).toBeLessThan(0.03);
  });
});

describe('assessRisk: random selection', () => {
  const rates = {
    red: { minRate: '0.1', expectedRate: '0.1' },
    yellow: { minRate: '0.2', expectedRate: '0.2' },
    blue: { minRate: '0.1', expectedRate: '0.1' },
  };
  const rs = parseRuleset(rulesetJson({ seed: 'rnd', randomSelection: rates, rules: [usedCars] }));
  const usedCar = buildDeclaration({ items: [buildItem({ commodityCode: '8703239000' })] });

  it('raises the lane with a RANDOM hit', () => {
    const mrn = mrnWithDraw('rnd', (u) => u < 0.1);
    const r = assess(buildDeclaration(), rs, noTraders, mrn);
    expect(r.channel).toBe('red');
    expect(r.ruleChannel).toBe('green');
    expect(r.hits).toEqual([
      {
        ruleId: 'RANDOM-RED',
        source: 'random',
        channel: 'red',
        reason: 'random selection for red (rate 0.1)',
      },
    ]);
    const blue = mrnWithDraw('rnd', (u) => u >= 0.3 && u < 0.4);
    expect(assess(buildDeclaration(), rs, noTraders, blue).channel).toBe('blue');
    const none = mrnWithDraw('rnd', (u) => u >= 0.4);
    expect(assess(buildDeclaration(), rs, noTraders, none).hits).toEqual([]);
  });

  it('never downgrades a lane set by rules', () => {
    const blueDraw = mrnWithDraw('rnd', (u) => u >= 0.3 && u < 0.4);
    const r = assess(usedCar, rs, noTraders, blueDraw);
    expect(r.channel).toBe('yellow');
    expect(r.hits.at(-1)).toEqual({
      ruleId: 'RANDOM-BLUE',
      source: 'random',
      channel: 'blue',
      reason: 'random selection for blue (rate 0.1); no effect, already yellow by rules',
    });
    const redDraw = mrnWithDraw('rnd', (u) => u < 0.1);
    expect(assess(usedCar, rs, noTraders, redDraw).channel).toBe('red');
  });

  it('tops up to expected minus the estimated rule rate, floored at the minimum rate', () => {
    const est = parseRuleset(
      rulesetJson({
        seed: 'rnd',
        randomSelection: {
          red: { minRate: '0.01', expectedRate: '0.1', estimatedRuleRate: '0.04' }, // 0.06
          yellow: { minRate: '0.05', expectedRate: '0.2', estimatedRuleRate: '0.19' }, // floor 0.05
          blue: { minRate: '0', expectedRate: '0.1' }, // 0.1
        },
      }),
    );
    // Intervals: red [0, 0.06), yellow [0.06, 0.11), blue [0.11, 0.21).
    const lane = (test: (u: number) => boolean) =>
      assess(buildDeclaration(), est, noTraders, mrnWithDraw('rnd', test)).channel;
    expect(lane((u) => u < 0.06)).toBe('red');
    expect(lane((u) => u >= 0.06 && u < 0.11)).toBe('yellow');
    expect(lane((u) => u >= 0.11 && u < 0.21)).toBe('blue');
    expect(lane((u) => u >= 0.21)).toBe('green');
  });
});

describe('assessRisk: determinism and guards', () => {
  const json = rulesetJson({
    seed: 'det',
    rules: [arms, pointsRule('P35', 35, ['85'])],
    randomSelection: {
      red: { minRate: '0.1', expectedRate: '0.2' },
      yellow: { minRate: '0.1', expectedRate: '0.2' },
      blue: { minRate: '0.1', expectedRate: '0.2' },
    },
  });

  it('gives the same result for the same input, even from separately parsed data', () => {
    const a = parseRuleset(json);
    const b = parseRuleset(JSON.parse(JSON.stringify(json)));
    for (let i = 1; i <= 50; i++) {
      const d = buildDeclaration();
      const r1 = assess(d, a, noTraders, mrnFor(i));
      const r2 = assess(
        JSON.parse(JSON.stringify(d)),
        b,
        parseTraderRegistry(registryJson()),
        mrnFor(i),
      );
      expect(r2).toEqual(r1);
      expect(JSON.parse(JSON.stringify(r1))).toEqual(r1);
    }
  });

  it('refuses a ruleset or registry not yet in force at acceptance', () => {
    const later = parseRuleset({ ...json, effectiveFrom: '2026-06-01T00:00:00Z' });
    expect(() => assess(buildDeclaration(), later)).toThrow(RiskAssessmentInputError);
    const laterTraders = parseTraderRegistry(
      registryJson({ effectiveFrom: '2026-06-01T00:00:00Z' }),
    );
    expect(() => assess(buildDeclaration(), parseRuleset(json), laterTraders)).toThrow(
      /trader registry/,
    );
    expect(() =>
      assessRisk(
        { declaration: buildDeclaration(), mrn: '', acceptedAt: ACCEPTED_AT },
        parseRuleset(json),
        noTraders,
      ),
    ).toThrow(/mrn/);
  });
});

describe('lane rates over 100,000 declarations without rule hits', () => {
  it('equal the configured expected rates (disjoint intervals of one draw)', () => {
    const rs = parseRuleset(
      rulesetJson({
        seed: 'rates-seed',
        randomSelection: {
          red: { minRate: '0.01', expectedRate: '0.03' },
          yellow: { minRate: '0.02', expectedRate: '0.07' },
          blue: { minRate: '0.01', expectedRate: '0.05' },
        },
      }),
    );
    const d = buildDeclaration();
    const results: RiskResult[] = [];
    for (let i = 1; i <= 100_000; i++) results.push(assess(d, rs, noTraders, mrnFor(i)));
    const stats = summariseRiskResults(results);
    expect(stats.total).toBe(100_000);
    // Tolerance 0.3 points: over 9 standard deviations of a binomial at these rates.
    expect(Math.abs(Number(stats.rates.red) - 0.03)).toBeLessThan(0.003);
    expect(Math.abs(Number(stats.rates.yellow) - 0.07)).toBeLessThan(0.003);
    expect(Math.abs(Number(stats.rates.blue) - 0.05)).toBeLessThan(0.003);
    expect(stats.byLane.red + stats.byLane.yellow + stats.byLane.blue + stats.byLane.green).toBe(
      100_000,
    );
    expect(stats.hitsByRule['RANDOM-RED']).toBe(stats.byLane.red);
  });
});
