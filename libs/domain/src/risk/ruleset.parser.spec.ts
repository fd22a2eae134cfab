import { RiskReferenceDataError } from './risk.errors';
import { registryJson, rulesetJson } from './risk-test.fixtures';
import { parseRuleset, parseTraderRegistry } from './ruleset.parser';

function problemsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RiskReferenceDataError);
    return (e as RiskReferenceDataError).problems;
  }
  throw new Error('expected a RiskReferenceDataError');
}

const armsRule = {
  id: 'ARMS-93',
  description: 'Arms',
  criteria: { type: 'commodityCodePrefix', prefixes: ['93'] },
  action: { lane: 'red' },
};

describe('parseRuleset', () => {
  it('accepts a valid ruleset and returns a frozen copy', () => {
    const r = parseRuleset(rulesetJson({ rules: [armsRule] }));
    expect(r.version).toBe('test-1');
    expect(r.rules[0]).toEqual(armsRule);
    expect(Object.isFrozen(r.rules[0].criteria)).toBe(true);
  });

  it('lists every problem with its JSON path', () => {
    const problems = problemsOf(() =>
      parseRuleset(
        rulesetJson({
          version: '',
          effectiveFrom: '2026-01-01T00:00:00', // no zone
          thresholds: { red: 50, yellow: 50, blue: 30 },
          rules: [
            { ...armsRule, action: { lane: 'green' } },
            {
              ...armsRule,
              id: 'bad id',
              criteria: { type: 'all', criteria: [{ type: 'originCountry', countries: ['usa'] }] },
            },
            { ...armsRule, action: { lane: 'red', points: 3 } },
          ],
        }),
      ),
    );
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '$.version',
        '$.effectiveFrom',
        '$.thresholds',
        '$.rules[0].action.lane',
        '$.rules[1].id',
        '$.rules[1].criteria.criteria[0].countries[0]',
        '$.rules[2].action',
      ]),
    );
    expect(problems.find((p) => p.path === '$.effectiveFrom')!.message).toMatch(/zone/);
  });

  it('rejects an unknown criterion type and unknown keys', () => {
    const problems = problemsOf(() =>
      parseRuleset(
        rulesetJson({
          rules: [
            { ...armsRule, criteria: { type: 'colour', values: ['red'] } },
            { ...armsRule, id: 'X2', criteria: { type: 'incoterm', incoterms: ['FOB'], typo: 1 } },
          ],
          extra: true,
        }),
      ),
    );
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['$.rules[0].criteria.type', '$.rules[1].criteria.typo', '$.extra']),
    );
  });

  it('rejects duplicate and reserved rule ids', () => {
    const problems = problemsOf(() =>
      parseRuleset(
        rulesetJson({
          rules: [
            armsRule,
            armsRule,
            { ...armsRule, id: 'RANDOM-RED' },
            { ...armsRule, id: 'WATCHLIST' },
          ],
        }),
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: '$.rules[1].id', message: 'duplicate of $.rules[0].id' },
        expect.objectContaining({
          path: '$.rules[2].id',
          message: expect.stringMatching(/reserved/),
        }),
        expect.objectContaining({
          path: '$.rules[3].id',
          message: expect.stringMatching(/reserved/),
        }),
      ]),
    );
  });

  it('checks random rates: decimal strings, min <= expected, total <= 1', () => {
    const problems = problemsOf(() =>
      parseRuleset(
        rulesetJson({
          randomSelection: {
            red: { minRate: 0.01, expectedRate: '0.03' },
            yellow: { minRate: '0.2', expectedRate: '0.1' },
            blue: { minRate: '0', expectedRate: '1.5' },
          },
        }),
      ),
    );
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        '$.randomSelection.red.minRate',
        '$.randomSelection.yellow.minRate',
        '$.randomSelection.blue.expectedRate',
      ]),
    );
    const over = problemsOf(() =>
      parseRuleset(
        rulesetJson({
          randomSelection: {
            red: { minRate: '0', expectedRate: '0.5' },
            yellow: { minRate: '0', expectedRate: '0.4' },
            blue: { minRate: '0', expectedRate: '0.2' },
          },
        }),
      ),
    );
    expect(over).toEqual([
      { path: '$.randomSelection', message: 'expected rates add up to 1.1, more than 1' },
    ]);
  });

  it('checks value bands, field criteria and hit limits', () => {
    const problems = problemsOf(() =>
      parseRuleset(
        rulesetJson({
          rules: [
            { ...armsRule, id: 'A', criteria: { type: 'valuePerKg', min: '10', max: '5' } },
            { ...armsRule, id: 'B', criteria: { type: 'valuePerKg' } },
            { ...armsRule, id: 'C', criteria: { type: 'field', path: 'a..b', equals: 1, in: [1] } },
            { ...armsRule, id: 'D', maxHitsWithoutSelection: -1 },
            { ...armsRule, id: 'E', criteria: { type: 'not' } },
          ],
        }),
      ),
    );
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        '$.rules[0].criteria.max',
        '$.rules[1].criteria',
        '$.rules[2].criteria.path',
        '$.rules[2].criteria',
        '$.rules[3].maxHitsWithoutSelection',
        '$.rules[4].criteria.criterion',
      ]),
    );
  });

  it('rejects a non-object', () => {
    expect(problemsOf(() => parseRuleset(null))).toEqual([
      { path: '$', message: 'must be an object' },
    ]);
    expect(() => parseRuleset([])).toThrow(/invalid ruleset/);
  });
});

describe('parseTraderRegistry', () => {
  it('accepts a valid registry', () => {
    const r = parseTraderRegistry(
      registryJson({
        traders: [
          {
            id: 'DE000000000000002',
            aeo: 'AEOC',
            complianceScore: 90,
            history: { declarations: 10, irregularities: 0 },
          },
        ],
        watchlist: [{ id: 'XX000000000WATCH', reason: 'test' }],
      }),
    );
    expect(r.traders[0].aeo).toBe('AEOC');
    expect(r.watchlist).toHaveLength(1);
  });

  it('lists every problem with its JSON path', () => {
    const problems = problemsOf(() =>
      parseTraderRegistry(
        registryJson({
          traders: [
            { id: 'DE1', aeo: 'AEO' },
            {
              id: 'DE1',
              aeo: null,
              complianceScore: 101,
              history: { declarations: 1, irregularities: 2 },
            },
          ],
          watchlist: [{ id: 'x', reason: '' }],
        }),
      ),
    );
    expect(problems.map((p) => p.path)).toEqual([
      '$.traders[0].aeo',
      '$.traders[1].id',
      '$.traders[1].complianceScore',
      '$.traders[1].history.irregularities',
      '$.watchlist[0].id',
      '$.watchlist[0].reason',
    ]);
  });
});
