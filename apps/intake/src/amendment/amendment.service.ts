import type { AmendmentRequestedPayload, InvalidationRequestedPayload } from '@customs/contracts';
import { Inject, Injectable } from '@nestjs/common';
import {
  CURRENT_SCHEMA_VERSION,
  derivedEventId,
  EventEnvelope,
  RejectionReason,
  sealEnvelope,
} from '@customs/contracts';
import { checkMrn } from '@customs/domain';
import { KafkaPublisher, OutgoingRecord } from '@customs/messaging';
import {
  DeclarationVersion,
  DeclarationVersionRepository,
  Lodgement,
  LodgementRepository,
  TimelineRepository,
} from '@customs/persistence';
import { KAFKA_PUBLISHER, notificationRecords, producerName } from '@customs/platform';
import { createHash } from 'node:crypto';
import { DeclarationValidator } from '../lodgement/declaration.validator';
import { payloadHash } from '../lodgement/lodgement.service';
import { statusOf } from '../timeline/timeline-entry.mapper';
import { amendmentIdentityProblems, ChangeRefusal, changeRefusal } from './amendment.rules';
import { AMENDMENT_EVENT_TYPES, AMENDMENTS_TOPIC } from './amendment.topic';

const PRODUCER = producerName('intake');
const REPUBLISH_AFTER_MS = 10_000;

export type ChangeResult =
  | { kind: 'bad-mrn'; reasons: RejectionReason[] }
  | { kind: 'not-found'; mrn: string }
  | { kind: 'refused'; mrn: string; refusal: ChangeRefusal }
  | { kind: 'invalid'; reasons: RejectionReason[] }
  | { kind: 'conflict'; mrn: string; code: string; message: string }
  | { kind: 'duplicate'; mrn: string; version: number; eventId: string }
  | { kind: 'requested'; mrn: string; version: number; eventId: string };

/**
 * Amendment and invalidation of a declaration before release.
 *
 * The chain problem. A declaration's chain has one writer at a time, and the pen passes
 * along the pipeline: intake writes sequence 1-2, risk 3, valuation 4, and release every
 * link after that (it keeps the chain tail in its own store and may append at any moment,
 * on a payment or a control result). If intake appended an amendment to the chain it would
 * race release for the same sequence number and fork the chain. So intake does not append:
 * it validates the request, gives it a version number (unique per MRN in its store, which
 * decides between concurrent requests on any replica), and publishes a self-contained
 * request record (sequence 1, no previous hash, like a payment) on
 * `customs.declarations.amendments.v1`, keyed by MRN, so it reaches the release consumer
 * that owns that MRN's partition. Release, the chain's single writer, then:
 * - for `DeclarationAmendmentRequested`, if not released/refused/invalidated: appends
 *   `DeclarationAmended` (sequence tail+1, prevHash tail hash, causationId the request's
 *   eventId, payload = an AcceptedPayload of the new declaration version plus
 *   `amendment: {version}`) on `customs.declarations.accepted.v1`, which hands the pen back
 *   to risk (and then valuation) for a new assessment of the new version, whose valued
 *   event release decides again; if already released, it appends nothing and notifies a
 *   refusal (CDS 03, reason DECLARATION_RELEASED), since intake checked a read model.
 * - for `DeclarationInvalidationRequested`, if not final: appends `DeclarationInvalidated`
 *   (payload: the last declaration, `release: {status: 'invalidated', grounds: [reason]}`)
 *   on `customs.declarations.released.v1`, cancels what it waited for (releasing a
 *   guarantee it debited), and ends the chain. Intake, which follows the released topic,
 *   then notifies CDS 10 (invalidated).
 * Until release does this, requests are recorded and published, and nothing downstream
 * changes; normal declarations' chains are untouched either way.
 */
@Injectable()
export class AmendmentService {
  constructor(
    private readonly validator: DeclarationValidator,
    private readonly lodgements: LodgementRepository,
    private readonly versions: DeclarationVersionRepository,
    private readonly timeline: TimelineRepository,
    @Inject(KAFKA_PUBLISHER) private readonly publisher: KafkaPublisher,
  ) {}

  async amend(mrnRaw: string, body: unknown, traceparent?: string): Promise<ChangeResult> {
    const ctx = await this.context(mrnRaw);
    if ('kind' in ctx) return ctx;
    const { mrn, lodgement, versions, acceptedEventId, refusal } = ctx;
    if (refusal) return { kind: 'refused', mrn, refusal };
    const now = new Date().toISOString();
    const validation = await this.validator.validate(body, now);
    if (!validation.ok) return { kind: 'invalid', reasons: validation.reasons };
    const declaration = validation.declaration;
    const identity = amendmentIdentityProblems(mrn, lodgement, declaration);
    if (identity.length > 0) return { kind: 'invalid', reasons: identity };

    const hash = payloadHash(declaration);
    const latest = versions[versions.length - 1];
    // Resending the amendment that is the current version is a retry: same answer.
    if (latest?.kind === 'amendment' && latest.payloadHash === hash)
      return this.duplicate(latest, traceparent);
    const previousHash = latest?.payloadHash ?? lodgement.payloadHash;
    if (previousHash === hash)
      return {
        kind: 'invalid',
        reasons: [
          {
            code: 'AMENDMENT_UNCHANGED',
            path: '',
            message: `the declaration is identical to the current version of ${mrn}`,
          },
        ],
      };
    const version = (latest?.version ?? 1) + 1;
    const payload: AmendmentRequestedPayload = {
      amendment: {
        version,
        declaration,
        payloadHash: hash,
        previousPayloadHash: previousHash,
        referenceData: { nomenclature: validation.nomenclatureVersion },
        requestedAt: now,
      },
    };
    const event = this.requestEvent(
      AMENDMENT_EVENT_TYPES.amendmentRequested,
      lodgement,
      acceptedEventId,
      version,
      hash,
      now,
      payload,
    );
    return this.record(
      {
        mrn,
        version,
        kind: 'amendment',
        payloadHash: hash,
        declaration: JSON.stringify(declaration),
        reason: null,
        nomenclatureVersion: validation.nomenclatureVersion,
        event: JSON.stringify(event),
        eventId: event.eventId,
        published: false,
        requestedAt: now,
      },
      this.notifications(
        event,
        declaration.borderPost,
        lodgement,
        `Amendment to version ${version} received for ${mrn}`,
      ),
      traceparent,
    );
  }

  async invalidate(
    mrnRaw: string,
    request: { reason: string; declarantId: string },
    traceparent?: string,
  ): Promise<ChangeResult> {
    const ctx = await this.context(mrnRaw);
    if ('kind' in ctx) return ctx;
    const { mrn, lodgement, versions, acceptedEventId, borderPost, refusal } = ctx;
    if (request.declarantId !== lodgement.declarantId)
      return {
        kind: 'invalid',
        reasons: [
          {
            code: 'NOT_THE_DECLARANT',
            path: 'declarantId',
            message: `only the declarant of ${mrn} may request its invalidation`,
          },
        ],
      };
    const hash = createHash('sha256').update(`invalidation\u0000${request.reason}`).digest('hex');
    // A retry of the invalidation already recorded gets its first answer, not a refusal.
    const pending = versions.find((v) => v.kind === 'invalidation');
    if (pending && pending.payloadHash === hash) return this.duplicate(pending, traceparent);
    if (refusal) return { kind: 'refused', mrn, refusal };
    const now = new Date().toISOString();
    const version = (versions[versions.length - 1]?.version ?? 1) + 1;
    const payload: InvalidationRequestedPayload = {
      invalidation: {
        version,
        reason: request.reason,
        requestedBy: request.declarantId,
        requestedAt: now,
      },
    };
    const event = this.requestEvent(
      AMENDMENT_EVENT_TYPES.invalidationRequested,
      lodgement,
      acceptedEventId,
      version,
      hash,
      now,
      payload,
    );
    return this.record(
      {
        mrn,
        version,
        kind: 'invalidation',
        payloadHash: hash,
        declaration: null,
        reason: request.reason,
        nomenclatureVersion: null,
        event: JSON.stringify(event),
        eventId: event.eventId,
        published: false,
        requestedAt: now,
      },
      this.notifications(event, borderPost, lodgement, `Invalidation request received for ${mrn}`),
      traceparent,
    );
  }

  /** Versions 2.. of a declaration, for its status page. */
  list(mrn: string): Promise<DeclarationVersion[]> {
    return this.versions.list(mrn);
  }

  private async context(mrnRaw: string): Promise<
    | Exclude<ChangeResult, { kind: 'invalid' | 'conflict' | 'duplicate' | 'requested' }>
    | {
        mrn: string;
        lodgement: Lodgement;
        versions: DeclarationVersion[];
        acceptedEventId: string | null;
        borderPost: string;
        refusal: ChangeRefusal | null;
      }
  > {
    const check = checkMrn(mrnRaw);
    if (!check.valid)
      return {
        kind: 'bad-mrn',
        reasons: check.problems.map((p) => ({ code: 'INVALID_MRN', path: 'mrn', message: p })),
      };
    const mrn = check.mrn;
    const lodgement = await this.lodgements.findByMrn(mrn);
    const timeline = lodgement ? await this.timeline.get(mrn) : null;
    if (!lodgement || !timeline) return { kind: 'not-found', mrn };
    const versions = await this.versions.list(mrn);
    const refusal = changeRefusal(mrn, statusOf(timeline.entries), versions);
    const acceptedEventId =
      timeline.entries.find((e) => e.type === 'DeclarationAccepted')?.eventId ?? null;
    return {
      mrn,
      lodgement,
      versions,
      acceptedEventId,
      borderPost: timeline.borderPost,
      refusal,
    };
  }

  private requestEvent<P>(
    type: string,
    lodgement: Lodgement,
    acceptedEventId: string | null,
    version: number,
    hash: string,
    at: string,
    payload: P,
  ): EventEnvelope<P> {
    // The id derives from MRN, version and content: a retry rebuilds the same record.
    const eventId = derivedEventId(`${lodgement.mrn}|v${version}`, type, hash);
    return sealEnvelope<P>({
      eventId,
      type,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      mrn: lodgement.mrn,
      lrn: lodgement.lrn,
      sequence: 1,
      occurredAt: at,
      producer: PRODUCER,
      correlationId: lodgement.submittedEventId,
      causationId: acceptedEventId,
      prevHash: null,
      payload,
    });
  }

  private notifications(
    event: EventEnvelope,
    borderPost: string,
    lodgement: Lodgement,
    text: string,
  ): OutgoingRecord[] {
    // CDS 02 "received": the request is on the log; the outcome follows from release.
    return notificationRecords(
      event,
      { code: '02', text, declarantId: lodgement.declarantId, borderPost },
      PRODUCER,
    );
  }

  private async record(
    v: DeclarationVersion,
    notifications: OutgoingRecord[],
    traceparent?: string,
  ): Promise<ChangeResult> {
    const added = await this.versions.add(v);
    if (!added.added) {
      const existing = added.existing;
      if (existing.kind === v.kind && existing.payloadHash === v.payloadHash)
        return this.duplicate(existing, traceparent);
      return {
        kind: 'conflict',
        mrn: v.mrn,
        code: 'CONCURRENT_CHANGE',
        message: `version ${v.version} of ${v.mrn} was taken by another ${existing.kind} at the same moment; check the declaration and retry`,
      };
    }
    await this.publish(v, notifications, traceparent);
    return { kind: 'requested', mrn: v.mrn, version: v.version, eventId: v.eventId };
  }

  private async duplicate(v: DeclarationVersion, traceparent?: string): Promise<ChangeResult> {
    // The first request died between its store write and its publish: publish the same record.
    if (!v.published && Date.now() - Date.parse(v.requestedAt) > REPUBLISH_AFTER_MS)
      await this.publish(v, [], traceparent);
    return { kind: 'duplicate', mrn: v.mrn, version: v.version, eventId: v.eventId };
  }

  private async publish(
    v: DeclarationVersion,
    notifications: OutgoingRecord[],
    traceparent?: string,
  ): Promise<void> {
    const event = JSON.parse(v.event) as EventEnvelope;
    await this.publisher.publish(
      [{ topic: AMENDMENTS_TOPIC, key: v.mrn, value: event }, ...notifications],
      traceparent,
    );
    await this.versions.markPublished(v.mrn, v.version);
  }
}
