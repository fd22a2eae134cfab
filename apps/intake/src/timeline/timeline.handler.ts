import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Declaration, EventEnvelope, TOPICS } from '@customs/contracts';
import { KafkaEventContext } from '@customs/messaging';
import { TimelineRepository } from '@customs/persistence';
import { timelineEntry } from './timeline-entry.mapper';

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

  private async append(event: EventEnvelope, ctx: KafkaEventContext): Promise<[]> {
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
    return [];
  }
}
