import { assertIsoDate, isIsoDate, isWithin } from './iso-date.util';
import { NomenclatureError } from './nomenclature.errors';

/** HS chapter (2), heading (4), subheading (6); national extensions (8, 10). */
export type NomenclatureLevel = 2 | 4 | 6 | 8 | 10;

export interface NomenclatureEntry {
  readonly code: string;
  readonly description: string;
  /** Code of the entry one level up; null for a chapter. */
  readonly parent: string | null;
  readonly level: NomenclatureLevel;
  /** HS section as a Roman numeral (I..XXI); national lines inherit their subheading's. */
  readonly section: string | null;
  /** First day of validity, inclusive; null: valid since ever. */
  readonly validFrom: string | null;
  /** Last day of validity, inclusive; null: open-ended. */
  readonly validTo: string | null;
}

/**
 * Why a code can or cannot be declared at a date.
 * - `unknown`: no such code in this version;
 * - `not-yet-valid` / `expired`: the code exists but not at that date;
 * - `not-a-leaf`: the code has subdivisions valid at that date (or is a chapter/heading);
 * - `parent-missing`: a national extension whose HS subheading (or intermediate line) is
 *   absent or not valid at that date.
 */
export type CodeStatus =
  'declarable' | 'unknown' | 'not-yet-valid' | 'expired' | 'not-a-leaf' | 'parent-missing';

export interface CodeCheck {
  code: string;
  status: CodeStatus;
  entry?: NomenclatureEntry;
  /** For `not-a-leaf`: the codes one level down valid at the date, sorted. */
  validChildren?: string[];
}

const LEVELS: readonly number[] = [2, 4, 6, 8, 10];

function parentLengths(level: NomenclatureLevel): readonly number[] {
  switch (level) {
    case 2:
      return [];
    case 10:
      // A 10-digit line may split an 8-digit line or, where no 8-digit split exists, the
      // HS subheading directly.
      return [8, 6];
    default:
      return [level - 2];
  }
}

function checkEntry(e: NomenclatureEntry): void {
  if (!/^\d+$/.test(e.code) || !LEVELS.includes(e.code.length)) {
    throw new NomenclatureError(e.code, 'code must have 2, 4, 6, 8 or 10 digits');
  }
  if (e.level !== e.code.length) {
    throw new NomenclatureError(e.code, `level ${e.level} does not match ${e.code.length} digits`);
  }
  const lengths = parentLengths(e.level);
  if (lengths.length === 0) {
    if (e.parent !== null) throw new NomenclatureError(e.code, 'a chapter has no parent');
  } else if (
    e.parent === null ||
    !lengths.includes(e.parent.length) ||
    !e.code.startsWith(e.parent)
  ) {
    throw new NomenclatureError(
      e.code,
      `parent must be the ${lengths.join(' or ')}-digit prefix of the code, got ${String(e.parent)}`,
    );
  }
  if (typeof e.description !== 'string' || e.description.trim() === '') {
    throw new NomenclatureError(e.code, 'description is empty');
  }
  for (const d of [e.validFrom, e.validTo]) {
    if (d !== null && !isIsoDate(d)) {
      throw new NomenclatureError(e.code, `'${d}' is not an ISO date (YYYY-MM-DD)`);
    }
  }
  if (e.validFrom !== null && e.validTo !== null && e.validTo < e.validFrom) {
    throw new NomenclatureError(e.code, `validTo ${e.validTo} is before validFrom ${e.validFrom}`);
  }
}

/**
 * One version of the nomenclature: immutable, indexed by code and by parent. A code is
 * present at most once per version; a change of validity is a new version.
 */
export class Nomenclature {
  readonly version: string;
  private readonly byCode: ReadonlyMap<string, NomenclatureEntry>;
  private readonly childrenOf: ReadonlyMap<string, readonly NomenclatureEntry[]>;

  constructor(version: string, entries: Iterable<NomenclatureEntry>) {
    if (typeof version !== 'string' || version.trim() === '') {
      throw new NomenclatureError('-', 'version must be a non-empty string');
    }
    this.version = version;
    const byCode = new Map<string, NomenclatureEntry>();
    for (const raw of entries) {
      checkEntry(raw);
      if (byCode.has(raw.code)) throw new NomenclatureError(raw.code, 'duplicate code');
      byCode.set(raw.code, raw);
    }
    // Sorted once so that every listing (children, declarable codes) is deterministic.
    const sorted = [...byCode.keys()].sort();
    const frozen = new Map<string, NomenclatureEntry>();
    const childrenOf = new Map<string, NomenclatureEntry[]>();
    for (const code of sorted) {
      const e = byCode.get(code)!;
      // National lines carry no section in their file: take the subheading's.
      const section =
        e.section ?? (e.level > 6 ? (byCode.get(code.slice(0, 6))?.section ?? null) : null);
      const entry: NomenclatureEntry = Object.freeze({
        code: e.code,
        description: e.description,
        parent: e.parent,
        level: e.level,
        section,
        validFrom: e.validFrom,
        validTo: e.validTo,
      });
      frozen.set(code, entry);
      if (entry.parent !== null) {
        const list = childrenOf.get(entry.parent) ?? [];
        list.push(entry);
        childrenOf.set(entry.parent, list);
      }
    }
    for (const list of childrenOf.values()) Object.freeze(list);
    this.byCode = frozen;
    this.childrenOf = childrenOf;
    Object.freeze(this);
  }

  get size(): number {
    return this.byCode.size;
  }

  find(code: string): NomenclatureEntry | undefined {
    return this.byCode.get(code);
  }

  /** All entries, sorted by code. */
  entries(): NomenclatureEntry[] {
    return [...this.byCode.values()];
  }

  /** Entries one level down; with a date, only those valid at it. Sorted by code. */
  children(code: string, date?: string): NomenclatureEntry[] {
    const all = this.childrenOf.get(code) ?? [];
    if (date === undefined) return [...all];
    assertIsoDate(date);
    return all.filter((c) => isWithin(date, c.validFrom, c.validTo));
  }

  isValidAt(code: string, date: string): boolean {
    assertIsoDate(date);
    const e = this.byCode.get(code);
    return e !== undefined && isWithin(date, e.validFrom, e.validTo);
  }

  /** Why `code` is or is not declarable at `date` (see CodeStatus). */
  check(code: string, date: string): CodeCheck {
    assertIsoDate(date);
    const entry = this.byCode.get(code);
    if (!entry) return { code, status: 'unknown' };
    if (entry.validFrom !== null && date < entry.validFrom) {
      return { code, status: 'not-yet-valid', entry };
    }
    if (entry.validTo !== null && date > entry.validTo) return { code, status: 'expired', entry };
    if (entry.level > 6) {
      // Every line between the extension and its HS subheading must be there and valid.
      let parent = entry.parent;
      while (parent !== null && parent.length >= 6) {
        const p = this.byCode.get(parent);
        if (!p || !isWithin(date, p.validFrom, p.validTo)) {
          return { code, status: 'parent-missing', entry };
        }
        parent = p.parent;
      }
    }
    const validChildren = this.children(code, date).map((c) => c.code);
    // A chapter or heading is never a declaration line, even without subdivisions: the HS
    // writes an undivided heading as a 6-digit code ending in 00.
    if (validChildren.length > 0 || entry.level < 6) {
      return { code, status: 'not-a-leaf', entry, validChildren };
    }
    return { code, status: 'declarable', entry };
  }

  /**
   * A code is declarable at a date when it exists, is valid then, has no subdivision valid
   * then, and (for a national extension) its HS subheading exists and is valid then.
   */
  isDeclarable(code: string, date: string): boolean {
    return this.check(code, date).status === 'declarable';
  }

  /** Every code declarable at `date`, sorted. */
  declarableCodes(date: string): string[] {
    assertIsoDate(date);
    const out: string[] = [];
    for (const e of this.byCode.values()) {
      if (e.level >= 6 && this.check(e.code, date).status === 'declarable') out.push(e.code);
    }
    return out;
  }
}
