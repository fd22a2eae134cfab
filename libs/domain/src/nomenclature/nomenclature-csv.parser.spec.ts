import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseHsCsv, parseNationalExtensionsCsv } from './nomenclature-csv.parser';
import { NomenclatureParseError } from './nomenclature.errors';
import { Nomenclature } from './nomenclature.model';

// Rows copied from the HS 2022 file (datasets/harmonized-system 2022.0), with its BOM,
// quoted descriptions, the TOTAL root and UN Comtrade's chapter 99.
const HS_SAMPLE = [
  '\ufeffsection,hscode,description,parent,level',
  'I,01,Animals; live,TOTAL,2',
  'I,0101,"Horses, asses, mules and hinnies; live",01,4',
  'I,010121,"Horses; live, pure-bred breeding animals",0101,6',
  'I,010129,"Horses; live, other than pure-bred breeding animals",0101,6',
  'TOTAL,99,Commodities not specified according to kind,TOTAL,2',
  'TOTAL,9999,Commodities not specified according to kind,99,4',
  'TOTAL,999999,Commodities not specified according to kind,9999,6',
  'TOTAL,TOTAL,Total of all HS2022 commodities,TOTAL,5',
  '',
].join('\n');

function parseError(fn: () => unknown): NomenclatureParseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof NomenclatureParseError) return err;
    throw err;
  }
  throw new Error('expected a NomenclatureParseError');
}

describe('parseHsCsv', () => {
  it('reads entries, drops the TOTAL root and the chapter 99 residual', () => {
    const entries = parseHsCsv(HS_SAMPLE);
    expect(entries.map((e) => e.code)).toEqual(['01', '0101', '010121', '010129']);
    expect(entries[0]).toEqual({
      code: '01',
      description: 'Animals; live',
      parent: null,
      level: 2,
      section: 'I',
      validFrom: null,
      validTo: null,
    });
    expect(entries[1].description).toBe('Horses, asses, mules and hinnies; live');
    expect(entries[2].parent).toBe('0101');
  });

  it('keeps chapter 99 on request and applies the validity given', () => {
    const entries = parseHsCsv(HS_SAMPLE, { includeUnspecified: true, validFrom: '2022-01-01' });
    expect(entries.map((e) => e.code)).toContain('999999');
    expect(entries.find((e) => e.code === '999999')?.section).toBeNull();
    expect(entries.every((e) => e.validFrom === '2022-01-01' && e.validTo === null)).toBe(true);
  });

  it('accepts CRLF line ends', () => {
    expect(parseHsCsv(HS_SAMPLE.replace(/\n/g, '\r\n'))).toHaveLength(4);
  });

  it('refuses a wrong header on line 1', () => {
    const err = parseError(() =>
      parseHsCsv('section,code,description,parent,level\nI,01,x,TOTAL,2\n'),
    );
    expect(err.line).toBe(1);
    expect(err.problem).toContain("expected 'section,hscode,description,parent,level'");
  });

  it('refuses an empty file', () => {
    expect(parseError(() => parseHsCsv('')).line).toBe(1);
  });

  it('names the line of a bad row, counting lines inside quoted fields', () => {
    const text = [
      'section,hscode,description,parent,level',
      'I,01,"Animals;',
      'live",TOTAL,2', // one record over lines 2-3
      'I,0101,Horses,01,4',
      'I,01012,Horses bad,0101,6', // line 5: 5 digits
    ].join('\n');
    const err = parseError(() => parseHsCsv(text));
    expect(err.line).toBe(5);
    expect(err.problem).toBe("hscode '01012' must have 2, 4 or 6 digits");
    expect(err.message).toContain('line 5');
  });

  it('reports every bad row at once', () => {
    const text = [
      'section,hscode,description,parent,level',
      'I,01,Animals,TOTAL,2',
      'I,0101,Horses,01,6', // level
      'I,010121,Horses,0102,6', // parent
      'XXV,010129,Horses,0101,6', // section
      'I,010130,,0101,6', // description
      'I,01,Animals again,TOTAL,2', // duplicate
    ].join('\n');
    const err = parseError(() => parseHsCsv(text));
    expect(err.problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7]);
    expect(err.problems[0].problem).toContain("level '6'");
    expect(err.problems[1].problem).toContain("should be '0101'");
    expect(err.problems[2].problem).toContain('not an HS section');
    expect(err.problems[3].problem).toContain('description');
    expect(err.problems[4].problem).toContain('first on line 2');
  });

  it('names the line of a malformed CSV record', () => {
    const short = parseError(() => parseHsCsv('section,hscode,description,parent,level\nI,01,x\n'));
    expect(short.line).toBe(2);
    const open = parseError(() =>
      parseHsCsv('section,hscode,description,parent,level\nI,01,"x,TOTAL,2\n'),
    );
    expect(open.line).toBeGreaterThanOrEqual(2);
  });

  it('imports the full HS 2022 file well under a second', () => {
    // shared/ sits beside the repository; a fresh clone may not have it.
    const file = resolve(__dirname, '../../../../../shared/data/hs2022/harmonized-system.csv');
    if (!existsSync(file)) {
      console.log(`skipped: ${file} is absent`);
      return;
    }
    const text = readFileSync(file, 'utf8');
    const started = process.hrtime.bigint();
    const nomenclature = new Nomenclature(
      'hs-2022.0',
      parseHsCsv(text, { validFrom: '2022-01-01' }),
    );
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`HS 2022: ${nomenclature.size} entries parsed and indexed in ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1000);
    // README: 97 chapters, 1,229 headings, 5,613 subheadings, plus the TOTAL root; chapter
    // 99 (1 of each level) is dropped.
    const byLevel = (l: number) => nomenclature.entries().filter((e) => e.level === l).length;
    expect([byLevel(2), byLevel(4), byLevel(6)]).toEqual([96, 1228, 5612]);
    expect(nomenclature.isDeclarable('090111', '2026-11-28')).toBe(true);
    expect(nomenclature.isDeclarable('0901', '2026-11-28')).toBe(false);
    expect(nomenclature.isDeclarable('999999', '2026-11-28')).toBe(false);
    expect(nomenclature.isDeclarable('090111', '2021-12-31')).toBe(false);
    // Every subheading is a leaf of the HS: all 5,612 are declarable.
    expect(nomenclature.declarableCodes('2026-11-28')).toHaveLength(5612);
  });
});

const NATIONAL_SAMPLE = [
  'code,description,parent,validFrom,validTo',
  '87038010,"Electric cars, new",870380,2022-01-01,',
  '87038090,"Electric cars, used",870380,2022-01-01,',
  '8703801010,New electric cars: battery of 60 kWh or more,87038010,2025-01-01,',
  '85171300,Smartphones (withdrawn),851713,2022-01-01,2023-12-31',
  '0901110010,Arabica,090111,,',
].join('\n');

describe('parseNationalExtensionsCsv', () => {
  it('reads 8- and 10-digit lines with open or closed validity', () => {
    const entries = parseNationalExtensionsCsv(NATIONAL_SAMPLE);
    expect(entries.map((e) => [e.code, e.level, e.parent])).toEqual([
      ['87038010', 8, '870380'],
      ['87038090', 8, '870380'],
      ['8703801010', 10, '87038010'],
      ['85171300', 8, '851713'],
      ['0901110010', 10, '090111'],
    ]);
    expect(entries[0].description).toBe('Electric cars, new');
    expect(entries[3]).toMatchObject({ validFrom: '2022-01-01', validTo: '2023-12-31' });
    expect(entries[4]).toMatchObject({ validFrom: null, validTo: null, section: null });
  });

  it('refuses a wrong header on line 1', () => {
    const err = parseError(() => parseNationalExtensionsCsv('code,description,parent,from,to\n'));
    expect(err.line).toBe(1);
  });

  it.each([
    ['870380,HS code,8703,2022-01-01,', 'must have 8 or 10 digits'],
    ['87038010,Cars,870390,2022-01-01,', "should be '870380'"],
    ['8703801010,Cars,870380101,2022-01-01,', "should be '87038010' or '870380'"],
    ['87038010,Cars,870380,2022-02-30,', "validFrom '2022-02-30'"],
    ['87038010,Cars,870380,2022-01-01,31/12/2023', "validTo '31/12/2023'"],
    ['87038010,Cars,870380,2024-01-01,2023-12-31', 'before validFrom'],
    ['87038010,,870380,2024-01-01,', 'description'],
  ])('names line 3 for %s', (row, problem) => {
    const text = `code,description,parent,validFrom,validTo\n87038090,Used cars,870380,,\n${row}\n`;
    const err = parseError(() => parseNationalExtensionsCsv(text));
    expect(err.line).toBe(3);
    expect(err.problem).toContain(problem);
  });

  it('refuses a duplicate code', () => {
    const text = `code,description,parent,validFrom,validTo\n87038090,A,870380,,\n87038090,B,870380,,\n`;
    expect(parseError(() => parseNationalExtensionsCsv(text)).problem).toContain('duplicate');
  });

  it('combines with the HS entries into one nomenclature', () => {
    const hs = parseHsCsv(
      'section,hscode,description,parent,level\nXVII,87,Vehicles,TOTAL,2\nXVII,8703,Cars,87,4\nXVII,870380,Electric cars,8703,6\n',
    );
    const nom = new Nomenclature('hs+national', [
      ...hs,
      ...parseNationalExtensionsCsv(NATIONAL_SAMPLE).filter((e) => e.code.startsWith('8703')),
    ]);
    expect(nom.isDeclarable('870380', '2026-11-28')).toBe(false);
    expect(nom.isDeclarable('87038090', '2026-11-28')).toBe(true);
    expect(nom.find('87038090')?.section).toBe('XVII');
  });
});
