import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventEnvelope, TOPICS } from '@customs/contracts';
import { OutgoingRecord } from '@customs/messaging';
import { ProcessedEventRepository } from '@customs/persistence';
import { processOnce } from '@customs/platform';
import { RiskAssessmentService } from './risk-assessment.service';

@Controller()
export class AcceptedHandler {
  constructor(
    private readonly risk: RiskAssessmentService,
    private readonly processed: ProcessedEventRepository,
  ) {}

  @EventPattern(TOPICS.accepted)
  onAccepted(@Payload() accepted: EventEnvelope): Promise<OutgoingRecord[]> {
    return processOnce(this.processed, accepted.eventId, () => this.risk.assess(accepted));
  }
}
