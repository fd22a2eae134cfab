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
  IdempotencyClaim,
  IdempotencyKeyRepository,
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
  | { kind: 'conflict'; mrn: string; code: 'DUPLICATE_LRN_CONFLICT' | 'IDEMPOTENCY_KEY_CONFLICT' }
  | { kind: 'duplicate'; mrn: string; status: 'accepted' | 'submitted' }
  | { kind: 'submitted'; mrn: string; eventId: string };

/** A claim whose submission was never marked published is republished after this long. */
const REPUBLISH_AFTER_MS = 10_000;

/** RFC draft "Idempotency-Key": an opaque string; we take up to 255 visible ASCII characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function idempotencyKeyProblem(key: string | undefined): RejectionReason | null {
  if (key === undefined || IDEMPOTENCY_KEY.test(key)) return null;
  return {
    code: 'INVALID_IDEMPOTENCY_KEY',
    path: 'headers.idempotency-key',
    message: 'Idempotency-Key must be 1 to 255 visible ASCII characters',
  };
}

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
    private readonly claims: IdempotencyKeyRepository,
    @Inject(KAFKA_PUBLISHER) private readonly publisher: KafkaPublisher,
  ) {}

  /**
   * Lodging over HTTP, idempotent per declarant and key: `Idempotency-Key` when the request
   * has one, else the LRN. The first request to claim (declarant, key) in the store (a unique
   * _id, so the race is decided by the store whichever replica each request reaches)
   * publishes the submission and answers 202; any later request with the same key and the
   * same declaration gets the same MRN with 200, one with another declaration 409. An LRN
   * already lodged (under any key, or from the topic) answers the same way. The MRN derives
   * from declarant and LRN, so every answer names the MRN the consumer will assign.
   */
  async lodgeOverHttp(
    body: unknown,
    options: { idempotencyKey?: string; traceparent?: string } = {},
  ): Promise<LodgeResult> {
    const keyProblem = idempotencyKeyProblem(options.idempotencyKey);
    if (keyProblem) return { kind: 'invalid', reasons: [keyProblem] };
    const now = new Date().toISOString();
    const validation = await this.validator.validate(body, now);
    if (!validation.ok) return { kind: 'invalid', reasons: validation.reasons };
    const declaration = validation.declaration;
    const hash = payloadHash(declaration);
    const declarantId = declaration.declarant.id;
    const key =
      options.idempotencyKey !== undefined
        ? `key:${options.idempotencyKey}`
        : `lrn:${declaration.lrn}`;

    const prior = await this.claims.find(declarantId, key);
    if (prior) return this.answerClaimed(prior, hash, options.traceparent);
    const lodged = await this.lodgements.findByDeclarantLrn(declarantId, declaration.lrn);
    if (lodged) {
      return lodged.payloadHash === hash
        ? { kind: 'duplicate', mrn: lodged.mrn, status: 'accepted' }
        : { kind: 'conflict', mrn: lodged.mrn, code: 'DUPLICATE_LRN_CONFLICT' };
    }

    const submitted = firstEvent<SubmittedPayload>({
      type: EVENT_TYPES.submitted,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      lrn: declaration.lrn,
      producer: PRODUCER,
      occurredAt: now,
      payload: { declaration, channel: 'http' },
    });
    const claim: IdempotencyClaim = {
      declarantId,
      key,
      lrn: declaration.lrn,
      payloadHash: hash,
      mrn: mrnFor(declaration, now),
      submittedEventId: submitted.eventId,
      submitted: JSON.stringify(submitted),
      published: false,
      claimedAt: now,
    };
    const claimed = await this.claims.claim(claim);
    if (!claimed.claimed) return this.answerClaimed(claimed.existing, hash, options.traceparent);
    await this.publishClaim(claim, options.traceparent);
    return { kind: 'submitted', mrn: claim.mrn, eventId: submitted.eventId };
  }

  /** The answer to a request whose key another request claimed first. */
  private async answerClaimed(
    claim: IdempotencyClaim,
    hash: string,
    traceparent?: string,
  ): Promise<LodgeResult> {
    const lodged = await this.lodgements.findByDeclarantLrn(claim.declarantId, claim.lrn);
    const mrn = lodged?.mrn ?? claim.mrn;
    if (claim.payloadHash !== hash)
      return {
        kind: 'conflict',
        mrn,
        // Without a header the LRN is the key: say so in the LRN's terms.
        code: claim.key.startsWith('lrn:') ? 'DUPLICATE_LRN_CONFLICT' : 'IDEMPOTENCY_KEY_CONFLICT',
      };
    // The first request died between its claim and its publish: publish the very same
    // record for it (same event id, so the consumer decides it once however often it comes).
    if (
      !lodged &&
      !claim.published &&
      Date.now() - Date.parse(claim.claimedAt) > REPUBLISH_AFTER_MS
    )
      await this.publishClaim(claim, traceparent);
    return { kind: 'duplicate', mrn, status: lodged ? 'accepted' : 'submitted' };
  }

  private async publishClaim(claim: IdempotencyClaim, traceparent?: string): Promise<void> {
    const submitted = JSON.parse(claim.submitted) as EventEnvelope<SubmittedPayload>;
    await this.publisher.publish(
      [{ topic: TOPICS.submitted, key: claim.lrn, value: submitted }],
      traceparent,
    );
    await this.claims.markPublished(claim.declarantId, claim.key);
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
    // Judged by the reference data in force when it was lodged (the submission's instant).
    const validation = await this.validator.validate(raw, submitted.occurredAt);
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
      const nomenclature = validation.nomenclatureVersion;
      if (created.created) return this.accept(submitted, declaration, lodgement, nomenclature);
      const existing = created.existing;
      if (existing.submittedEventId === submitted.eventId)
        return this.accept(submitted, declaration, existing, nomenclature);
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
    nomenclatureVersion: string,
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
          referenceData: { nomenclature: nomenclatureVersion },
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
