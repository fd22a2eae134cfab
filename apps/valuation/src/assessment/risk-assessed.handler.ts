import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventEnvelope, TOPICS } from '@customs/contracts';
import { KafkaEventContext, OutgoingRecord } from '@customs/messaging';
import { ProcessedEventRepository } from '@customs/persistence';
import { processOnce, sourceOf } from '@customs/platform';
import { ValuationService } from './valuation.service';

@Controller()
export class RiskAssessedHandler {
  constructor(
    private readonly valuation: ValuationService,
    private readonly processed: ProcessedEventRepository,
  ) {}

  @EventPattern(TOPICS.riskAssessed)
  onRiskAssessed(
    @Payload() assessed: EventEnvelope,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<OutgoingRecord[]> {
    return processOnce(
      this.processed,
      assessed.eventId,
      () => this.valuation.value(assessed),
      sourceOf(ctx.record),
    );
  }
}
