import { EventEnvelope, computeEventHash } from '@customs/contracts';

export interface ChainProblem {
  eventId: string;
  sequence: number;
  code:
    | 'HASH_MISMATCH'
    | 'SEQUENCE_GAP'
    | 'DUPLICATE_SEQUENCE'
    | 'PREV_HASH_MISMATCH'
    | 'FIRST_NOT_GENESIS'
    | 'UNKNOWN_CAUSE';
  message: string;
}

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
  const problems: ChainProblem[] = [];
  const sorted = [...events].sort((a, b) => a.sequence - b.sequence);
  const seen = new Set<string>();
  sorted.forEach((e, i) => {
    const p = (code: ChainProblem['code'], message: string) =>
      problems.push({ eventId: e.eventId, sequence: e.sequence, code, message });
    if (computeEventHash(e) !== e.hash)
      p('HASH_MISMATCH', 'recomputed hash differs from the recorded one');
    const prev = i > 0 ? sorted[i - 1] : undefined;
    if (!prev) {
      if (e.sequence !== 1 || e.prevHash !== null)
        p(
          'FIRST_NOT_GENESIS',
          `chain starts at sequence ${e.sequence} with prevHash ${e.prevHash}`,
        );
    } else if (prev.sequence === e.sequence) {
      p(
        'DUPLICATE_SEQUENCE',
        `two events with sequence ${e.sequence} (${prev.eventId}, ${e.eventId})`,
      );
    } else {
      if (e.sequence !== prev.sequence + 1)
        p('SEQUENCE_GAP', `sequence jumps from ${prev.sequence} to ${e.sequence}`);
      if (e.prevHash !== prev.hash)
        p('PREV_HASH_MISMATCH', `prevHash does not match event ${prev.sequence}'s hash`);
    }
    if (e.causationId !== null && !seen.has(e.causationId) && !externalCauses.has(e.causationId)) {
      p('UNKNOWN_CAUSE', `causationId ${e.causationId} names no earlier event`);
    }
    seen.add(e.eventId);
  });
  return problems;
}
