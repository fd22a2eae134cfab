/**
 * Reference-data kinds the risk service judges by, as stored in its database
 * (`reference_versions`), and the rule every writer of them keeps.
 */
export const RISK_REFERENCE_KINDS = {
  rules: 'risk-rules',
  traders: 'trader-registry',
} as const;

/**
 * A new ruleset or trader registry must be stored at least this long before its
 * effectiveFrom. Past decisions never change (a version cannot apply to declarations
 * already accepted), and it gives every risk replica time to see the version before the
 * first declaration it applies to: a replica's cache is good for declarations accepted up
 * to (load start + lead - clock skew allowance).
 */
export const RISK_REFERENCE_MIN_LEAD_MS = 5000;

/** Clock difference tolerated between the importer, intake and risk hosts. */
export const RISK_REFERENCE_CLOCK_SKEW_MS = 2000;
