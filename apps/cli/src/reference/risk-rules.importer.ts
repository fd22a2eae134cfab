import { extname } from 'node:path';
import { parseRuleset, RiskReferenceDataError } from '@customs/domain';
import { RISK_REFERENCE_MIN_LEAD_MS } from '@customs/persistence';
import { ImportOptions, ReferenceImporter } from './reference-importer.model';

type JsonObject = Record<string, unknown>;

/** 1-based line and column of a character offset, for parse errors people can find. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/**
 * JSON, or YAML for `.yaml`/`.yml` files. YAML is read with the core schema: timestamps
 * stay strings (effectiveFrom is checked as ISO text) and nothing but plain data is built.
 * js-yaml is loaded only for YAML files, so JSON imports never depend on it.
 */
export function readRiskDocument(text: string, file: string): JsonObject {
  let value: unknown;
  if (['.yaml', '.yml'].includes(extname(file).toLowerCase())) {
    let yaml: { load(t: string, o: object): unknown; CORE_SCHEMA: unknown };
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      yaml = require('js-yaml');
    } catch {
      throw new Error(`${file}: YAML needs the js-yaml package; convert the file to JSON`);
    }
    try {
      value = yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: file });
    } catch (error) {
      throw new Error(`${file}: not valid YAML: ${(error as Error).message}`);
    }
  } else {
    try {
      value = JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      const at = /position (\d+)/.exec(message);
      throw new Error(
        `${file}: not valid JSON${at ? ` (${lineColumn(text, Number(at[1]))})` : ''}: ${message}`,
      );
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${file}: $: must be an object`);
  }
  return value as JsonObject;
}

/** Flags override the file's own version and effectiveFrom; the content stored carries them. */
export function applyOverrides(doc: JsonObject, options: ImportOptions): JsonObject {
  return {
    ...doc,
    ...(options.version !== undefined ? { version: options.version } : {}),
    ...(options.effectiveFrom !== undefined ? { effectiveFrom: options.effectiveFrom } : {}),
  };
}

/** Every problem on a line of its own, by JSON path. */
export function describeProblems(file: string, error: unknown): Error {
  if (!(error instanceof RiskReferenceDataError)) return error as Error;
  return new Error(
    `${file}: invalid ${error.kind}, ${error.problems.length} problem(s):\n` +
      error.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'),
  );
}

/**
 * A new version applies only to declarations accepted from its effective date on, and the
 * risk service's replicas need a little time to see it: refuse dates not far enough ahead.
 */
export function requireFutureEffectiveFrom(
  file: string,
  effectiveFrom: string,
  now = Date.now(),
): void {
  if (Date.parse(effectiveFrom) < now + RISK_REFERENCE_MIN_LEAD_MS) {
    throw new Error(
      `${file}: $.effectiveFrom ${effectiveFrom} must be at least ${RISK_REFERENCE_MIN_LEAD_MS / 1000} s after now ` +
        `(${new Date(now).toISOString()}): past decisions never change; use a later --effective-from`,
    );
  }
}

export const importer: ReferenceImporter = {
  kind: 'risk-rules',
  service: 'risk',
  description:
    'a risk ruleset (JSON or YAML): thresholds, random selection rates, AEO benefits, rules',
  parse(text, file, options) {
    const content = applyOverrides(readRiskDocument(text, file), options);
    let ruleset;
    try {
      ruleset = parseRuleset(content);
    } catch (error) {
      throw describeProblems(file, error);
    }
    requireFutureEffectiveFrom(file, ruleset.effectiveFrom);
    const rs = ruleset.randomSelection;
    const lanes = (['red', 'yellow', 'blue'] as const)
      .map((l) => `${l} ${rs[l].expectedRate}`)
      .join(', ');
    return {
      version: ruleset.version,
      effectiveFrom: ruleset.effectiveFrom,
      content,
      summary: `${ruleset.rules.length} rule(s), expected rates ${lanes}`,
    };
  },
};
