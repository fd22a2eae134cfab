/** One event in a declaration's life as intake's read model shows it. */
export interface TimelineEntry {
  eventId: string;
  type: string;
  sequence: number;
  occurredAt: string;
  producer: string;
  topic: string;
  /** A few decision fields (lane, totals, status) for display; the log has the rest. */
  summary: Record<string, unknown>;
}

export interface DeclarationTimeline {
  mrn: string;
  lrn: string;
  declarantId: string;
  borderPost: string;
  entries: TimelineEntry[];
}
