import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  ControlResultPayload,
  EVENT_TYPES,
  EventEnvelope,
  InvalidationRequestedPayload,
  OfficerDecisionPayload,
  PaymentPayload,
  TOPICS,
  ValuedPayload,
} from '@customs/contracts';
import { AmendmentRequestPayload } from '@customs/domain';
import { KafkaEventContext, OutgoingRecord } from '@customs/messaging';
import { requireVersion } from '@customs/platform';
import { ReleaseDecisionService } from './release-decision.service';

/** Where a record was read, to tell a redelivery from a second copy of an input. */
const sourceOf = (ctx: KafkaEventContext): string | undefined =>
  ctx?.record ? `${ctx.record.topic}/${ctx.record.partition}/${ctx.record.offset}` : undefined;

/** The four streams release decides on (six inputs); they may arrive in any order, and more than once. */
@Controller()
export class ReleaseInputsHandler {
  constructor(private readonly release: ReleaseDecisionService) {}

  @EventPattern(TOPICS.valued)
  onValued(@Payload() e: EventEnvelope, @Ctx() ctx: KafkaEventContext): Promise<OutgoingRecord[]> {
    requireVersion(e, EVENT_TYPES.valued, [1]);
    return this.release.apply(
      e,
      {
        type: 'valued',
        eventId: e.eventId,
        mrn: e.mrn!,
        occurredAt: e.occurredAt,
        payload: e.payload as ValuedPayload,
      },
      sourceOf(ctx),
    );
  }

  @EventPattern(TOPICS.payments)
  onPayment(@Payload() e: EventEnvelope, @Ctx() ctx: KafkaEventContext): Promise<OutgoingRecord[]> {
    requireVersion(e, EVENT_TYPES.payment, [1]);
    return this.release.apply(
      e,
      {
        type: 'payment',
        eventId: e.eventId,
        mrn: e.mrn!,
        occurredAt: e.occurredAt,
        payload: e.payload as PaymentPayload,
      },
      sourceOf(ctx),
    );
  }

  /**
   * Officers' inputs share one topic (keyed by MRN, so a declaration's controls and its
   * decision stay in order): dispatched by event type; any other type is refused by name
   * and goes to the dead-letter topic.
   */
  @EventPattern(TOPICS.controlResults)
  onOfficerInput(
    @Payload() e: EventEnvelope,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<OutgoingRecord[]> {
    switch (e.type) {
      case EVENT_TYPES.controlResult:
        requireVersion(e, EVENT_TYPES.controlResult, [1]);
        return this.release.apply(
          e,
          {
            type: 'control-result',
            eventId: e.eventId,
            mrn: e.mrn!,
            occurredAt: e.occurredAt,
            payload: e.payload as ControlResultPayload,
          },
          sourceOf(ctx),
        );
      case EVENT_TYPES.officerDecision:
        requireVersion(e, EVENT_TYPES.officerDecision, [1]);
        return this.release.apply(
          e,
          {
            type: 'officer-decision',
            eventId: e.eventId,
            mrn: e.mrn!,
            occurredAt: e.occurredAt,
            payload: e.payload as OfficerDecisionPayload,
          },
          sourceOf(ctx),
        );
      default:
        throw Object.assign(
          new Error(
            `${TOPICS.controlResults} carries ${EVENT_TYPES.controlResult} or ${EVENT_TYPES.officerDecision}, not ${String(e.type)}`,
          ),
          { retryable: false, code: 'UNEXPECTED_EVENT_TYPE' },
        );
    }
  }

  /**
   * Amendment and invalidation requests (intake's, and officers' corrections): release holds
   * each declaration's chain tail, so it is the one to append their links. Dispatched by
   * type; any other type is refused by name and goes to the dead-letter topic.
   */
  @EventPattern(TOPICS.amendments)
  onChangeRequest(
    @Payload() e: EventEnvelope,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<OutgoingRecord[]> {
    switch (e.type) {
      case EVENT_TYPES.amendmentRequested:
        requireVersion(e, EVENT_TYPES.amendmentRequested, [1]);
        return this.release.apply(
          e,
          {
            type: 'amendment-requested',
            eventId: e.eventId,
            mrn: e.mrn!,
            occurredAt: e.occurredAt,
            payload: e.payload as AmendmentRequestPayload,
          },
          sourceOf(ctx),
        );
      case EVENT_TYPES.invalidationRequested:
        requireVersion(e, EVENT_TYPES.invalidationRequested, [1]);
        return this.release.apply(
          e,
          {
            type: 'invalidation-requested',
            eventId: e.eventId,
            mrn: e.mrn!,
            occurredAt: e.occurredAt,
            payload: e.payload as InvalidationRequestedPayload,
          },
          sourceOf(ctx),
        );
      default:
        throw Object.assign(
          new Error(
            `${TOPICS.amendments} carries ${EVENT_TYPES.amendmentRequested} or ${EVENT_TYPES.invalidationRequested}, not ${String(e.type)}`,
          ),
          { retryable: false, code: 'UNEXPECTED_EVENT_TYPE' },
        );
    }
  }
}
