import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import canonicalize from 'canonicalize';
import {
  AcceptedPayload,
  CURRENT_SCHEMA_VERSION,
  Declaration,
  derivedEventId,
  EVENT_TYPES,
  EventEnvelope,
  firstEvent,
  nextEvent,
  RejectedPayload,
  RejectionReason,
  sealEnvelope,
  SubmittedPayload,
  TOPICS,
} from '@customs/contracts';
import { assignMrn } from '@customs/domain';
import { MalformedRecord, OutgoingRecord } from '@customs/messaging';
import {
  Lodgement,
  LodgementRepository,
  ProcessedEventRepository,
  TimelineRepository,
} from '@customs/persistence';
import { KAFKA_PUBLISHER, notificationRecords, processOnce, producerName } from '@customs/platform';
import { KafkaPublisher } from '@customs/messaging';
import { DeclarationValidator } from './declaration.validator';
import { timelineEntry } from '../timeline/timeline-entry.mapper';

const PRODUCER = producerName('intake');
const SUPPORTED_SUBMITTED_VERSIONS = [1];

export function payloadHash(declaration: Declaration): string {
  return createHash('sha256')
    .update(canonicalize(declaration) ?? '')
    .digest('hex');
}

export function mrnFor(declaration: Declaration, at: string, salt = 0): string {
  return assignMrn({
    year: new Date(at).getUTCFullYear(),
    country: declaration.officeOfLodgement.slice(0, 2),
    declarantId: declaration.declarant.id,
    lrn: declaration.lrn,
    declarationType: declaration.declarationType,
    salt,
  });
}

export type LodgeResult =
  | { kind: 'invalid'; reasons: RejectionReason[] }
  | { kind: 'conflict'; mrn: string }
  | { kind: 'duplicate'; mrn: string; status: 'accepted' }
  | { kind: 'submitted'; mrn: string; eventId: string };

/**
 * The intake use cases: lodging over HTTP (validate, then publish the submission) and
 * deciding a submission from the topic (accept with an MRN, or reject with reasons).
 */
@Injectable()
export class LodgementService {
  private readonly logger = new Logger(LodgementService.name);

  constructor(
    private readonly validator: DeclarationValidator,
    private readonly lodgements: LodgementRepository,
    private readonly processed: ProcessedEventRepository,
    private readonly timeline: TimelineRepository,
    @Inject(KAFKA_PUBLISHER) private readonly publisher: KafkaPublisher,
  ) {}

  async lodgeOverHttp(body: unknown, traceparent?: string): Promise<LodgeResult> {
    const now = new Date().toISOString();
    const validation = this.validator.validate(body, now.slice(0, 10));
    if (!validation.ok) return { kind: 'invalid', reasons: validation.reasons };
    const declaration = validation.declaration;
    const existing = await this.lodgements.findByDeclarantLrn(
      declaration.declarant.id,
      declaration.lrn,
    );
    if (existing) {
      return existing.payloadHash === payloadHash(declaration)
        ? { kind: 'duplicate', mrn: existing.mrn, status: 'accepted' }
        : { kind: 'conflict', mrn: existing.mrn };
    }
    const submitted = firstEvent<SubmittedPayload>({
      type: EVENT_TYPES.submitted,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      lrn: declaration.lrn,
      producer: PRODUCER,
      occurredAt: now,
      payload: { declaration, channel: 'http' },
    });
    await this.publisher.publish(
      [{ topic: TOPICS.submitted, key: declaration.lrn, value: submitted }],
      traceparent,
    );
    return { kind: 'submitted', mrn: mrnFor(declaration, now), eventId: submitted.eventId };
  }

  /** Decides one record of the submitted topic. Redelivery returns the same records. */
  async decideSubmission(
    input: EventEnvelope | MalformedRecord,
    origin: { topic: string; partition: number; offset: string },
  ): Promise<OutgoingRecord[]> {
    const malformed = 'malformed' in input;
    // A malformed record has no trustworthy id: its position in the log is its identity.
    const inputId = malformed
      ? derivedEventId(`${origin.topic}:${origin.partition}:${origin.offset}`, 'Malformed')
      : input.eventId;
    return processOnce(this.processed, inputId, () =>
      malformed
        ? this.rejectMalformed(input, inputId, origin)
        : this.decide(input as EventEnvelope<SubmittedPayload>),
    );
  }

  private async decide(submitted: EventEnvelope<SubmittedPayload>): Promise<OutgoingRecord[]> {
    if (submitted.type !== EVENT_TYPES.submitted) {
      return this.reject(submitted, [
        {
          code: 'UNEXPECTED_EVENT_TYPE',
          path: 'type',
          message: `expected ${EVENT_TYPES.submitted}, got ${submitted.type}`,
        },
      ]);
    }
    if (!SUPPORTED_SUBMITTED_VERSIONS.includes(submitted.schemaVersion)) {
      return this.reject(submitted, [
        {
          code: 'UNSUPPORTED_SCHEMA_VERSION',
          path: 'schemaVersion',
          message: `schemaVersion ${submitted.schemaVersion} is not supported; supported: ${SUPPORTED_SUBMITTED_VERSIONS.join(', ')}`,
        },
      ]);
    }
    if (submitted.sequence !== 1 || submitted.prevHash !== null) {
      return this.reject(submitted, [
        {
          code: 'NOT_A_CHAIN_START',
          path: 'sequence',
          message: 'a submission starts a chain: sequence 1, prevHash null',
        },
      ]);
    }
    const raw = (submitted.payload as Partial<SubmittedPayload>)?.declaration;
    const validation = this.validator.validate(raw, submitted.occurredAt.slice(0, 10));
    if (!validation.ok)
      return this.reject(
        submitted,
        validation.reasons.map((r) => ({
          ...r,
          path: r.path ? `payload.declaration.${r.path}` : 'payload.declaration',
        })),
      );
    const declaration = validation.declaration;
    if (declaration.lrn !== submitted.lrn) {
      return this.reject(submitted, [
        {
          code: 'LRN_MISMATCH',
          path: 'lrn',
          message: 'envelope lrn differs from the declaration lrn',
        },
      ]);
    }

    const hash = payloadHash(declaration);
    for (let salt = 0; salt < 3; salt++) {
      const mrn = mrnFor(declaration, submitted.occurredAt, salt);
      const lodgement: Lodgement = {
        mrn,
        declarantId: declaration.declarant.id,
        lrn: declaration.lrn,
        payloadHash: hash,
        submittedEventId: submitted.eventId,
        acceptedAt: new Date().toISOString(),
      };
      const created = await this.lodgements.create(lodgement);
      if (created.created) return this.accept(submitted, declaration, lodgement);
      const existing = created.existing;
      if (existing.submittedEventId === submitted.eventId)
        return this.accept(submitted, declaration, existing);
      if (existing.declarantId === declaration.declarant.id && existing.lrn === declaration.lrn) {
        if (existing.payloadHash === hash) {
          this.logger.log(
            `resubmission of ${declaration.lrn} by ${declaration.declarant.id}: already ${existing.mrn}`,
          );
          return [];
        }
        return this.reject(submitted, [
          {
            code: 'DUPLICATE_LRN_CONFLICT',
            path: 'payload.declaration.lrn',
            message: `LRN already lodged as ${existing.mrn} with a different content`,
          },
        ]);
      }
      // Another lodgement owns this MRN (a hash collision): try the next salt.
    }
    throw new Error(`could not assign a unique MRN to ${declaration.lrn}`);
  }

  private async accept(
    submitted: EventEnvelope,
    declaration: Declaration,
    lodgement: Lodgement,
  ): Promise<OutgoingRecord[]> {
    const accepted = nextEvent<AcceptedPayload>(submitted, {
      type: EVENT_TYPES.accepted,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      producer: PRODUCER,
      mrn: lodgement.mrn,
      occurredAt: lodgement.acceptedAt,
      payload: {
        declaration,
        acceptance: {
          mrn: lodgement.mrn,
          acceptedAt: lodgement.acceptedAt,
          referenceData: { nomenclature: this.validator.nomenclatureVersion },
        },
      },
    });
    const head = {
      mrn: lodgement.mrn,
      lrn: declaration.lrn,
      declarantId: declaration.declarant.id,
      borderPost: declaration.borderPost,
    };
    await this.timeline.append(head, timelineEntry(submitted, TOPICS.submitted));
    await this.timeline.append(head, timelineEntry(accepted, TOPICS.accepted));
    return [
      { topic: TOPICS.accepted, key: lodgement.mrn, value: accepted },
      ...notificationRecords(
        accepted,
        {
          code: '01',
          text: `Declaration accepted as ${lodgement.mrn}`,
          declarantId: declaration.declarant.id,
          borderPost: declaration.borderPost,
        },
        PRODUCER,
      ),
    ];
  }

  private reject(submitted: EventEnvelope, reasons: RejectionReason[]): OutgoingRecord[] {
    const rejected = nextEvent<RejectedPayload>(submitted, {
      type: EVENT_TYPES.rejected,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      producer: PRODUCER,
      mrn: null,
      payload: { submission: submitted.payload, reasons },
    });
    const decl = (submitted.payload as { declaration?: Partial<Declaration> }).declaration;
    const declarantId = typeof decl?.declarant?.id === 'string' ? decl.declarant.id : 'unknown';
    const borderPost = typeof decl?.borderPost === 'string' ? decl.borderPost : 'unknown';
    return [
      { topic: TOPICS.rejected, key: submitted.lrn, value: rejected },
      ...notificationRecords(
        rejected,
        {
          code: '03',
          text: `Declaration rejected: ${reasons.map((r) => r.code).join(', ')}`,
          declarantId,
          borderPost,
        },
        PRODUCER,
      ),
    ];
  }

  /** A record that is not even an envelope still gets a rejection, keyed as it came. */
  private rejectMalformed(
    input: MalformedRecord,
    inputId: string,
    origin: { topic: string; partition: number; offset: string },
  ): OutgoingRecord[] {
    const lrn = input.key || 'UNKNOWN';
    const eventId = derivedEventId(inputId, EVENT_TYPES.rejected);
    const rejected = sealEnvelope<RejectedPayload>({
      eventId,
      type: EVENT_TYPES.rejected,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      mrn: null,
      lrn,
      sequence: 1,
      occurredAt: new Date().toISOString(),
      producer: PRODUCER,
      correlationId: eventId,
      causationId: null,
      prevHash: null,
      payload: {
        submission: { raw: input.value?.slice(0, 10000) ?? null, origin },
        reasons: [{ code: input.code, path: '', message: input.error }],
      },
    });
    return [
      { topic: TOPICS.rejected, key: lrn, value: rejected },
      ...notificationRecords(
        rejected,
        {
          code: '03',
          text: `Submission rejected: ${input.code}`,
          declarantId: lrn,
          borderPost: 'unknown',
        },
        PRODUCER,
      ),
    ];
  }
}
