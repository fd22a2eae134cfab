import { NoVersionInForceError, RiskAssessmentInputError } from './risk.errors';
import { instantOf } from './ruleset.parser';
import { Ruleset, TraderRegistry } from './ruleset.model';

interface Versioned {
  version: string;
  effectiveFrom: string;
}

/** Instant of an ISO date-time with zone, or a RiskAssessmentInputError naming the field. */
export function requireInstant(isoDateTime: string, what: string): number {
  const t = instantOf(isoDateTime);
  if (Number.isNaN(t)) {
    throw new RiskAssessmentInputError(
      `${what} '${isoDateTime}' is not an ISO-8601 date-time with zone`,
    );
  }
  return t;
}

/**
 * The version in force at `at`: the latest effectiveFrom <= at. A newer version only
 * applies from its effective date, so re-assessing an old declaration with its own
 * acceptance instant gives the decision it got then. Two versions effective at the same
 * instant make the choice ambiguous: that is an error, not a silent pick.
 */
function selectInForce<T extends Versioned>(
  kind: 'ruleset' | 'trader-registry',
  versions: readonly T[],
  at: string,
): T {
  const atMs = requireInstant(at, 'acceptedAt');
  let best: T | undefined;
  let bestMs = -Infinity;
  let tie: T | undefined;
  for (const v of versions) {
    const ms = instantOf(v.effectiveFrom);
    if (Number.isNaN(ms) || ms > atMs) continue;
    if (ms > bestMs) {
      best = v;
      bestMs = ms;
      tie = undefined;
    } else if (ms === bestMs) {
      tie = v;
    }
  }
  if (!best) {
    throw new NoVersionInForceError(
      kind,
      at,
      `none of ${versions.length} version(s) is effective yet`,
    );
  }
  if (tie) {
    throw new NoVersionInForceError(
      kind,
      at,
      `versions ${best.version} and ${tie.version} are both effective from ${best.effectiveFrom}`,
    );
  }
  return best;
}

export function selectRuleset(rulesets: Ruleset[], acceptedAt: string): Ruleset {
  return selectInForce('ruleset', rulesets, acceptedAt);
}

export function selectTraderRegistry(
  registries: TraderRegistry[],
  acceptedAt: string,
): TraderRegistry {
  return selectInForce('trader-registry', registries, acceptedAt);
}
