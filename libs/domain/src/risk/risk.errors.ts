/** One problem in risk reference data, located by a JSON path such as `$.rules[2].action`. */
export interface ReferenceDataProblem {
  path: string;
  message: string;
}

/** Risk reference data (ruleset or trader registry) that does not validate: lists every problem. */
export class RiskReferenceDataError extends Error {
  readonly retryable = false;
  constructor(
    readonly kind: 'ruleset' | 'trader-registry',
    readonly problems: ReferenceDataProblem[],
  ) {
    super(
      `invalid ${kind}: ${problems.length} problem(s): ` +
        problems.map((p) => `${p.path}: ${p.message}`).join('; '),
    );
    this.name = 'RiskReferenceDataError';
  }
}

/** No version of the reference data was in force at the given instant (or the choice was ambiguous). */
export class NoVersionInForceError extends Error {
  readonly retryable = false;
  constructor(
    readonly kind: 'ruleset' | 'trader-registry',
    readonly at: string,
    detail: string,
  ) {
    super(`no ${kind} in force at ${at}: ${detail}`);
    this.name = 'NoVersionInForceError';
  }
}

/** The assessment input itself is unusable (bad MRN or acceptance instant, data not yet in force). */
export class RiskAssessmentInputError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'RiskAssessmentInputError';
  }
}
