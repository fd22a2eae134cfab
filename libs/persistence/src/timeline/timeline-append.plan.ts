import { DeclarationTimeline, TimelineEntry } from './timeline.model';

/** One entry to add to a declaration's timeline, with the head to create it from if new. */
export interface TimelineAppend {
  head: Omit<DeclarationTimeline, 'entries'>;
  entry: TimelineEntry;
}

/** The writes a chunk of appends comes to: one new timeline or one push per MRN. */
export interface TimelineWritePlan {
  inserts: { head: Omit<DeclarationTimeline, 'entries'>; entries: TimelineEntry[] }[];
  pushes: { mrn: string; entries: TimelineEntry[] }[];
}

/**
 * Merges a chunk of appends, in order, into the timelines as stored (`stored`: the event ids
 * each existing timeline holds). An event a timeline holds already, or that came earlier in
 * the chunk, is left out: a redelivered or redone chunk adds nothing twice. A new timeline
 * takes the head of its first append, as a one-by-one append would.
 */
export function planTimelineAppends(
  stored: ReadonlyMap<string, ReadonlySet<string>>,
  appends: readonly TimelineAppend[],
): TimelineWritePlan {
  const added = new Map<
    string,
    { head: Omit<DeclarationTimeline, 'entries'>; entries: TimelineEntry[] }
  >();
  const seen = new Map<string, Set<string>>();
  for (const { head, entry } of appends) {
    let ids = seen.get(head.mrn);
    if (!ids) {
      ids = new Set(stored.get(head.mrn) ?? []);
      seen.set(head.mrn, ids);
    }
    if (ids.has(entry.eventId)) continue;
    ids.add(entry.eventId);
    const timeline = added.get(head.mrn);
    if (timeline) timeline.entries.push(entry);
    else added.set(head.mrn, { head, entries: [entry] });
  }
  const plan: TimelineWritePlan = { inserts: [], pushes: [] };
  for (const [mrn, { head, entries }] of added) {
    if (stored.has(mrn)) plan.pushes.push({ mrn, entries });
    else plan.inserts.push({ head, entries });
  }
  return plan;
}
