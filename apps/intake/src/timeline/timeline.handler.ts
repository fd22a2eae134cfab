import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AmendedPayload, Declaration, EventEnvelope, TOPICS } from '@customs/contracts';
import { KafkaEventContext, OutgoingRecord } from '@customs/messaging';
import { DeclarationVersionRepository, TimelineRepository } from '@customs/persistence';
import { notificationRecords, producerName } from '@customs/platform';
import { AMENDMENT_EVENT_TYPES } from '../amendment/amendment.topic';
import { timelineEntry } from './timeline-entry.mapper';

const PRODUCER = producerName('intake');

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

/** Keeps intake's read model of each declaration's life as later stages decide. */
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
  @EventPattern(TOPICS.accepted)
  async onAccepted(@Payload() e: EventEnvelope, @Ctx() ctx: KafkaEventContext) {
    if (e.type !== AMENDMENT_EVENT_TYPES.amended) return [];
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
    return this.append(e, ctx);
  }

  @EventPattern(TOPICS.riskAssessed)
  onRiskAssessed(@Payload() e: EventEnvelope, @Ctx() ctx: KafkaEventContext) {
    return this.append(e, ctx);
  }

  @EventPattern(TOPICS.valued)
  onValued(@Payload() e: EventEnvelope, @Ctx() ctx: KafkaEventContext) {
    return this.append(e, ctx);
  }

  @EventPattern(TOPICS.held)
  onHeld(@Payload() e: EventEnvelope, @Ctx() ctx: KafkaEventContext) {
    return this.append(e, ctx);
  }

  @EventPattern(TOPICS.released)
  onReleased(@Payload() e: EventEnvelope, @Ctx() ctx: KafkaEventContext) {
    return this.append(e, ctx);
  }

  private async append(event: EventEnvelope, ctx: KafkaEventContext): Promise<OutgoingRecord[]> {
    if (!event.mrn) return [];
    const declaration = (event.payload as { declaration?: Declaration }).declaration;
    await this.timeline.append(
      {
        mrn: event.mrn,
        lrn: event.lrn,
        declarantId: declaration?.declarant?.id ?? 'unknown',
        borderPost: declaration?.borderPost ?? 'unknown',
      },
      timelineEntry(event, ctx.record.topic),
    );
    return invalidationNotices(event);
  }
}
