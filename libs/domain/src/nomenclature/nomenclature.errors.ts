/** One problem found in an imported file, with the 1-based line it starts on. */
export interface ParseProblem {
  line: number;
  problem: string;
}

/**
 * A nomenclature file that cannot be imported. Every problem found is kept (up to a cap),
 * so one run of an import shows the whole list; `line` and `problem` are the first one.
 */
export class NomenclatureParseError extends Error {
  override readonly name = 'NomenclatureParseError';
  readonly line: number;
  readonly problem: string;

  constructor(readonly problems: readonly ParseProblem[]) {
    const shown = problems.slice(0, 5).map((p) => `line ${p.line}: ${p.problem}`);
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    super(`invalid nomenclature file: ${shown.join('; ')}${more}`);
    this.line = problems[0]?.line ?? 0;
    this.problem = problems[0]?.problem ?? 'unknown problem';
  }
}

/** Entries that cannot form a nomenclature (duplicate codes, inconsistent parent or level). */
export class NomenclatureError extends Error {
  override readonly name = 'NomenclatureError';
  constructor(
    readonly code: string,
    readonly problem: string,
  ) {
    super(`nomenclature entry ${code}: ${problem}`);
  }
}

/** A date that is not a calendar date written YYYY-MM-DD. */
export class InvalidIsoDateError extends Error {
  override readonly name = 'InvalidIsoDateError';
  constructor(readonly value: unknown) {
    super(`'${String(value)}' is not an ISO calendar date (YYYY-MM-DD)`);
  }
}
