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
  borderPostPrincipal,
} from '@customs/contracts';
import { assignMrn } from '@customs/domain';
import { isMalformed, MalformedRecord, OutgoingRecord } from '@customs/messaging';
import {
  CreateLodgementResult,
  IdempotencyClaim,
  IdempotencyKeyRepository,
  Lodgement,
  LodgementRepository,
  ProcessedEventRepository,
  TimelineAppend,
  TimelineRepository,
} from '@customs/persistence';
import {
  KAFKA_PUBLISHER,
  notificationRecords,
  processBatchOnce,
  producerName,
  sourceOf,
} from '@customs/platform';
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

/** The answer to a submission of an LRN that is lodged already. */
function answerLodged(lodged: Lodgement, hash: string): LodgeResult {
  return lodged.payloadHash === hash
    ? { kind: 'duplicate', mrn: lodged.mrn, status: 'accepted' }
    : { kind: 'conflict', mrn: lodged.mrn, code: 'DUPLICATE_LRN_CONFLICT' };
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

/** Where a record of the submitted topic was read. */
export interface SubmissionOrigin {
  topic: string;
  partition: number;
  offset: string;
}

/** One record of the submitted topic: a parsed envelope, or what could not be parsed. */
export interface SubmissionInput {
  input: EventEnvelope | MalformedRecord;
  origin: SubmissionOrigin;
  /** The principal whose signature the record carries (checked by the transport). */
  signer?: string;
}

/**
 * A submission is bound to its signer, as the HTTP ownership rules bind a lodgement to its
 * caller: a border post (`bp-<POST>`) lodges for any declarant at its own post only; intake
 * signs only what it authenticated over HTTP (where requireMayLodge checked the caller).
 * Anything else (no verified signer) is refused.
 */
/** The principal of a border post (as the principals table names it: `bp-` and the id in lower case). */

export function signerMismatch(
  signer: string | undefined,
  declaration: Declaration,
): RejectionReason | null {
  if (signer === 'svc-intake') return null;
  if (signer?.startsWith('bp-')) {
    const expected = borderPostPrincipal(declaration.borderPost);
    return signer === expected
      ? null
      : {
          code: 'SIGNER_NOT_BORDER_POST',
          path: 'payload.declaration.borderPost',
          message: `signed by ${signer}, which may lodge only at its own border post; this declaration is lodged at ${declaration.borderPost} (signer ${expected})`,
        };
  }
  return {
    code: 'SIGNER_NOT_ALLOWED',
    path: 'payload.declaration',
    message: `a submission signed by ${signer ?? 'no verified signer'} is not accepted`,
  };
}

/**
 * Who is accountable for an accepted submission: the border post whose key signed it, or,
 * for one intake signed (the HTTP path), the authenticated caller intake recorded in it.
 */
export function submittedBy(submitted: EventEnvelope<SubmittedPayload>, signer: string): string {
  if (signer !== 'svc-intake') return signer;
  const by = (submitted.payload as Partial<SubmittedPayload>).submittedBy;
  return typeof by === 'string' && by ? `${signer}:${by}` : signer;
}

/** A submission that passed the checks, waiting for its lodgement. */
interface Candidate {
  inputId: string;
  submitted: EventEnvelope<SubmittedPayload>;
  declaration: Declaration;
  hash: string;
  nomenclatureVersion: string;
  /** Who is accountable for the submission (see submittedBy). */
  submittedBy: string;
}

/** A decided candidate, and the lodgement its declarant + LRN has from then on. */
interface Settled {
  outputs: OutgoingRecord[];
  owner: Lodgement;
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
    options: {
      idempotencyKey?: string;
      traceparent?: string;
      /** The authenticated caller (token subject), recorded in the submission. */
      submittedBy?: string;
    } = {},
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
    // The MRN it would have had is a lookup by _id.
    const lodged = await this.lodgedAs(mrnFor(declaration, now), declarantId, declaration.lrn);
    if (lodged) return answerLodged(lodged, hash);

    const submitted = firstEvent<SubmittedPayload>({
      type: EVENT_TYPES.submitted,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      lrn: declaration.lrn,
      producer: PRODUCER,
      occurredAt: now,
      payload: {
        declaration,
        channel: 'http',
        ...(options.submittedBy !== undefined && { submittedBy: options.submittedBy }),
      },
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
    // Only the winner of the claim searches by declarant and LRN (a scan on the local store)
    // for the same LRN lodged over the topic, on another day or with other content; if it is
    // there, the claim is withdrawn and the answer is the one that lodgement gives.
    const topicLodged = await this.lodgements.findByDeclarantLrn(declarantId, declaration.lrn);
    if (topicLodged) {
      await this.claims.withdraw(declarantId, key);
      return answerLodged(topicLodged, hash);
    }
    await this.publishClaim(claim, options.traceparent);
    return { kind: 'submitted', mrn: claim.mrn, eventId: submitted.eventId };
  }

  /** The lodgement under `mrn`, if it is this declarant's LRN. */
  private async lodgedAs(mrn: string, declarantId: string, lrn: string) {
    const lodged = await this.lodgements.findByMrn(mrn);
    return lodged && lodged.declarantId === declarantId && lodged.lrn === lrn ? lodged : null;
  }

  /** The answer to a request whose key another request claimed first. */
  private async answerClaimed(
    claim: IdempotencyClaim,
    hash: string,
    traceparent?: string,
  ): Promise<LodgeResult> {
    // The claim names the MRN its submission is lodged under (salted only on a hash collision).
    const lodged = await this.lodgedAs(claim.mrn, claim.declarantId, claim.lrn);
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

  /**
   * Decides a chunk of the submitted topic (one partition, in offset order) with one bulk
   * lookup and one bulk insert of the processed inputs and one bulk insert of the
   * lodgements; only a lodgement that meets an existing one costs more round trips. The
   * outcome is the one of deciding the records one after the other: a second submission of
   * the same declarant and LRN in the chunk meets the first one's lodgement.
   */
  decideSubmissions(inputs: readonly SubmissionInput[]): Promise<OutgoingRecord[]> {
    return processBatchOnce(
      this.processed,
      inputs.map((i) => ({
        ...i,
        // A malformed record has no trustworthy id: its position in the log is its identity.
        inputId: isMalformed(i.input)
          ? derivedEventId(
              `${i.origin.topic}:${i.origin.partition}:${i.origin.offset}`,
              'Malformed',
            )
          : i.input.eventId,
        source: sourceOf(i.origin),
      })),
      (fresh) => this.decideFresh(fresh),
    );
  }

  private async decideFresh(
    fresh: (SubmissionInput & { inputId: string })[],
  ): Promise<Map<string, OutgoingRecord[]>> {
    const decided = new Map<string, OutgoingRecord[]>();
    const candidates: Candidate[] = [];
    for (const f of fresh) {
      if (isMalformed(f.input)) {
        decided.set(f.inputId, this.rejectMalformed(f.input, f.inputId, f.origin));
        continue;
      }
      const checked = await this.check(f.input as EventEnvelope<SubmittedPayload>, f.signer);
      if (Array.isArray(checked)) decided.set(f.inputId, checked);
      else candidates.push({ ...checked, inputId: f.inputId });
    }
    const timeline: TimelineAppend[] = [];
    for (const [inputId, outputs] of await this.lodge(candidates, timeline))
      decided.set(inputId, outputs);
    // After every lodgement of the chunk and before the processed inputs (and the commit):
    // a crash in between redoes the chunk, and each append is once per event id.
    await this.timeline.appendMany(timeline);
    return decided;
  }

  /** The checks of one submission before its lodgement: a rejection, or what to lodge. */
  private async check(
    submitted: EventEnvelope<SubmittedPayload>,
    signer: string | undefined,
  ): Promise<OutgoingRecord[] | Omit<Candidate, 'inputId'>> {
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
    const unbound = signerMismatch(signer, declaration);
    if (unbound) return this.reject(submitted, [unbound]);
    if (declaration.lrn !== submitted.lrn) {
      return this.reject(submitted, [
        {
          code: 'LRN_MISMATCH',
          path: 'lrn',
          message: 'envelope lrn differs from the declaration lrn',
        },
      ]);
    }
    return {
      submitted,
      declaration,
      hash: payloadHash(declaration),
      nomenclatureVersion: validation.nomenclatureVersion,
      submittedBy: submittedBy(submitted, signer!),
    };
  }

  /**
   * Lodges the candidates of a chunk: the first of each declarant + LRN in one bulk insert
   * (salt 0); a later one of the same declarant + LRN meets the lodgement the first one ended
   * with, as it would one record after the other. Only the rows the store refused as
   * duplicates, and the MRN collisions, take the record-by-record way.
   */
  private async lodge(
    candidates: Candidate[],
    timeline: TimelineAppend[],
  ): Promise<Map<string, OutgoingRecord[]>> {
    const decided = new Map<string, OutgoingRecord[]>();
    const keyOf = (c: Candidate) => `${c.declaration.declarant.id}\u0000${c.declaration.lrn}`;
    const firsts = new Map<string, { candidate: Candidate; lodgement: Lodgement }>();
    for (const c of candidates)
      if (!firsts.has(keyOf(c)))
        firsts.set(keyOf(c), { candidate: c, lodgement: this.lodgementOf(c, 0) });
    const created = await this.lodgements.createMany([...firsts.values()].map((f) => f.lodgement));
    const results = new Map([...firsts.values()].map((f, i) => [f.candidate, created[i]]));
    /** The lodgement each declarant + LRN has once its first candidate is decided. */
    const owners = new Map<string, Lodgement>();
    for (const c of candidates) {
      const key = keyOf(c);
      const first = firsts.get(key)!;
      let settled: Settled | null;
      if (first.candidate === c) {
        settled = this.settle(c, first.lodgement, results.get(c)!, timeline);
        for (let salt = 1; !settled && salt < 3; salt++) {
          // Another lodgement owns this MRN (a hash collision): try the next salt.
          const lodgement = this.lodgementOf(c, salt);
          settled = this.settle(c, lodgement, await this.lodgements.create(lodgement), timeline);
        }
        if (!settled) throw new Error(`could not assign a unique MRN to ${c.declaration.lrn}`);
        owners.set(key, settled.owner);
      } else {
        const owner = owners.get(key)!;
        settled = this.settle(c, owner, { created: false, existing: owner }, timeline)!;
      }
      decided.set(c.inputId, settled.outputs);
    }
    return decided;
  }

  private lodgementOf(c: Candidate, salt: number): Lodgement {
    return {
      mrn: mrnFor(c.declaration, c.submitted.occurredAt, salt),
      declarantId: c.declaration.declarant.id,
      lrn: c.declaration.lrn,
      payloadHash: c.hash,
      submittedEventId: c.submitted.eventId,
      acceptedAt: new Date().toISOString(),
    };
  }

  /**
   * What a lodgement attempt means: accepted (created, or this very submission's lodgement
   * found again), a resubmission (nothing), a conflict (rejected), or null when another
   * declaration owns the MRN.
   */
  private settle(
    c: Candidate,
    lodgement: Lodgement,
    result: CreateLodgementResult,
    timeline: TimelineAppend[],
  ): Settled | null {
    const { submitted, declaration, hash, nomenclatureVersion, submittedBy } = c;
    if (result.created)
      return {
        outputs: this.accept(
          submitted,
          declaration,
          lodgement,
          nomenclatureVersion,
          submittedBy,
          timeline,
        ),
        owner: lodgement,
      };
    const existing = result.existing;
    if (existing.submittedEventId === submitted.eventId)
      return {
        outputs: this.accept(
          submitted,
          declaration,
          existing,
          nomenclatureVersion,
          submittedBy,
          timeline,
        ),
        owner: existing,
      };
    if (existing.declarantId !== declaration.declarant.id || existing.lrn !== declaration.lrn)
      return null;
    if (existing.payloadHash === hash) {
      this.logger.log(
        `resubmission of ${declaration.lrn} by ${declaration.declarant.id}: already ${existing.mrn}`,
      );
      return { outputs: [], owner: existing };
    }
    return {
      outputs: this.reject(submitted, [
        {
          code: 'DUPLICATE_LRN_CONFLICT',
          path: 'payload.declaration.lrn',
          message: `LRN already lodged as ${existing.mrn} with a different content`,
        },
      ]),
      owner: existing,
    };
  }

  private accept(
    submitted: EventEnvelope,
    declaration: Declaration,
    lodgement: Lodgement,
    nomenclatureVersion: string,
    submittedBy: string,
    timeline: TimelineAppend[],
  ): OutgoingRecord[] {
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
        submittedBy,
      },
    });
    const head = {
      mrn: lodgement.mrn,
      lrn: declaration.lrn,
      declarantId: declaration.declarant.id,
      borderPost: declaration.borderPost,
    };
    timeline.push(
      { head, entry: timelineEntry(submitted, TOPICS.submitted) },
      { head, entry: timelineEntry(accepted, TOPICS.accepted) },
    );
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
    origin: SubmissionOrigin,
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
