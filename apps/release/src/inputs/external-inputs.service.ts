import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { EventEnvelope, TopicName } from '@customs/contracts';
import { checkMrn, ReleaseState } from '@customs/domain';
import { KafkaPublisher } from '@customs/messaging';
import { ReleaseRecord, ReleaseRecordRepository } from '@customs/persistence';
import { KAFKA_PUBLISHER, producerName } from '@customs/platform';
import { externalInputId, externalInputRecord } from './external-input.factory';

const PRODUCER = producerName('release');

/** A declaration as release knows it, for the HTTP inputs to check against. */
export interface KnownDeclaration {
  mrn: string;
  lrn: string;
  record: ReleaseRecord<ReleaseState>;
  state: ReleaseState;
  tail: EventEnvelope | null;
}

export interface PublishedInput {
  eventId: string;
  /** True when an input with this idempotency key had already been taken. */
  duplicate: boolean;
}

/**
 * What the HTTP inputs (officers, payment systems) share: finding the declaration in
 * release's records and publishing the input on its topic, where the release handler takes
 * it like any other (the API never changes release state itself: one writer per MRN).
 */
@Injectable()
export class ExternalInputsService {
  constructor(
    private readonly records: ReleaseRecordRepository,
    @Inject(KAFKA_PUBLISHER) private readonly publisher: KafkaPublisher,
  ) {}

  /** 400 for a malformed MRN, 404 for one release does not know (yet). */
  async find(rawMrn: string): Promise<KnownDeclaration> {
    const check = checkMrn(rawMrn);
    if (!check.valid) throw new BadRequestException(check.problems.map((p) => `mrn: ${p}`));
    const record = await this.records.get<ReleaseState>(check.mrn);
    const state = record?.state ?? null;
    const tail = (record?.tail as EventEnvelope | null) ?? null;
    const lrn = tail?.lrn ?? state?.valued?.payload.declaration.lrn;
    if (!record || !state || !lrn)
      throw new NotFoundException(
        `declaration ${check.mrn} is not known to release (not valued yet?)`,
      );
    return { mrn: check.mrn, lrn, record, state, tail };
  }

  /** 409 once released, refused or invalidated: nothing changes a final decision. */
  requireOpen(d: KnownDeclaration): void {
    const status = d.state.status;
    if (status === 'released' || status === 'refused' || status === 'invalidated')
      throw new ConflictException(`declaration ${d.mrn} is already ${d.state.status}`);
  }

  /**
   * The input already taken for this idempotency key, if any: a retried request is answered
   * as the first one was, before any check that the first one's effect would now fail.
   */
  alreadyTaken(d: KnownDeclaration, type: string, idempotencyKey?: string): PublishedInput | null {
    if (!idempotencyKey) return null;
    const eventId = externalInputId(d.mrn, type, idempotencyKey);
    return d.state.processedEventIds.includes(eventId) ? { eventId, duplicate: true } : null;
  }

  /** Publishes the input on its topic, keyed by MRN, and returns its event id. */
  async publish<P>(
    d: KnownDeclaration,
    topic: TopicName,
    type: string,
    payload: P,
    idempotencyKey?: string,
  ): Promise<PublishedInput> {
    const record = externalInputRecord({
      topic,
      type,
      mrn: d.mrn,
      lrn: d.lrn,
      payload,
      producer: PRODUCER,
      occurredAt: new Date().toISOString(),
      about: d.tail,
      idempotencyKey,
    });
    await this.publisher.publish([record]);
    return { eventId: record.value.eventId, duplicate: false };
  }
}
