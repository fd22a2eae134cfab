import { loadSeedRuleset, loadSeedTraderRegistry } from '@customs/reference-data';
import { importer as rules } from './risk-rules.importer';
import { importer as traders } from './trader-registry.importer';

const future = (s: number) => new Date(Date.now() + s * 1000).toISOString();

function rulesetText(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...loadSeedRuleset(), version: 'file-1', ...overrides }, null, 2);
}

describe('reference import risk-rules', () => {
  it('reads the version and effective date from the file; flags override them in the stored content', () => {
    const at = future(3600);
    const parsed = rules.parse(rulesetText({ effectiveFrom: at }), 'r.json', {});
    expect(parsed).toMatchObject({ version: 'file-1', effectiveFrom: at });
    expect(parsed.summary).toMatch(/rule\(s\), expected rates red 0.03/);
    const later = future(7200);
    const overridden = rules.parse(rulesetText({ effectiveFrom: at }), 'r.json', {
      version: 'cli-2',
      effectiveFrom: later,
    });
    expect(overridden).toMatchObject({ version: 'cli-2', effectiveFrom: later });
    expect(overridden.content).toMatchObject({ version: 'cli-2', effectiveFrom: later });
  });

  it('names every problem by JSON path', () => {
    const text = rulesetText({
      effectiveFrom: future(3600),
      seed: '',
      rules: [{ id: 'R1', description: 'x', criteria: { type: 'originCountry' }, action: {} }],
    });
    expect(() => rules.parse(text, 'bad.json', {})).toThrow(
      /bad\.json: invalid ruleset, 3 problem\(s\):\n {2}\$\.seed: .*\n {2}\$\.rules\[0\]\.criteria\.countries: .*\n {2}\$\.rules\[0\]\.action: /,
    );
  });

  it('points at the line of a JSON syntax error', () => {
    expect(() => rules.parse('{\n  "version": "x",\n  oops\n}', 'broken.json', {})).toThrow(
      /broken\.json: not valid JSON \(line 3, column 3\)/,
    );
    expect(() => rules.parse('[]', 'list.json', {})).toThrow(/list\.json: \$: must be an object/);
  });

  it('refuses an effective date in the past or under 5 s ahead: past decisions never change', () => {
    expect(() =>
      rules.parse(rulesetText({ effectiveFrom: '2026-01-01T00:00:00Z' }), 'old.json', {}),
    ).toThrow(/\$\.effectiveFrom 2026-01-01T00:00:00Z must be at least 5 s after now/);
    expect(() =>
      rules.parse(rulesetText({ effectiveFrom: future(3600) }), 'r.json', {
        effectiveFrom: future(1),
      }),
    ).toThrow(/must be at least 5 s after now/);
  });

  it('reads YAML files, keeping dates and decimal strings as text', () => {
    const at = future(3600);
    const yaml = [
      'version: yaml-1',
      `effectiveFrom: ${at}`,
      'seed: some-seed',
      'thresholds: { red: 80, yellow: 50, blue: 30 }',
      'randomSelection:',
      '  red: { minRate: "0.01", expectedRate: "0.02" }',
      '  yellow: { minRate: "0", expectedRate: "0.05" }',
      '  blue: { minRate: "0", expectedRate: "0" }',
      'aeo:',
      '  AEOC: { randomRateFactor: "0.5", pointsReduction: 10 }',
      '  AEOS: { randomRateFactor: "1", pointsReduction: 0 }',
      '  AEOF: { randomRateFactor: "0.5", pointsReduction: 10 }',
      'compliance: { scoreBands: [], irregularityRateBands: [], minDeclarations: 20 }',
      'rules:',
      '  - id: KNOWN',
      '    description: Known declarant',
      '    criteria: { type: declarantId, ids: [NL555555555] }',
      '    action: { lane: red }',
    ].join('\n');
    const parsed = rules.parse(yaml, 'rules.yaml', {});
    expect(parsed).toMatchObject({ version: 'yaml-1', effectiveFrom: at });
    expect(parsed.content).toMatchObject({ rules: [{ id: 'KNOWN', action: { lane: 'red' } }] });
    expect(() => rules.parse('version: [', 'bad.yml', {})).toThrow(/bad\.yml: not valid YAML/);
    // Unquoted decimals read as numbers and are refused by path, not silently rounded.
    expect(() =>
      rules.parse(yaml.replace('minRate: "0.01"', 'minRate: 0.01'), 'rules.yaml', {}),
    ).toThrow(/\$\.randomSelection\.red\.minRate: must be a non-empty string/);
  });
});

describe('reference import trader-registry', () => {
  it('reads a registry and summarises it', () => {
    const text = JSON.stringify({
      ...loadSeedTraderRegistry(),
      version: 'traders-2',
      effectiveFrom: future(600),
    });
    const parsed = traders.parse(text, 't.json', {});
    expect(parsed.version).toBe('traders-2');
    expect(parsed.summary).toMatch(/^\d+ trader\(s\) \(\d+ AEO\), 1 watchlisted$/);
  });

  it('names problems by JSON path', () => {
    const text = JSON.stringify({
      version: 't',
      effectiveFrom: future(600),
      traders: [{ id: 'bad id', aeo: 'AEOX' }],
      watchlist: [{ id: 'NL1' }],
    });
    expect(() => traders.parse(text, 't.json', {})).toThrow(
      /invalid trader-registry.*\n {2}\$\.traders\[0\]\.id: .*\n {2}\$\.traders\[0\]\.aeo: .*\n {2}\$\.watchlist\[0\]\.reason: /,
    );
  });
});
