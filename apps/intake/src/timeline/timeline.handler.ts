import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Declaration, EventEnvelope, TOPICS } from '@customs/contracts';
import { KafkaEventContext, OutgoingRecord } from '@customs/messaging';
import { TimelineRepository } from '@customs/persistence';
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
  constructor(private readonly timeline: TimelineRepository) {}

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
