import { InvalidIsoDateError, NomenclatureError } from './nomenclature.errors';
import { Nomenclature, NomenclatureEntry, NomenclatureLevel } from './nomenclature.model';
import { isIsoDate } from './iso-date.util';

function e(
  code: string,
  validFrom: string | null = null,
  validTo: string | null = null,
  parent: string | null = code.length === 2 ? null : code.slice(0, code.length - 2),
): NomenclatureEntry {
  return {
    code,
    description: `line ${code}`,
    parent,
    level: code.length as NomenclatureLevel,
    section: code.length <= 6 ? 'XVII' : null,
    validFrom,
    validTo,
  };
}

// Shaped like the seed: HS 2022 codes (870380 electric cars, 851713 smartphones are real
// HS 2022 subheadings); the national lines are illustrative.
const ENTRIES: NomenclatureEntry[] = [
  e('87'),
  e('8703'),
  e('870380', '2022-01-01'),
  e('870390', '2022-01-01'),
  e('87038010', '2022-01-01'),
  e('87038090', '2022-01-01'),
  e('8703801010', '2025-01-01'),
  e('8703801090', '2025-01-01'),
  e('85'),
  e('8517'),
  e('851713', '2022-01-01'),
  e('85171300', '2022-01-01', '2023-12-31'),
  e('851714', '2022-01-01'),
  e('85171410', '2022-01-01', '2023-12-31'),
  e('8517141010', '2022-01-01'),
  // A national line whose HS subheading is not in this version.
  e('12345678', '2022-01-01', null, '123456'),
];

const nom = new Nomenclature('test-1', ENTRIES);

describe('Nomenclature', () => {
  it('keeps its version and size', () => {
    expect(nom.version).toBe('test-1');
    expect(nom.size).toBe(ENTRIES.length);
  });

  it('finds entries and gives national lines the section of their subheading', () => {
    expect(nom.find('87038010')?.section).toBe('XVII');
    expect(nom.find('870380')?.parent).toBe('8703');
    expect(nom.find('999999')).toBeUndefined();
  });

  it('is immutable: entries and the instance are frozen', () => {
    const entry = nom.find('870380')!;
    expect(() => {
      (entry as { description: string }).description = 'changed';
    }).toThrow(TypeError);
    expect(Object.isFrozen(nom)).toBe(true);
    // Changing the input array afterwards does not change the nomenclature.
    const input = [e('01'), e('0101'), e('010121')];
    const n = new Nomenclature('v', input);
    input.push(e('0102'));
    expect(n.size).toBe(3);
  });

  it('lists children sorted, filtered by date when one is given', () => {
    expect(nom.children('87038010').map((c) => c.code)).toEqual(['8703801010', '8703801090']);
    expect(nom.children('87038010', '2024-12-31')).toEqual([]);
    expect(nom.children('87038010', '2025-01-01').map((c) => c.code)).toEqual([
      '8703801010',
      '8703801090',
    ]);
    expect(nom.children('8703').map((c) => c.code)).toEqual(['870380', '870390']);
  });

  describe('isDeclarable / check', () => {
    it.each([
      // [code, date, status]
      ['870390', '2026-11-28', 'declarable'], // HS leaf, no extension
      ['870380', '2026-11-28', 'not-a-leaf'], // has valid national extensions
      ['870380', '2021-12-31', 'not-yet-valid'],
      ['87038090', '2026-11-28', 'declarable'], // 8-digit leaf
      ['87038010', '2024-12-31', 'declarable'], // leaf until its 10-digit split starts
      ['87038010', '2025-01-01', 'not-a-leaf'],
      ['8703801010', '2025-01-01', 'declarable'], // validFrom inclusive
      ['8703801010', '2024-12-31', 'not-yet-valid'],
      ['85171300', '2023-12-31', 'declarable'], // validTo inclusive
      ['85171300', '2024-01-01', 'expired'],
      ['851713', '2023-06-01', 'not-a-leaf'],
      ['851713', '2024-01-01', 'declarable'], // its only extension has expired
      ['8517141010', '2023-06-01', 'declarable'],
      ['8517141010', '2024-06-01', 'parent-missing'], // its 8-digit parent expired
      ['851714', '2024-06-01', 'declarable'],
      ['12345678', '2026-11-28', 'parent-missing'], // no HS subheading 123456
      ['999999', '2026-11-28', 'unknown'],
      ['8703', '2026-11-28', 'not-a-leaf'],
      ['87', '2026-11-28', 'not-a-leaf'],
    ])('%s at %s is %s', (code, date, status) => {
      expect(nom.check(code, date).status).toBe(status);
      expect(nom.isDeclarable(code, date)).toBe(status === 'declarable');
    });

    it('names the valid children of a code that is not a leaf', () => {
      expect(nom.check('870380', '2026-11-28').validChildren).toEqual(['87038010', '87038090']);
    });

    it('refuses a date that is not YYYY-MM-DD', () => {
      expect(() => nom.isDeclarable('870390', '2026-02-30')).toThrow(InvalidIsoDateError);
      expect(() => nom.isDeclarable('870390', '28/11/2026')).toThrow(InvalidIsoDateError);
    });
  });

  it('lists declarable codes at a date, in string order', () => {
    expect(nom.declarableCodes('2026-11-28')).toEqual([
      '851713',
      '851714',
      '8703801010',
      '8703801090',
      '87038090',
      '870390',
    ]);
    expect(nom.declarableCodes('2023-06-01')).toEqual([
      '85171300',
      '8517141010',
      '87038010',
      '87038090',
      '870390',
    ]);
  });

  describe('construction', () => {
    it.each([
      ['a duplicate code', [e('01'), e('01')], 'duplicate code'],
      ['a 3-digit code', [{ ...e('010'), level: 2 as NomenclatureLevel }], '2, 4, 6, 8 or 10'],
      ['a wrong level', [{ ...e('0101'), level: 6 as NomenclatureLevel }], 'level 6'],
      ['a parent that is not a prefix', [e('0101', null, null, '02')], 'parent must be'],
      ['a chapter with a parent', [e('01', null, null, '00')], 'no parent'],
      ['an end before the start', [e('010121', '2025-01-01', '2024-12-31')], 'before validFrom'],
      ['a bad date', [e('010121', '2025-13-01')], 'not an ISO date'],
      ['an empty description', [{ ...e('01'), description: ' ' }], 'description'],
    ])('refuses %s', (_what, entries, message) => {
      expect(() => new Nomenclature('v', entries)).toThrow(NomenclatureError);
      expect(() => new Nomenclature('v', entries)).toThrow(message);
    });

    it('refuses an empty version', () => {
      expect(() => new Nomenclature('', [])).toThrow(NomenclatureError);
    });
  });
});

describe('isIsoDate', () => {
  it.each([
    ['2024-02-29', true], // leap year
    ['2023-02-29', false],
    ['1900-02-29', false], // century, not a leap year
    ['2000-02-29', true],
    ['2026-04-31', false],
    ['2026-12-31', true],
    ['2026-1-01', false],
    ['2026-00-10', false],
  ])('%s -> %s', (value, ok) => {
    expect(isIsoDate(value)).toBe(ok);
  });
});
