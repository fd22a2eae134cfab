import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { AmendedPayload, Declaration, EventEnvelope, TOPICS } from '@customs/contracts';
import { BatchItem, OutgoingRecord } from '@customs/messaging';
import {
  DeclarationVersionRepository,
  TimelineAppend,
  TimelineRepository,
} from '@customs/persistence';
import { notificationRecords, producerName } from '@customs/platform';
import { AMENDMENT_EVENT_TYPES } from '../amendment/amendment.topic';
import { timelineEntry } from './timeline-entry.mapper';

const PRODUCER = producerName('intake');

/**
 * The timeline is a read model: its handlers run in their own consumer group
 * (customs-intake-timeline, see main.ts), so following four busy topics never delays the
 * decisions on submissions.
 */
export const TIMELINE_GROUP = 'timeline';
const TIMELINE_HANDLERS = { batch: true, group: TIMELINE_GROUP } as const;

/**
 * CDS 10 "invalidated", when release has appended the invalidation to the chain (not when
 * intake took the request: release may find the goods released meanwhile). The record's id
 * derives from the link's, so a redelivery never notifies twice.
 */
export function invalidationNotices(event: EventEnvelope): OutgoingRecord[] {
  if (event.type !== AMENDMENT_EVENT_TYPES.invalidated || !event.mrn) return [];
  const declaration = (event.payload as { declaration?: Declaration }).declaration;
  return notificationRecords(
    event,
    {
      code: '10',
      text: `Declaration ${event.mrn} invalidated`,
      declarantId: declaration?.declarant?.id ?? 'unknown',
      borderPost: declaration?.borderPost ?? 'unknown',
    },
    PRODUCER,
  );
}

/**
 * Keeps intake's read model of each declaration's life as later stages decide. A chunk of a
 * partition at a time: one bulk read and one bulk write of the timelines it touches.
 */
@Controller()
export class TimelineHandler {
  constructor(
    private readonly timeline: TimelineRepository,
    private readonly versions: DeclarationVersionRepository,
  ) {}

  /**
   * DeclarationAmended, which release appends on the accepted topic (intake's own
   * DeclarationAccepted it put on the timeline when it published it). An amendment intake
   * did not take (an officer's correction through release) becomes a version in intake's
   * store too, so the next amendment a declarant asks for takes the next number and amends
   * the corrected declaration; a version intake took already is left as it is.
   */
  @EventPattern(TOPICS.accepted, TIMELINE_HANDLERS)
  async onAccepted(@Payload() items: BatchItem[]): Promise<OutgoingRecord[]> {
    const amended = items.filter((i) => i.envelope.type === AMENDMENT_EVENT_TYPES.amended);
    // Rare (one per amendment): a write each, before the timeline as one by one.
    for (const { envelope: e } of amended) {
      const p = e.payload as Partial<AmendedPayload>;
      if (e.mrn && p.amendment && p.declaration)
        await this.versions.add({
          mrn: e.mrn,
          version: p.amendment.version,
          kind: 'amendment',
          payloadHash: p.amendment.payloadHash,
          declaration: JSON.stringify(p.declaration),
          reason: null,
          nomenclatureVersion: p.acceptance?.referenceData.nomenclature ?? null,
          // The request intake never saw: the chain link stands for it (never republished).
          event: JSON.stringify(e),
          eventId: p.amendment.requestEventId,
          published: true,
          requestedAt: e.occurredAt,
        });
    }
    return this.append(amended);
  }

  @EventPattern(TOPICS.riskAssessed, TIMELINE_HANDLERS)
  onRiskAssessed(@Payload() items: BatchItem[]): Promise<OutgoingRecord[]> {
    return this.append(items);
  }

  @EventPattern(TOPICS.valued, TIMELINE_HANDLERS)
  onValued(@Payload() items: BatchItem[]): Promise<OutgoingRecord[]> {
    return this.append(items);
  }

  @EventPattern(TOPICS.held, TIMELINE_HANDLERS)
  onHeld(@Payload() items: BatchItem[]): Promise<OutgoingRecord[]> {
    return this.append(items);
  }

  @EventPattern(TOPICS.released, TIMELINE_HANDLERS)
  onReleased(@Payload() items: BatchItem[]): Promise<OutgoingRecord[]> {
    return this.append(items);
  }

  private async append(items: BatchItem[]): Promise<OutgoingRecord[]> {
    const appends: TimelineAppend[] = [];
    const notices: OutgoingRecord[] = [];
    for (const { envelope, record } of items) {
      if (!envelope.mrn) continue;
      appends.push(timelineAppend(envelope, envelope.mrn, record.topic));
      notices.push(...invalidationNotices(envelope));
    }
    // The store first: a chunk redone after a crash adds nothing twice (event ids), and the
    // notices, whose ids derive from the events', are published again the same.
    await this.timeline.appendMany(appends);
    return notices;
  }
}

/** The entry an event becomes on its declaration's timeline, with the head to start one. */
export function timelineAppend(event: EventEnvelope, mrn: string, topic: string): TimelineAppend {
  const declaration = (event.payload as { declaration?: Declaration }).declaration;
  return {
    head: {
      mrn,
      lrn: event.lrn,
      declarantId: declaration?.declarant?.id ?? 'unknown',
      borderPost: declaration?.borderPost ?? 'unknown',
    },
    entry: timelineEntry(event, topic),
  };
}
