import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  ControlResultPayload,
  EVENT_TYPES,
  EventEnvelope,
  PaymentPayload,
  TOPICS,
  ValuedPayload,
} from '@customs/contracts';
import { OutgoingRecord } from '@customs/messaging';
import { requireVersion } from '@customs/platform';
import { ReleaseDecisionService } from './release-decision.service';

/** The three streams release decides on; they may arrive in any order, and more than once. */
@Controller()
export class ReleaseInputsHandler {
  constructor(private readonly release: ReleaseDecisionService) {}

  @EventPattern(TOPICS.valued)
  onValued(@Payload() e: EventEnvelope): Promise<OutgoingRecord[]> {
    requireVersion(e, EVENT_TYPES.valued, [1]);
    return this.release.apply(e, {
      type: 'valued',
      eventId: e.eventId,
      mrn: e.mrn!,
      occurredAt: e.occurredAt,
      payload: e.payload as ValuedPayload,
    });
  }

  @EventPattern(TOPICS.payments)
  onPayment(@Payload() e: EventEnvelope): Promise<OutgoingRecord[]> {
    requireVersion(e, EVENT_TYPES.payment, [1]);
    return this.release.apply(e, {
      type: 'payment',
      eventId: e.eventId,
      mrn: e.mrn!,
      occurredAt: e.occurredAt,
      payload: e.payload as PaymentPayload,
    });
  }

  @EventPattern(TOPICS.controlResults)
  onControlResult(@Payload() e: EventEnvelope): Promise<OutgoingRecord[]> {
    requireVersion(e, EVENT_TYPES.controlResult, [1]);
    return this.release.apply(e, {
      type: 'control-result',
      eventId: e.eventId,
      mrn: e.mrn!,
      occurredAt: e.occurredAt,
      payload: e.payload as ControlResultPayload,
    });
  }
}
