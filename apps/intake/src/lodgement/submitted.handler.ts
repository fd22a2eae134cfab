import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventEnvelope, TOPICS } from '@customs/contracts';
import { KafkaEventContext, MalformedRecord, OutgoingRecord } from '@customs/messaging';
import { LodgementService } from './lodgement.service';

@Controller()
export class SubmittedHandler {
  constructor(private readonly lodgement: LodgementService) {}

  /** Malformed records are delivered too: a border post is told why, and the partition moves on. */
  @EventPattern(TOPICS.submitted, { malformed: 'deliver' })
  onSubmitted(
    @Payload() input: EventEnvelope | MalformedRecord,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<OutgoingRecord[]> {
    const { topic, partition, offset } = ctx.record;
    return this.lodgement.decideSubmission(input, { topic, partition, offset });
  }
}
