/** One problem in valuation reference data, located by a JSON path such as `$.measures[3].dutyExpression`. */
export interface ValuationDataProblem {
  path: string;
  message: string;
}

/** An import file (tariff measures, exchange rates, reference prices...) that does not validate: lists every problem. */
export class ValuationReferenceDataError extends Error {
  readonly retryable = false;
  constructor(
    readonly kind: string,
    readonly problems: ValuationDataProblem[],
  ) {
    super(
      `invalid ${kind}: ${problems.length} problem(s): ` +
        problems.map((p) => `${p.path}: ${p.message}`).join('; '),
    );
    this.name = 'ValuationReferenceDataError';
  }
}

/** A duty expression that does not follow the grammar (see duty-expression.parser.ts); `position` is 0-based. */
export class DutyExpressionError extends Error {
  readonly retryable = false;
  constructor(
    readonly expression: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`invalid duty expression '${expression}' at position ${position}: ${reason}`);
    this.name = 'DutyExpressionError';
  }
}

export type ValuationErrorCode =
  'INVALID_INPUT' | 'NO_EXCHANGE_RATE' | 'CURRENCY_MISMATCH' | 'INVALID_CONFIG';

/**
 * The declaration cannot be valued at all (no customs value can be stated). Anything less
 * (a duty that cannot be computed, a doubtful price) is reported as an alert instead.
 */
export class ValuationError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: ValuationErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(path ? `${code} at ${path}: ${message}` : `${code}: ${message}`);
    this.name = 'ValuationError';
  }
}
