/**
 * One imported version of a kind of reference data (nomenclature, risk rules, tariff,
 * exchange rates...). Versions are immutable: a decision records the version it used, and
 * an auditor years later must find exactly that content again.
 */
export interface ReferenceVersion<T = unknown> {
  kind: string;
  version: string;
  /** ISO-8601 instant from which the version applies (to declarations accepted from then on). */
  effectiveFrom: string;
  importedAt: string;
  /** SHA-256 of the canonical content: the same version id never names two contents. */
  sha256: string;
  /** Where it came from (file name), for people. */
  source: string;
  content: T;
}
