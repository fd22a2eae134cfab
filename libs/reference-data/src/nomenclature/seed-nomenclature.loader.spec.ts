// The contracts' DTO decorators need the metadata polyfill, as in the apps.
import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  FIXTURE_LODGEMENT_DATE,
  buildValidDeclaration,
  parseHsCsv,
  validateDeclaration,
} from '@customs/domain';
import { loadSeedNomenclature, seedDeclarableCodes } from './seed-nomenclature.loader';

const seed = loadSeedNomenclature();
const DATE = '2026-11-28';

describe('seed nomenclature', () => {
  it('has a version and is built once', () => {
    expect(seed.version).toBe('seed-2022.1');
    expect(loadSeedNomenclature()).toBe(seed);
  });

  it('has 150 to 300 HS subheadings over many chapters', () => {
    const entries = seed.entries();
    const subheadings = entries.filter((e) => e.level === 6);
    expect(subheadings.length).toBeGreaterThanOrEqual(150);
    expect(subheadings.length).toBeLessThanOrEqual(300);
    expect(new Set(subheadings.map((e) => e.code.slice(0, 2))).size).toBeGreaterThanOrEqual(30);
  });

  it('covers the common trade, arms and aircraft headings with declarable codes', () => {
    const declarable = seedDeclarableCodes(DATE);
    const headings =
      '0901 0803 2204 2709 3004 6109 6203 6403 8471 8517 8703 9403 9503 8708 3926 7208 2402 2203 9301 9302 9303 9304 9305 9306 8802';
    for (const h of headings.split(' ')) {
      expect([h, declarable.some((c) => c.startsWith(h))]).toEqual([h, true]);
    }
  });

  it('keeps every entry attached to a parent in the seed', () => {
    for (const e of seed.entries()) {
      if (e.parent !== null)
        expect([e.code, seed.find(e.parent) !== undefined]).toEqual([e.code, true]);
      expect(e.section).toMatch(/^[IVX]+$/);
    }
  });

  it('has dated 8- and 10-digit national lines, one of them expired', () => {
    const national = seed.entries().filter((e) => e.level > 6);
    expect(national.some((e) => e.level === 8)).toBe(true);
    expect(national.some((e) => e.level === 10)).toBe(true);
    expect(seed.check('85171300', DATE).status).toBe('expired');
    expect(seed.check('85171300', '2023-06-01').status).toBe('declarable');
  });

  it('lists declarable codes sorted, leaves only, dated', () => {
    const codes = seedDeclarableCodes(DATE);
    expect(codes).toEqual([...codes].sort());
    expect(codes.every((c) => seed.isDeclarable(c, DATE))).toBe(true);
    expect(codes).not.toContain('870380'); // split into national lines
    expect(codes).not.toContain('87038010'); // split again from 2025-01-01
    expect(codes).toContain('8703801010');
    expect(codes).not.toContain('85171300'); // expired
    expect(codes).toContain('851713'); // a leaf again once its extension expired
    expect(codes).not.toContain('090111'); // split from 2024-07-01
    expect(seedDeclarableCodes('2024-06-30')).toContain('090111');
    expect(seedDeclarableCodes('2024-06-30')).toContain('87038010');
    expect(seedDeclarableCodes('2021-12-31')).toEqual([]); // HS 2022 starts 2022-01-01
  });

  it('accepts the sample declaration at its lodgement date', () => {
    const result = validateDeclaration(buildValidDeclaration(), {
      nomenclature: seed,
      lodgementDate: FIXTURE_LODGEMENT_DATE,
    });
    expect(result).toEqual({ ok: true, declaration: expect.anything() });
  });

  it('matches the HS 2022 file line for line where the file is present', () => {
    const file = resolve(__dirname, '../../../../../shared/data/hs2022/harmonized-system.csv');
    if (!existsSync(file)) {
      console.log(`skipped: ${file} is absent`);
      return;
    }
    const hs = new Map(parseHsCsv(readFileSync(file, 'utf8')).map((e) => [e.code, e]));
    for (const e of seed.entries().filter((x) => x.level <= 6)) {
      const real = hs.get(e.code);
      expect({ code: e.code, description: real?.description, parent: real?.parent }).toEqual({
        code: e.code,
        description: e.description,
        parent: e.parent,
      });
    }
    // Every subheading of a seeded heading is in the seed (no partial headings).
    const byParent = new Map<string, string[]>();
    for (const x of hs.values()) {
      if (x.parent !== null) byParent.set(x.parent, [...(byParent.get(x.parent) ?? []), x.code]);
    }
    for (const e of seed.entries().filter((x) => x.level === 4)) {
      expect(seed.children(e.code).map((c) => c.code)).toEqual(byParent.get(e.code));
    }
  });
});
