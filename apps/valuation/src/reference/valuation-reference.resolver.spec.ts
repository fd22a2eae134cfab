import { ReferenceVersion, ReferenceVersionRepository } from '@customs/persistence';
import { contentSha256 } from '@customs/platform';
import { loadSeedValuationReferenceData } from '@customs/reference-data';
import { valuationImporter } from './valuation-importer.factory';
import { ValuationReferenceResolver } from './valuation-reference.resolver';

/** The repository contract in memory: what the resolver sees of the store. */
class MemoryVersions extends ReferenceVersionRepository {
  readonly items: ReferenceVersion[] = [];
  lists = 0;
  async save<T>(v: ReferenceVersion<T>): Promise<'created'> {
    this.items.push(v as ReferenceVersion);
    return 'created';
  }
  async get<T>(kind: string, version: string): Promise<ReferenceVersion<T> | null> {
    return (this.items.find((v) => v.kind === kind && v.version === version) ??
      null) as ReferenceVersion<T> | null;
  }
  async list<T>(kind: string): Promise<ReferenceVersion<T>[]> {
    this.lists++;
    return this.items
      .filter((v) => v.kind === kind)
      .sort(
        (a, b) => Date.parse(a.effectiveFrom) - Date.parse(b.effectiveFrom),
      ) as ReferenceVersion<T>[];
  }
}

const seed = loadSeedValuationReferenceData();

function stored(
  kind: string,
  content: unknown,
  version: string,
  effectiveFrom: string,
  importedAt = '2026-01-01T00:00:00.000Z',
): ReferenceVersion {
  return {
    kind,
    version,
    effectiveFrom,
    importedAt,
    sha256: contentSha256(content),
    source: 'test.json',
    content,
  };
}

function usdRates(version: string, rate: string) {
  return {
    ...seed.exchangeRates,
    version,
    rates: [
      ...seed.exchangeRates.rates.filter((r) => r.currency !== 'USD'),
      { currency: 'USD', rate, validFrom: '2026-01-01' },
    ],
  };
}

describe('ValuationReferenceResolver', () => {
  it('uses the seed alone when nothing is imported, and records the seed versions', async () => {
    const bundle = await new ValuationReferenceResolver(null).at('2026-03-10T10:00:00Z');
    expect(bundle.data).toEqual(seed);
    expect(bundle.parts.tariff).toMatchObject({ seed: true, version: seed.tariff.version });
  });

  it('picks, part by part, the version whose effective date is the latest not after acceptance', async () => {
    const repo = new MemoryVersions();
    repo.items.push(
      stored('exchange-rates', usdRates('EXR-A', '0.9'), 'EXR-A', '2026-03-01T00:00:00.000Z'),
      stored('exchange-rates', usdRates('EXR-B', '0.8'), 'EXR-B', '2026-04-01T00:00:00.000Z'),
      stored(
        'vat',
        { ...seed.vat, version: 'VAT-X', standardRate: '19' },
        'VAT-X',
        '2026-03-15T00:00:00.000Z',
      ),
    );
    const resolver = new ValuationReferenceResolver(repo);
    const feb = await resolver.at('2026-02-28T23:59:59.999Z');
    expect(feb.data.exchangeRates.version).toBe(seed.exchangeRates.version);
    const mar = await resolver.at('2026-03-01T00:00:00.000Z');
    expect(mar.data.exchangeRates.version).toBe('EXR-A');
    expect(mar.data.vat.version).toBe(seed.vat.version);
    const late = await resolver.at('2026-05-01T00:00:00.000Z');
    expect(late.data.exchangeRates.version).toBe('EXR-B');
    expect(late.data.vat).toMatchObject({ version: 'VAT-X', standardRate: '19' });
    expect(late.data.tariff).toBe(seed.tariff);
    // Same versions, same bundle object: the hot path assembles nothing.
    expect(await resolver.at('2026-06-01T00:00:00.000Z')).toBe(late);
  });

  it('prefers the later import among versions effective at the same instant', async () => {
    const repo = new MemoryVersions();
    const at = '2026-03-01T00:00:00.000Z';
    repo.items.push(
      stored(
        'exchange-rates',
        usdRates('EXR-NEW', '0.7'),
        'EXR-NEW',
        at,
        '2026-02-20T00:00:00.000Z',
      ),
      stored(
        'exchange-rates',
        usdRates('EXR-OLD', '0.9'),
        'EXR-OLD',
        at,
        '2026-02-10T00:00:00.000Z',
      ),
    );
    const bundle = await new ValuationReferenceResolver(repo).at('2026-03-02T00:00:00Z');
    expect(bundle.data.exchangeRates.version).toBe('EXR-NEW');
  });

  it('ignores and reports a stored version that does not parse, keeping the one before', async () => {
    const repo = new MemoryVersions();
    repo.items.push(
      stored(
        'tariff',
        { version: 'BROKEN', measures: [{ id: 'x' }] },
        'BROKEN',
        '2026-01-01T00:00:00.000Z',
      ),
    );
    const problems: string[] = [];
    const resolver = new ValuationReferenceResolver(repo, { onProblem: (m) => problems.push(m) });
    const bundle = await resolver.at('2026-03-01T00:00:00Z');
    expect(bundle.data.tariff.version).toBe(seed.tariff.version);
    await resolver.at('2026-03-02T00:00:00Z');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/tariff version BROKEN.*\$\.measures\[0\]\.codePrefix/);
  });

  it('reads the store at most once per refresh interval', async () => {
    const repo = new MemoryVersions();
    const resolver = new ValuationReferenceResolver(repo, { refreshMs: 60_000 });
    for (let i = 0; i < 50; i++) await resolver.at('2026-03-01T00:00:00Z');
    expect(repo.lists).toBe(6);
    resolver.invalidate();
    await resolver.at('2026-03-01T00:00:00Z');
    expect(repo.lists).toBe(12);
  });

  it('finds the data of recorded versions again, for a replay', async () => {
    const repo = new MemoryVersions();
    repo.items.push(
      stored('exchange-rates', usdRates('EXR-A', '0.9'), 'EXR-A', '2026-03-01T00:00:00.000Z'),
    );
    const resolver = new ValuationReferenceResolver(repo);
    const recorded = (await resolver.at('2026-03-05T00:00:00Z')).data;
    const again = await resolver.forVersions({
      tariff: seed.tariff.version,
      exchangeRates: 'EXR-A',
    });
    expect(again).toEqual(recorded);
    expect(await resolver.forVersions({ tariff: 'NO-SUCH' })).toBeUndefined();
  });

  it('refuses an acceptance instant that is not one', async () => {
    await expect(new ValuationReferenceResolver(null).at('yesterday')).rejects.toThrow(
      /INVALID_INPUT at acceptedAt/,
    );
  });
});

describe('valuation importers', () => {
  const tariff = valuationImporter('tariff');
  const rates = valuationImporter('exchangeRates');

  it('takes version and effective date from the file, the flags overriding them', () => {
    const text = JSON.stringify({
      ...usdRates('EXR-FILE', '0.9'),
      effectiveFrom: '2026-02-01T06:00:00Z',
    });
    const fromFile = rates.parse(text, 'r.json', {});
    expect(fromFile).toMatchObject({
      version: 'EXR-FILE',
      effectiveFrom: '2026-02-01T06:00:00.000Z',
    });
    const flagged = rates.parse(text, 'r.json', {
      version: 'EXR-FLAG',
      effectiveFrom: '2026-05-01T00:00:00Z',
    });
    expect(flagged.version).toBe('EXR-FLAG');
    expect((flagged.content as { version: string }).version).toBe('EXR-FLAG');
    expect(flagged.effectiveFrom).toBe('2026-05-01T00:00:00.000Z');
    expect(flagged.summary).toMatch(/rates into EUR/);
  });

  it('defaults the effective date to the first day the entries are valid', () => {
    const monthly = {
      version: 'EXR-2026-08',
      nationalCurrency: 'EUR',
      rates: [
        { currency: 'USD', rate: '0.9', validFrom: '2026-08-01', validTo: '2026-08-31' },
        { currency: 'GBP', rate: '1.2', validFrom: '2026-08-01', validTo: '2026-08-31' },
      ],
    };
    const parsed = rates.parse(JSON.stringify(monthly), 'm.json', {});
    expect(parsed.effectiveFrom).toBe('2026-08-01T00:00:00.000Z');
    expect(parsed.summary).toMatch(
      /2 rates into EUR for 2 currencies, entries valid 2026-08-01 to 2026-08-31/,
    );
  });

  it('names every problem of a bad file by its JSON path', () => {
    const bad = {
      version: 'T-BAD',
      measures: [
        seed.tariff.measures[0],
        { ...seed.tariff.measures[1], id: 'X1', dutyExpression: '12 % + EUR' },
        { ...seed.tariff.measures[2], id: 'X2', codePrefix: '123' },
      ],
    };
    expect(() => tariff.parse(JSON.stringify(bad), 'bad.json', {})).toThrow(
      /bad\.json is not a valid tariff file \(2 problems\):\n {2}\$\.measures\[1\]\.dutyExpression: .*\n {2}\$\.measures\[2\]\.codePrefix: /,
    );
    expect(() => tariff.parse('{"version": ', 'x.json', {})).toThrow(
      /x\.json .*\n {2}\$: not JSON/,
    );
    expect(() => tariff.parse(JSON.stringify({ measures: [] }), 'x.json', {})).toThrow(
      /\$\.version: missing/,
    );
  });

  it('refuses rates in another currency than the national one, and a changed seed version', () => {
    const usd = { ...usdRates('EXR-USD', '1'), nationalCurrency: 'USD' };
    expect(() => rates.parse(JSON.stringify(usd), 'u.json', {})).toThrow(
      /\$\.nationalCurrency: USD, but the national currency is EUR/,
    );
    const changed = usdRates(seed.exchangeRates.version, '0.5');
    expect(() => rates.parse(JSON.stringify(changed), 's.json', {})).toThrow(
      /\$\.version: EXR-SEED.* is the shipped seed's version with another content/,
    );
    // The seed file itself imports as the same version (and content).
    expect(rates.parse(JSON.stringify(seed.exchangeRates), 's.json', {}).version).toBe(
      seed.exchangeRates.version,
    );
  });
});
