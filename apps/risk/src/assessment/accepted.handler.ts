import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventEnvelope, TOPICS } from '@customs/contracts';
import { KafkaEventContext, OutgoingRecord } from '@customs/messaging';
import { ProcessedEventRepository, RiskAssessmentRecordRepository } from '@customs/persistence';
import { processOnce, sourceOf } from '@customs/platform';
import { RiskAssessmentService } from './risk-assessment.service';

@Controller()
export class AcceptedHandler {
  constructor(
    private readonly risk: RiskAssessmentService,
    private readonly processed: ProcessedEventRepository,
    private readonly records: RiskAssessmentRecordRepository,
  ) {}

  /** DeclarationAccepted, and DeclarationAmended (release's link for an amended version). */
  @EventPattern(TOPICS.accepted)
  async onAccepted(
    @Payload() accepted: EventEnvelope,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<OutgoingRecord[]> {
    const outputs = await processOnce(
      this.processed,
      accepted.eventId,
      () => this.risk.assess(accepted),
      sourceOf(ctx.record),
    );
    // Recorded from the outputs processOnce returns (on redelivery: the stored ones), so the
    // statistics always count the decision that is published, once per MRN (an amended
    // version's re-assessment gives no record: see RiskAssessmentService.recordOf).
    const record = this.risk.recordOf(outputs);
    if (record) await this.records.record(record);
    return outputs;
  }
}
