import { EventEnvelope, computeEventHash } from '@customs/contracts';
import { ChainProblem, verifyChainLinks } from './chain-links.verifier';

// This file is the audit module's entry (the domain index exports it): the rest is re-exported here.
export * from './chain-links.verifier';
export * from './log-audit.engine';
export * from './declaration-state.projection';

/**
 * Checks one declaration's chain without trusting any database: every hash recomputed,
 * sequence 1..n without gaps or forks, each prevHash the previous event's hash, and each
 * causationId naming an earlier event of the chain or one of `externalCauses` (payments,
 * control results, which live on their own topics).
 */
export function verifyChain(
  events: readonly EventEnvelope[],
  externalCauses: ReadonlySet<string> = new Set(),
): ChainProblem[] {
  return verifyChainLinks(
    events.map((e) => ({
      eventId: e.eventId,
      sequence: e.sequence,
      prevHash: e.prevHash,
      hash: e.hash,
      causationId: e.causationId,
      hashValid: computeEventHash(e) === e.hash,
    })),
    externalCauses,
  );
}
