import { Controller, Get, Query } from '@nestjs/common';
import { ValuedPayload } from '@customs/contracts';
import { ControlKind, pendingControls, ReleaseState } from '@customs/domain';
import { ReleaseRecord, ReleaseRecordRepository } from '@customs/persistence';
import { Roles } from '@customs/platform';
import { WorkQueueQueryDto } from './work-queue-query.dto';

const DEFAULT_LIMIT = 100;

/**
 * What officers have to do: held declarations awaiting a documentary check or a physical
 * inspection, in MRN order, by office and border post. Read from release's own records, so
 * a result just recorded leaves the queue once the release handler has taken it.
 */
@Controller('work-queues')
@Roles('officer', 'auditor', 'admin')
export class WorkQueuesController {
  constructor(private readonly records: ReleaseRecordRepository) {}

  @Get('documentary-checks')
  documentaryChecks(@Query() q: WorkQueueQueryDto) {
    return this.queue('documentary-check', q);
  }

  @Get('inspections')
  inspections(@Query() q: WorkQueueQueryDto) {
    return this.queue('physical-inspection', q);
  }

  private async queue(control: ControlKind, q: WorkQueueQueryDto) {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const records = (await this.records.findWaiting({
      requirement: control,
      office: q.office,
      borderPost: q.borderPost,
      after: q.cursor,
      limit,
    })) as ReleaseRecord<ReleaseState>[];
    const items = records
      .filter((r) => pendingControls(r.state).includes(control))
      .map((r) => item(r));
    return {
      control,
      items,
      // A full page may have more behind it; a short one is the end of the queue for now.
      nextCursor: records.length === limit ? records[records.length - 1].mrn : null,
    };
  }
}

function item(r: ReleaseRecord<ReleaseState>) {
  const valued = r.state.valued?.payload as ValuedPayload | undefined;
  return {
    mrn: r.mrn,
    lrn: valued?.declaration.lrn ?? null,
    office: r.office,
    borderPost: r.borderPost,
    declarantId: r.declarantId,
    channel: valued?.risk.channel ?? null,
    riskScore: valued?.risk.score ?? null,
    riskReasons: valued?.risk.hits.filter((h) => h.selected !== false).map((h) => h.reason) ?? [],
    valuationAlerts: valued?.valuation.alerts.map((a) => a.code) ?? [],
    totalToPay: valued?.valuation.totalToPay ?? null,
    currency: valued?.valuation.currency ?? null,
    pendingControls: pendingControls(r.state),
    waitingFor: r.state.waitingFor,
  };
}
