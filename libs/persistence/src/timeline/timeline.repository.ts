import { TimelineAppend } from './timeline-append.plan';
import { DeclarationTimeline, TimelineEntry } from './timeline.model';

export type { TimelineAppend } from './timeline-append.plan';

export abstract class TimelineRepository {
  /** Adds the entry once (by event id), creating the timeline if needed. */
  abstract append(head: Omit<DeclarationTimeline, 'entries'>, entry: TimelineEntry): Promise<void>;
  /**
   * Adds a chunk of entries in order, each once (by event id, also within the chunk),
   * creating timelines as needed: one bulk read and one bulk write for the lot. This
   * default, one append after the other, is the behaviour a store's bulk version must keep.
   */
  async appendMany(appends: TimelineAppend[]): Promise<void> {
    for (const { head, entry } of appends) await this.append(head, entry);
  }
  abstract get(mrn: string): Promise<DeclarationTimeline | null>;
}
