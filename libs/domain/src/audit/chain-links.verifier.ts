export type ChainProblemCode =
  | 'HASH_MISMATCH'
  | 'SEQUENCE_GAP'
  | 'DUPLICATE_SEQUENCE'
  | 'PREV_HASH_MISMATCH'
  | 'FIRST_NOT_GENESIS'
  | 'UNKNOWN_CAUSE';

export interface ChainProblem {
  eventId: string;
  sequence: number;
  code: ChainProblemCode;
  message: string;
  /** Position of the offending event in the array given to the verifier (to locate it). */
  index?: number;
}

/**
 * What the chain checks need of an event: its links and whether its hash was recomputed
 * equal. A log reader keeps these instead of whole envelopes, so a long log fits in memory.
 */
export interface ChainLink {
  eventId: string;
  sequence: number;
  prevHash: string | null;
  hash: string;
  causationId: string | null;
  hashValid: boolean;
}

/** verifyChain over links whose hashes were already recomputed (see ChainLink). */
export function verifyChainLinks(
  links: readonly ChainLink[],
  externalCauses: ReadonlySet<string> = new Set(),
): ChainProblem[] {
  const problems: ChainProblem[] = [];
  const sorted = links
    .map((link, index) => ({ link, index }))
    .sort((a, b) => a.link.sequence - b.link.sequence || a.index - b.index);
  const seen = new Set<string>();
  sorted.forEach(({ link: e, index }, i) => {
    const p = (code: ChainProblemCode, message: string) =>
      problems.push({ eventId: e.eventId, sequence: e.sequence, code, message, index });
    if (!e.hashValid) p('HASH_MISMATCH', 'recomputed hash differs from the recorded one');
    const prev = i > 0 ? sorted[i - 1].link : undefined;
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
      if (e.sequence !== prev.sequence + 1) {
        const missing =
          e.sequence === prev.sequence + 2
            ? `event ${prev.sequence + 1} is missing`
            : `events ${prev.sequence + 1}..${e.sequence - 1} are missing`;
        p('SEQUENCE_GAP', `sequence jumps from ${prev.sequence} to ${e.sequence}: ${missing}`);
      }
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
