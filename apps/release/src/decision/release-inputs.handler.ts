import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EVENT_TYPES, EventEnvelope, TOPICS } from '@customs/contracts';
import { ReleaseInput } from '@customs/domain';
import { KafkaEventContext, OutgoingRecord } from '@customs/messaging';
import { requireVersion } from '@customs/platform';
import { ReleaseDecisionService } from './release-decision.service';

/** Where a record was read, to tell a redelivery from a second copy of an input. */
const sourceOf = (ctx: KafkaEventContext): string | undefined =>
  ctx?.record ? `${ctx.record.topic}/${ctx.record.partition}/${ctx.record.offset}` : undefined;

/** Which reducer input each event type becomes, per input topic. */
const CONTROL_INPUTS = {
  [EVENT_TYPES.controlResult]: 'control-result',
  [EVENT_TYPES.officerDecision]: 'officer-decision',
} as const;
const CHANGE_INPUTS = {
  [EVENT_TYPES.amendmentRequested]: 'amendment-requested',
  [EVENT_TYPES.invalidationRequested]: 'invalidation-requested',
} as const;

/** The four streams release decides on (six inputs); they may arrive in any order, and more than once. */
@Controller()
export class ReleaseInputsHandler {
  constructor(private readonly release: ReleaseDecisionService) {}

  @EventPattern(TOPICS.valued)
  onValued(@Payload() e: EventEnvelope, @Ctx() ctx: KafkaEventContext): Promise<OutgoingRecord[]> {
    return this.dispatch(TOPICS.valued, { [EVENT_TYPES.valued]: 'valued' }, e, ctx);
  }

  @EventPattern(TOPICS.payments)
  onPayment(@Payload() e: EventEnvelope, @Ctx() ctx: KafkaEventContext): Promise<OutgoingRecord[]> {
    return this.dispatch(TOPICS.payments, { [EVENT_TYPES.payment]: 'payment' }, e, ctx);
  }

  /**
   * Officers' inputs share one topic (keyed by MRN, so a declaration's controls and its
   * decision stay in order): dispatched by event type.
   */
  @EventPattern(TOPICS.controlResults)
  onOfficerInput(
    @Payload() e: EventEnvelope,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<OutgoingRecord[]> {
    return this.dispatch(TOPICS.controlResults, CONTROL_INPUTS, e, ctx);
  }

  /**
   * Amendment and invalidation requests (intake's, and officers' corrections): release holds
   * each declaration's chain tail, so it is the one to append their links.
   */
  @EventPattern(TOPICS.amendments)
  onChangeRequest(
    @Payload() e: EventEnvelope,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<OutgoingRecord[]> {
    return this.dispatch(TOPICS.amendments, CHANGE_INPUTS, e, ctx);
  }

  /**
   * One event as the reducer input its type names on this topic (schema version 1); any
   * other type is refused by name and goes to the dead-letter topic.
   */
  private dispatch(
    topic: string,
    inputs: Readonly<Record<string, ReleaseInput['type']>>,
    e: EventEnvelope,
    ctx: KafkaEventContext,
  ): Promise<OutgoingRecord[]> {
    const type = Object.prototype.hasOwnProperty.call(inputs, e.type) ? inputs[e.type] : undefined;
    if (!type) {
      throw Object.assign(
        new Error(`${topic} carries ${Object.keys(inputs).join(' or ')}, not ${String(e.type)}`),
        { retryable: false, code: 'UNEXPECTED_EVENT_TYPE' },
      );
    }
    requireVersion(e, e.type, [1]);
    // The payload's shape is the contract of its event type; the reducer checks what it uses.
    const input = {
      type,
      eventId: e.eventId,
      mrn: e.mrn!,
      occurredAt: e.occurredAt,
      payload: e.payload,
    } as ReleaseInput;
    return this.release.apply(e, input, sourceOf(ctx));
  }
}
