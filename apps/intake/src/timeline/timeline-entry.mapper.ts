import { EventEnvelope } from '@customs/contracts';
import { TimelineEntry } from '@customs/persistence';

type AnyPayload = {
  risk?: { channel?: string; score?: number };
  valuation?: { totalToPay?: string; currency?: string };
  release?: { status?: string; waitingFor?: string[]; grounds?: string[] };
  reasons?: { code: string }[];
  /** Present from DeclarationAmended on: the version the event is about. */
  amendment?: { version?: number; requestedBy?: string };
  invalidation?: { version?: number; reason?: string };
};

/** The few fields of each stage's decision that a status page shows. */
export function timelineEntry(event: EventEnvelope, topic: string): TimelineEntry {
  const p = event.payload as AnyPayload;
  const summary: Record<string, unknown> = {};
  if (p.reasons) summary.reasons = p.reasons.map((r) => r.code);
  // Which declaration version each stage decided on: the status page shows the changes.
  if (p.amendment?.version !== undefined) summary.version = p.amendment.version;
  if (event.type === 'DeclarationAmended' && p.amendment?.requestedBy)
    summary.requestedBy = p.amendment.requestedBy;
  if (p.invalidation?.version !== undefined)
    Object.assign(summary, { version: p.invalidation.version, reason: p.invalidation.reason });
  if (topic.endsWith('risk-assessed.v1') && p.risk)
    Object.assign(summary, { channel: p.risk.channel, score: p.risk.score });
  if (topic.endsWith('valued.v1') && p.valuation)
    Object.assign(summary, { totalToPay: p.valuation.totalToPay, currency: p.valuation.currency });
  if (p.release && (topic.endsWith('held.v1') || topic.endsWith('released.v1'))) {
    Object.assign(summary, {
      status: p.release.status,
      waitingFor: p.release.waitingFor,
      grounds: p.release.grounds,
    });
  }
  return {
    eventId: event.eventId,
    type: event.type,
    sequence: event.sequence,
    occurredAt: event.occurredAt,
    producer: event.producer,
    topic,
    summary,
  };
}

/** Where a declaration stands, from its latest event. */
export function statusOf(entries: TimelineEntry[]): string {
  const last = entries[entries.length - 1];
  if (!last) return 'unknown';
  switch (last.type) {
    case 'DeclarationSubmitted':
      return 'submitted';
    case 'DeclarationAccepted':
      return 'accepted';
    case 'DeclarationRiskAssessed':
      return 'risk-assessed';
    case 'DeclarationValued':
      return 'valued';
    case 'DeclarationHeld':
      return 'held';
    case 'DeclarationReleased':
      return String(last.summary.status ?? 'released');
    // Links release appends for the requests of amendment.service.ts.
    case 'DeclarationAmended':
      return 'amended';
    case 'DeclarationInvalidated':
      return 'invalidated';
    default:
      return last.type;
  }
}
