import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@customs/contracts';
import { BatchItem, OutgoingRecord } from '@customs/messaging';
import {
  ProcessedEventRepository,
  RiskAssessmentRecord,
  RiskAssessmentRecordRepository,
} from '@customs/persistence';
import { processBatchOnce, sourceOf } from '@customs/platform';
import { RiskAssessmentService } from './risk-assessment.service';

@Controller()
export class AcceptedHandler {
  constructor(
    private readonly risk: RiskAssessmentService,
    private readonly processed: ProcessedEventRepository,
    private readonly records: RiskAssessmentRecordRepository,
  ) {}

  /**
   * DeclarationAccepted, and DeclarationAmended (release's link for an amended version), a
   * chunk at a time: one bulk lookup, one bulk insert of the processed inputs and one of the
   * statistics records, whatever the chunk's size.
   */
  @EventPattern(TOPICS.accepted, { batch: true })
  async onAccepted(@Payload() items: BatchItem[]): Promise<OutgoingRecord[]> {
    const outputs = await processBatchOnce(
      this.processed,
      items.map((i) => ({
        inputId: i.envelope.eventId,
        source: sourceOf(i.record),
        envelope: i.envelope,
      })),
      async (fresh) => {
        const decided = new Map<string, OutgoingRecord[]>();
        for (const f of fresh) decided.set(f.inputId, await this.risk.assess(f.envelope));
        return decided;
      },
    );
    await this.records.recordMany(this.recordsOf(outputs));
    return outputs;
  }

  /**
   * Recorded from the outputs processBatchOnce returns (on redelivery: the stored ones), so
   * the statistics always count the decision that is published, once per MRN (an amended
   * version's re-assessment gives no record: see RiskAssessmentService.recordOf). Each input
   * yields at most one risk-assessed record, so taking them one by one is taking them per
   * input; the first of an MRN stands, as it would record by record.
   */
  private recordsOf(outputs: OutgoingRecord[]): RiskAssessmentRecord[] {
    const byMrn = new Map<string, RiskAssessmentRecord>();
    for (const o of outputs) {
      const record = this.risk.recordOf([o]);
      if (record && !byMrn.has(record.mrn)) byMrn.set(record.mrn, record);
    }
    return [...byMrn.values()];
  }
}
