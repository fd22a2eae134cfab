import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@customs/contracts';
import { BatchItem, MalformedBatchItem, OutgoingRecord } from '@customs/messaging';
import { LodgementService } from './lodgement.service';

@Controller()
export class SubmittedHandler {
  constructor(private readonly lodgement: LodgementService) {}

  /**
   * A chunk of one partition at a time (one bulk lookup and one bulk insert per chunk).
   * Malformed records are delivered too, in their place: a border post is told why, and the
   * partition moves on.
   */
  @EventPattern(TOPICS.submitted, { batch: true, malformed: 'deliver' })
  onSubmitted(@Payload() items: (BatchItem | MalformedBatchItem)[]): Promise<OutgoingRecord[]> {
    return this.lodgement.decideSubmissions(
      items.map((i) => ({
        input: 'envelope' in i ? i.envelope : i.malformed,
        origin: { topic: i.record.topic, partition: i.record.partition, offset: i.record.offset },
        signer: i.record.signer,
      })),
    );
  }
}
