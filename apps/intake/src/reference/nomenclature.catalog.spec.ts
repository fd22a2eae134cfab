import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ReferenceVersion,
  ReferenceVersionRepository,
  SaveReferenceResult,
} from '@customs/persistence';
import { loadSeedNomenclature } from '@customs/reference-data';
import { importer } from '../../../cli/src/reference/nomenclature.importer';
import { NomenclatureCatalog } from './nomenclature.catalog';

/** The store's contract in memory: the catalog's logic is what is under test here. */
class MemoryVersions extends ReferenceVersionRepository {
  readonly versions: ReferenceVersion[] = [];
  async save<T>(v: ReferenceVersion<T>): Promise<SaveReferenceResult> {
    this.versions.push(v as ReferenceVersion);
    return 'created';
  }
  async get<T>(kind: string, version: string): Promise<ReferenceVersion<T> | null> {
    return (this.versions.find((v) => v.kind === kind && v.version === version) ??
      null) as ReferenceVersion<T> | null;
  }
  async list<T>(kind: string): Promise<ReferenceVersion<T>[]> {
    return this.versions.filter((v) => v.kind === kind) as ReferenceVersion<T>[];
  }
}

const HS = [
  'section,hscode,description,parent,level',
  'XVII,87,Vehicles,TOTAL,2',
  'XVII,8703,Cars,87,4',
  'XVII,870380,Electric cars,8703,6',
  'XVII,870390,Other cars,8703,6',
].join('\n');
const NATIONAL = [
  'code,description,parent,validFrom,validTo',
  '87038050,"Electric cars, refurbished",870380,2026-01-01,',
].join('\n');

function store(
  repo: MemoryVersions,
  text: string,
  version: string | undefined,
  at: string,
  importedAt: string,
) {
  const parsed = importer.parse(text, 'test.csv', { version, effectiveFrom: at });
  void repo.save({
    kind: 'nomenclature',
    version: parsed.version,
    effectiveFrom: new Date(parsed.effectiveFrom).toISOString(),
    importedAt,
    sha256: `${parsed.version}-sha`,
    source: 'test.csv',
    content: parsed.content,
  });
  return parsed;
}

describe('nomenclature importer', () => {
  it('tells HS from national files by header and requires --version for HS', () => {
    expect(() => importer.parse(HS, 'hs.csv', {})).toThrow(/--version is required/);
    const hs = importer.parse(HS, 'hs.csv', { version: 'hs-t1' });
    expect(hs.content).toMatchObject({ format: 'hs' });
    expect(hs.summary).toContain('4 entries');
    const nat = importer.parse(NATIONAL, 'nat.csv', {});
    expect(nat.content).toMatchObject({ format: 'national-extensions' });
    expect(nat.version).toMatch(/^national-[0-9a-f]{12}$/);
    expect(nat.effectiveFrom).toBe('2026-01-01T00:00:00.000Z');
  });

  it('names the problem of a bad file', () => {
    expect(() => importer.parse('a,b,c\n1,2,3\n', 'x.csv', { version: 'v' })).toThrow(
      /x\.csv line 1: header is 'a,b,c'/,
    );
    expect(() =>
      importer.parse(`${HS}\nXVII,87031,Bad,8703,6\n`, 'x.csv', { version: 'v' }),
    ).toThrow(/line 6/);
  });

  it('parses the full HS 2022 file in well under a few seconds where it is present', () => {
    const file = resolve(__dirname, '../../../../../shared/data/hs2022/harmonized-system.csv');
    if (!existsSync(file)) return;
    const started = Date.now();
    const parsed = importer.parse(readFileSync(file, 'utf8'), file, { version: 'hs-2022.0' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect((parsed.content as { entries: unknown[] }).entries).toHaveLength(96 + 1228 + 5612);
  });
});

describe('NomenclatureCatalog', () => {
  const seed = loadSeedNomenclature();

  it('uses the seed until a version is in force', async () => {
    const repo = new MemoryVersions();
    store(repo, HS, 'hs-t1', '2030-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
    const catalog = new NomenclatureCatalog(repo);
    expect((await catalog.at('2029-12-31T23:59:59Z')).version).toBe(seed.version);
    const hs = await catalog.at('2030-01-01T00:00:00Z');
    expect(hs.version).toBe('hs-t1');
    expect(hs.isDeclarable('870390', '2030-01-01')).toBe(true);
  });

  it('picks the latest effectiveFrom at or before the instant, the later import on a tie', async () => {
    const repo = new MemoryVersions();
    store(repo, HS, 'hs-a', '2030-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
    store(repo, HS, 'hs-b', '2031-01-01T00:00:00Z', '2026-01-02T00:00:00Z');
    store(repo, HS, 'hs-c', '2031-01-01T00:00:00Z', '2026-01-03T00:00:00Z');
    const catalog = new NomenclatureCatalog(repo);
    expect((await catalog.at('2030-06-01T00:00:00Z')).version).toBe('hs-a');
    expect((await catalog.at('2031-06-01T00:00:00Z')).version).toBe('hs-c');
  });

  it('lays national extensions over the version in force at their start, imported before them', async () => {
    const repo = new MemoryVersions();
    store(repo, NATIONAL, 'nat-1', '2030-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
    store(repo, HS, 'hs-later', '2030-01-01T00:00:00Z', '2026-02-01T00:00:00Z');
    const catalog = new NomenclatureCatalog(repo);
    // The extension was imported when only the seed existed: it extends the seed.
    const onSeed = await catalog.at('2029-06-01T00:00:00Z');
    expect(onSeed.version).toBe(seed.version);
    expect(onSeed.check('87038050', '2029-06-01').status).toBe('unknown');
    // hs-later has the same effectiveFrom and a later import: it wins.
    expect((await catalog.at('2030-01-02T00:00:00Z')).version).toBe('hs-later');

    const repo2 = new MemoryVersions();
    store(repo2, NATIONAL, 'nat-1', '2030-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
    const composed = await new NomenclatureCatalog(repo2).at('2030-01-02T00:00:00Z');
    expect(composed.version).toBe(`${seed.version}+nat-1`);
    expect(composed.isDeclarable('87038050', '2030-01-02')).toBe(true);
    // Every seed line keeps its status.
    expect(composed.isDeclarable('8703801010', '2030-01-02')).toBe(true);
    expect(composed.size).toBe(seed.size + 1);
  });

  it('never applies a stored version it cannot build', async () => {
    const repo = new MemoryVersions();
    await repo.save({
      kind: 'nomenclature',
      version: 'broken',
      effectiveFrom: '2030-01-01T00:00:00.000Z',
      importedAt: '2026-01-01T00:00:00Z',
      sha256: 'x',
      source: 'x',
      content: { format: 'hs', entries: [{ code: '1' }] },
    });
    expect((await new NomenclatureCatalog(repo).at('2030-06-01T00:00:00Z')).version).toBe(
      seed.version,
    );
  });
});
