import { CsvError, parse } from 'csv-parse/sync';
import { isIsoDate } from './iso-date.util';
import { NomenclatureEntry, NomenclatureLevel } from './nomenclature.model';
import { NomenclatureParseError, ParseProblem } from './nomenclature.errors';

export const HS_CSV_HEADER = ['section', 'hscode', 'description', 'parent', 'level'] as const;
export const NATIONAL_CSV_HEADER = [
  'code',
  'description',
  'parent',
  'validFrom',
  'validTo',
] as const;

/** The 21 HS sections. */
const SECTIONS = new Set(
  'I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX XXI'.split(' '),
);
/** Enough to show what is wrong with a file without building an unbounded list. */
const MAX_PROBLEMS = 100;

export interface HsCsvOptions {
  /** Validity given to every entry (e.g. '2022-01-01' for HS 2022); default open. */
  validFrom?: string | null;
  validTo?: string | null;
  /**
   * Keep UN Comtrade's chapter 99 "commodities not specified according to kind" (section
   * `TOTAL` in the file). It is a statistical residual, not part of the HS, so by default it
   * is skipped and 999999 is not declarable.
   */
  includeUnspecified?: boolean;
}

interface Row {
  line: number;
  fields: string[];
}

function readRows(text: string, header: readonly string[]): Row[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: false,
    }) as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines ?? 0;
      throw new NomenclatureParseError([{ line, problem: err.message }]);
    }
    throw err;
  }
  if (records.length === 0) {
    throw new NomenclatureParseError([
      { line: 1, problem: `empty file, expected header ${header.join(',')}` },
    ]);
  }
  const first = records[0].record.map((f) => f.trim());
  if (first.length !== header.length || first.some((f, i) => f !== header[i])) {
    throw new NomenclatureParseError([
      { line: 1, problem: `header is '${first.join(',')}', expected '${header.join(',')}'` },
    ]);
  }
  return records.slice(1).map(({ record, info }) => {
    // info.lines is the line a record ends on; a quoted field may span lines.
    let newlines = 0;
    for (const f of record) for (const ch of f) if (ch === '\n') newlines++;
    return { line: info.lines - newlines, fields: record.map((f) => f.trim()) };
  });
}

class Problems {
  readonly list: ParseProblem[] = [];
  add(line: number, problem: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push({ line, problem });
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new NomenclatureParseError(this.list);
  }
}

/**
 * Parses the HS CSV (`section,hscode,description,parent,level`, UTF-8, optional BOM), as
 * published by the `datasets/harmonized-system` data package. Its root row (`TOTAL`) is
 * dropped and chapters get a null parent. Throws NomenclatureParseError listing each bad
 * line.
 */
export function parseHsCsv(text: string, options: HsCsvOptions = {}): NomenclatureEntry[] {
  const validFrom = options.validFrom ?? null;
  const validTo = options.validTo ?? null;
  for (const d of [validFrom, validTo]) {
    if (d !== null && !isIsoDate(d)) {
      throw new NomenclatureParseError([
        { line: 0, problem: `option date '${d}' is not YYYY-MM-DD` },
      ]);
    }
  }
  const rows = readRows(text, HS_CSV_HEADER);
  const problems = new Problems();
  const seen = new Map<string, number>();
  const out: NomenclatureEntry[] = [];
  for (const { line, fields } of rows) {
    const [section, code, description, parent, level] = fields;
    if (code === 'TOTAL') continue; // the root of the whole tree, not a code
    const isUnspecified = section === 'TOTAL' && code.startsWith('99');
    if (isUnspecified && !options.includeUnspecified) continue;
    if (!/^\d{2}(\d{2}){0,2}$/.test(code)) {
      problems.add(line, `hscode '${code}' must have 2, 4 or 6 digits`);
      continue;
    }
    if (level !== String(code.length)) {
      problems.add(line, `level '${level}' does not match the ${code.length} digits of ${code}`);
      continue;
    }
    const expectedParent = code.length === 2 ? null : code.slice(0, code.length - 2);
    if (expectedParent === null ? parent !== 'TOTAL' && parent !== '' : parent !== expectedParent) {
      problems.add(line, `parent '${parent}' of ${code} should be '${expectedParent ?? 'TOTAL'}'`);
      continue;
    }
    if (!isUnspecified && !SECTIONS.has(section)) {
      problems.add(line, `section '${section}' is not an HS section (I to XXI)`);
      continue;
    }
    if (description === '') {
      problems.add(line, `description of ${code} is empty`);
      continue;
    }
    const first = seen.get(code);
    if (first !== undefined) {
      problems.add(line, `duplicate hscode ${code} (first on line ${first})`);
      continue;
    }
    seen.set(code, line);
    out.push({
      code,
      description,
      parent: expectedParent,
      level: code.length as NomenclatureLevel,
      section: isUnspecified ? null : section,
      validFrom,
      validTo,
    });
  }
  problems.throwIfAny();
  return out;
}

/**
 * Parses national extensions (`code,description,parent,validFrom,validTo`): 8- or 10-digit
 * lines under an HS subheading (or, for 10 digits, under an 8-digit line). Empty dates are
 * open-ended; both ends are inclusive.
 */
export function parseNationalExtensionsCsv(text: string): NomenclatureEntry[] {
  const rows = readRows(text, NATIONAL_CSV_HEADER);
  const problems = new Problems();
  const seen = new Map<string, number>();
  const out: NomenclatureEntry[] = [];
  for (const { line, fields } of rows) {
    const [code, description, parent, validFromRaw, validToRaw] = fields;
    if (!/^\d{8}(\d{2})?$/.test(code)) {
      problems.add(line, `code '${code}' must have 8 or 10 digits`);
      continue;
    }
    const allowed = code.length === 8 ? [code.slice(0, 6)] : [code.slice(0, 8), code.slice(0, 6)];
    if (!allowed.includes(parent)) {
      problems.add(line, `parent '${parent}' of ${code} should be '${allowed.join("' or '")}'`);
      continue;
    }
    if (description === '') {
      problems.add(line, `description of ${code} is empty`);
      continue;
    }
    const validFrom = validFromRaw === '' ? null : validFromRaw;
    const validTo = validToRaw === '' ? null : validToRaw;
    if (validFrom !== null && !isIsoDate(validFrom)) {
      problems.add(line, `validFrom '${validFrom}' is not a date YYYY-MM-DD`);
      continue;
    }
    if (validTo !== null && !isIsoDate(validTo)) {
      problems.add(line, `validTo '${validTo}' is not a date YYYY-MM-DD`);
      continue;
    }
    if (validFrom !== null && validTo !== null && validTo < validFrom) {
      problems.add(line, `validTo ${validTo} is before validFrom ${validFrom}`);
      continue;
    }
    const first = seen.get(code);
    if (first !== undefined) {
      problems.add(line, `duplicate code ${code} (first on line ${first})`);
      continue;
    }
    seen.set(code, line);
    out.push({
      code,
      description,
      parent,
      level: code.length as NomenclatureLevel,
      section: null,
      validFrom,
      validTo,
    });
  }
  problems.throwIfAny();
  return out;
}
