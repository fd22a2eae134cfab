import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@customs/contracts';
import { BatchItem, OutgoingRecord } from '@customs/messaging';
import { ProcessedEventRepository } from '@customs/persistence';
import { processBatchOnce, sourceOf } from '@customs/platform';
import { ValuationService } from './valuation.service';

@Controller()
export class RiskAssessedHandler {
  constructor(
    private readonly valuation: ValuationService,
    private readonly processed: ProcessedEventRepository,
  ) {}

  /** A chunk at a time: one bulk lookup and one bulk insert instead of two round trips each. */
  @EventPattern(TOPICS.riskAssessed, { batch: true })
  onRiskAssessed(@Payload() items: BatchItem[]): Promise<OutgoingRecord[]> {
    return processBatchOnce(
      this.processed,
      items.map((i) => ({
        inputId: i.envelope.eventId,
        source: sourceOf(i.record),
        envelope: i.envelope,
      })),
      async (fresh) => {
        const outputs = new Map<string, OutgoingRecord[]>();
        for (const f of fresh) outputs.set(f.inputId, await this.valuation.value(f.envelope));
        return outputs;
      },
    );
  }
}
