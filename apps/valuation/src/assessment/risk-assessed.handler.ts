import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventEnvelope, TOPICS } from '@customs/contracts';
import { OutgoingRecord } from '@customs/messaging';
import { ProcessedEventRepository } from '@customs/persistence';
import { processOnce } from '@customs/platform';
import { ValuationService } from './valuation.service';

@Controller()
export class RiskAssessedHandler {
  constructor(
    private readonly valuation: ValuationService,
    private readonly processed: ProcessedEventRepository,
  ) {}

  @EventPattern(TOPICS.riskAssessed)
  onRiskAssessed(@Payload() assessed: EventEnvelope): Promise<OutgoingRecord[]> {
    return processOnce(this.processed, assessed.eventId, () => this.valuation.value(assessed));
  }
}
