import { DeclarationTimeline, TimelineEntry } from './timeline.model';

export abstract class TimelineRepository {
  /** Adds the entry once (by event id), creating the timeline if needed. */
  abstract append(head: Omit<DeclarationTimeline, 'entries'>, entry: TimelineEntry): Promise<void>;
  abstract get(mrn: string): Promise<DeclarationTimeline | null>;
}
