import {
  checkEnvelope,
  checkSignerPolicy,
  EVENT_TYPES,
  EventEnvelope,
  KeyRegistry,
  MalformedEnvelopeError,
  TOPICS,
  verifyRecordSignature,
} from '@customs/contracts';
import { ChainLink, verifyChainLinks } from './chain-links.verifier';

/**
 * Amendment and invalidation requests (intake's, self-contained like payments): named as
 * causes of the chain links release appends for them. Not yet in the contract's TOPICS.
 */
export const AMENDMENTS_TOPIC = 'customs.declarations.amendments.v1';

/** Contract names of the topics an audit knows, by role. */
export const AUDIT_TOPIC_NAMES = { ...TOPICS, amendments: AMENDMENTS_TOPIC } as const;

/** What a topic is in the contract, whatever its actual name (scratch copies carry a prefix). */
export type TopicRole = keyof typeof AUDIT_TOPIC_NAMES;

/** Chain links release appends for amendment and invalidation requests. */
export const AMENDED_TYPE = 'DeclarationAmended';
export const INVALIDATED_TYPE = 'DeclarationInvalidated';

export const DECLARATION_ROLES: readonly TopicRole[] = [
  'submitted',
  'accepted',
  'rejected',
  'riskAssessed',
  'valued',
  'held',
  'released',
];
/** Events that cause release decisions from outside a chain (their ids are valid causes). */
export const EXTERNAL_CAUSE_ROLES: readonly TopicRole[] = [
  'payments',
  'controlResults',
  'amendments',
];

/**
 * The accounts log (openings and credits of guarantee and deferment accounts): one-event
 * records keyed by account id, not declaration chains. Verified record by record.
 */
export const ACCOUNT_ROLES: readonly TopicRole[] = ['accounts'];
const ACCOUNT_TYPES: readonly string[] = [EVENT_TYPES.accountOpened, EVENT_TYPES.accountCredited];

/**
 * Topics an audit reads: the declaration log, the external causes, the notifications and
 * the accounts log (every balance starts there).
 */
export const AUDITED_ROLES: readonly TopicRole[] = [
  ...DECLARATION_ROLES,
  ...EXTERNAL_CAUSE_ROLES,
  'notifications',
  ...ACCOUNT_ROLES,
];

/** Topics keyed by LRN; every other declaration topic is keyed by MRN (DESIGN.md). */
const LRN_KEYED: ReadonlySet<TopicRole> = new Set<TopicRole>(['submitted', 'rejected']);

const ROLE_OF_TYPE: Readonly<Record<string, TopicRole>> = {
  [EVENT_TYPES.submitted]: 'submitted',
  [EVENT_TYPES.accepted]: 'accepted',
  [EVENT_TYPES.rejected]: 'rejected',
  [EVENT_TYPES.riskAssessed]: 'riskAssessed',
  [EVENT_TYPES.valued]: 'valued',
  [EVENT_TYPES.held]: 'held',
  [EVENT_TYPES.released]: 'released',
  [AMENDED_TYPE]: 'accepted',
  [INVALIDATED_TYPE]: 'released',
};

const FINAL_TYPES: readonly string[] = [
  EVENT_TYPES.released,
  EVENT_TYPES.rejected,
  INVALIDATED_TYPE,
];

/** Which event types may directly precede each type in a chain (the pipeline's order). */
const ALLOWED_PREVIOUS: Readonly<Record<string, readonly string[]>> = {
  [EVENT_TYPES.accepted]: [EVENT_TYPES.submitted],
  [EVENT_TYPES.rejected]: [EVENT_TYPES.submitted],
  // An amendment hands the declaration back to risk, then valuation, for its new version.
  [EVENT_TYPES.riskAssessed]: [EVENT_TYPES.accepted, AMENDED_TYPE],
  [EVENT_TYPES.valued]: [EVENT_TYPES.riskAssessed],
  [EVENT_TYPES.held]: [EVENT_TYPES.valued, EVENT_TYPES.held],
  [EVENT_TYPES.released]: [EVENT_TYPES.valued, EVENT_TYPES.held],
  [AMENDED_TYPE]: [EVENT_TYPES.valued, EVENT_TYPES.held],
  [INVALIDATED_TYPE]: [
    EVENT_TYPES.accepted,
    EVENT_TYPES.riskAssessed,
    EVENT_TYPES.valued,
    EVENT_TYPES.held,
    AMENDED_TYPE,
  ],
};

/** One Kafka record as read, with the role of its topic. */
export interface LogRecord {
  role: TopicRole;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | string | null;
  /** Kafka timestamp (epoch ms as a string), used to place unreadable records in time. */
  timestamp?: string;
  /** Record headers (dead-letter records carry their origin in them). */
  headers?: Record<string, string>;
}

export type AuditFindingCode =
  | 'HASH_MISMATCH'
  | 'SEQUENCE_GAP'
  | 'DUPLICATE_SEQUENCE'
  | 'PREV_HASH_MISMATCH'
  | 'FIRST_NOT_GENESIS'
  | 'UNKNOWN_CAUSE'
  | 'EMPTY_RECORD'
  | 'NOT_JSON'
  | 'NOT_AN_OBJECT'
  | 'BAD_ENVELOPE'
  | 'UNKNOWN_EVENT_TYPE'
  | 'TOPIC_MISMATCH'
  | 'KEY_MISMATCH'
  | 'IDENTITY_MISMATCH'
  | 'UNEXPECTED_TRANSITION'
  | 'OFFSET_ORDER'
  | 'DUPLICATE_RECORD'
  | 'MISSING_EVENT'
  | 'TOPIC_MISSING'
  | 'TOPIC_RETENTION'
  | 'TOPIC_COMPACTION'
  | 'PARTITION_COUNT_MISMATCH'
  | 'READ_INCOMPLETE'
  | AuthorshipFindingCode
  | 'DUPLICATE_EVENT_ID';

/** Who wrote a record: its signature and signer, as the consumers check them (DESIGN.md "Trust"). */
export type AuthorshipFindingCode =
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_MALFORMED'
  | 'KEY_UNKNOWN'
  | 'KEY_NOT_VALID'
  | 'SIGNATURE_INVALID'
  | 'SIGNER_NOT_ALLOWED';

export const AUTHORSHIP_FINDING_CODES: readonly AuthorshipFindingCode[] = [
  'SIGNATURE_MISSING',
  'SIGNATURE_MALFORMED',
  'KEY_UNKNOWN',
  'KEY_NOT_VALID',
  'SIGNATURE_INVALID',
  'SIGNER_NOT_ALLOWED',
];

export interface AuditFinding {
  /** Errors are breaks of the log; warnings are harmless but worth knowing (exact duplicates). */
  severity: 'error' | 'warning';
  code: AuditFindingCode;
  message: string;
  topic: string | null;
  partition: number | null;
  offset: string | null;
  mrn: string | null;
  lrn: string | null;
  eventId?: string;
  sequence?: number;
  type?: string;
  /** DUPLICATE_EVENT_ID: where the other record with this event id is. */
  duplicateOf?: { topic: string; partition: number; offset: string };
  /** The signer the record's signature names (authorship findings). */
  signer?: string;
}

export interface AuditorOptions {
  /**
   * Check every record's signature against this registry and its signer against the signer
   * policy (`audit verify` always passes one; without it only the chains are checked).
   */
  registry?: KeyRegistry;
}

export interface AuditScope {
  /** Only findings about events that occurred at or after this instant (ISO-8601). */
  from?: string;
  /** ... and at or before this one. */
  to?: string;
  /** Only findings about this declaration. */
  mrn?: string;
}

export interface AuditCounts {
  records: number;
  events: number;
  chains: number;
  /** Chains that reached a final event (released, refused or rejected). */
  finalChains: number;
  /** Unreadable submissions that intake answered with a rejection naming their position. */
  rejectedAtIntake: number;
  externalCauses: number;
  notifications: number;
}

export interface AuditResult {
  findings: AuditFinding[];
  counts: AuditCounts;
}

interface Location {
  role: TopicRole;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  timestamp?: string;
}

interface Link extends ChainLink, Location {
  type: string;
  mrn: string | null;
  lrn: string;
  correlationId: string;
  occurredAt: string;
}

interface Unreadable extends Location {
  code: AuditFindingCode;
  message: string;
}

/** Where an event id was read, and what it named there. */
interface IdUse {
  topic: string;
  partition: number;
  offset: string;
  hash: string;
  mrn: string | null;
  lrn: string;
  sequence: number;
  type: string;
}

const posKey = (topic: string, partition: number, offset: string) =>
  `${topic}:${partition}:${offset}`;

function toLink(e: EventEnvelope, hashValid: boolean, loc: Location): Link {
  return {
    ...loc,
    eventId: e.eventId,
    sequence: e.sequence,
    prevHash: e.prevHash,
    hash: e.hash,
    causationId: e.causationId,
    hashValid,
    type: e.type,
    mrn: e.mrn,
    lrn: e.lrn,
    correlationId: e.correlationId,
    occurredAt: e.occurredAt,
  };
}

/** Parses and checks one record; a wrong hash still yields the envelope (to place it in its chain). */
export function readEnvelope(
  value: Buffer | string | null,
): { envelope: EventEnvelope; hashValid: boolean } | { code: AuditFindingCode; message: string } {
  if (value === null || value.length === 0)
    return { code: 'EMPTY_RECORD', message: 'record has no value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (error) {
    return { code: 'NOT_JSON', message: `record value is not JSON: ${(error as Error).message}` };
  }
  try {
    return { envelope: checkEnvelope(parsed), hashValid: true };
  } catch (error) {
    if (error instanceof MalformedEnvelopeError && error.code === 'HASH_MISMATCH')
      return { envelope: parsed as EventEnvelope, hashValid: false };
    const code = (error as MalformedEnvelopeError).code;
    return {
      code: code === 'NOT_AN_OBJECT' ? 'NOT_AN_OBJECT' : 'BAD_ENVELOPE',
      message: (error as Error).message,
    };
  }
}

/**
 * Audits a log record by record (any order across partitions, offset order within one),
 * then judges it as a whole: every record readable and hashed right, every declaration's
 * chain contiguous and linked, each event on the topic of its type under the right key,
 * in offset order, following the pipeline's order, and every notification about an event
 * that is still in the log (which finds a deleted last event). Pure: no Kafka, no clock.
 */
export class LogAuditor {
  private readonly links: Link[] = [];
  private readonly unreadable: Unreadable[] = [];
  /** Submissions intake may have refused as they came: judged once rejections are known. */
  private readonly pendingSubmissions: (Unreadable | Link)[] = [];
  private readonly rejectedOrigins = new Set<string>();
  private readonly externalCauses = new Set<string>();
  private readonly notifications: (Location & {
    about: string;
    mrn: string | null;
    lrn: string | null;
  })[] = [];
  private records = 0;
  private timestamps?: Map<string, string>;
  private readonly authorship: AuditFinding[] = [];
  /** Every event id read, on any topic, with where it was first seen and its hash. */
  private readonly eventIds = new Map<string, IdUse>();
  /** Event ids read more than once: every place of each (rare, so kept apart). */
  private readonly repeatedIds = new Map<string, IdUse[]>();

  constructor(private readonly options: AuditorOptions = {}) {}

  add(record: LogRecord): void {
    this.records++;
    // Parsed once: authorship, event ids and chains all read the same envelope.
    const read = readEnvelope(record.value);
    this.checkAuthorship(record, read);
    const loc: Location = {
      role: record.role,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      key: record.key,
      timestamp: record.timestamp,
    };
    if (record.role === 'notifications') return this.addNotification(read, loc);
    if (ACCOUNT_ROLES.includes(record.role)) return this.addAccountEvent(record, read, loc);
    if (EXTERNAL_CAUSE_ROLES.includes(record.role)) {
      if ('envelope' in read) {
        this.externalCauses.add(read.envelope.eventId);
        this.noteEventId(read.envelope, loc);
      }
      return;
    }
    if ('envelope' in read) this.noteEventId(read.envelope, loc);
    if (!('envelope' in read)) {
      const bad = { ...loc, code: read.code, message: read.message };
      if (record.role === 'submitted') this.pendingSubmissions.push(bad);
      else this.unreadable.push(bad);
      return;
    }
    const link = toLink(read.envelope, read.hashValid, loc);
    if (record.role === 'rejected') {
      const origin = (
        read.envelope.payload as { submission?: { origin?: Record<string, unknown> } }
      )?.submission?.origin;
      if (origin && typeof origin.topic === 'string')
        this.rejectedOrigins.add(
          posKey(origin.topic, Number(origin.partition), String(origin.offset)),
        );
    }
    if (record.role === 'submitted' && !read.hashValid) this.pendingSubmissions.push(link);
    else this.links.push(link);
  }

  /** An account event: readable, hashed right, of an account type, keyed by its account. */
  private addAccountEvent(
    record: LogRecord,
    read: ReturnType<typeof readEnvelope>,
    loc: Location,
  ): void {
    if (!('envelope' in read)) {
      this.unreadable.push({ ...loc, code: read.code, message: read.message });
      return;
    }
    const e = read.envelope;
    const problem: Pick<Unreadable, 'code' | 'message'> | null = !read.hashValid
      ? { code: 'HASH_MISMATCH', message: `account event ${e.eventId}: hash does not match` }
      : !ACCOUNT_TYPES.includes(e.type)
        ? {
            code: 'UNKNOWN_EVENT_TYPE',
            message: `${e.type} is not an account event (${ACCOUNT_TYPES.join(', ')})`,
          }
        : (e.payload as { accountId?: unknown } | null)?.accountId !== record.key
          ? {
              code: 'KEY_MISMATCH',
              message: `account event ${e.eventId} keyed '${String(record.key)}', not by its account id`,
            }
          : null;
    if (problem) this.unreadable.push({ ...loc, ...problem });
  }

  private addNotification(read: ReturnType<typeof readEnvelope>, loc: Location): void {
    if (!('envelope' in read)) return; // notifications are not the audit log; only their references are
    this.noteEventId(read.envelope, loc);
    const p = read.envelope.payload as { aboutEventId?: unknown };
    const about = typeof p?.aboutEventId === 'string' ? p.aboutEventId : read.envelope.causationId;
    if (about)
      this.notifications.push({ ...loc, about, mrn: read.envelope.mrn, lrn: read.envelope.lrn });
  }

  /**
   * The record's signature, checked against the registry at the record's timestamp (when it
   * was written; a key revoked since still vouches for what it signed before), on the
   * contract topic of its role (a scratch copy is verified as its original), then the
   * signer policy for the event type.
   */
  private checkAuthorship(record: LogRecord, read: ReturnType<typeof readEnvelope>): void {
    const registry = this.options.registry;
    if (!registry) return;
    const topic = AUDIT_TOPIC_NAMES[record.role];
    const envelope = 'envelope' in read ? read.envelope : null;
    const at = record.timestamp ? Number(record.timestamp) : Date.now();
    const signature = verifyRecordSignature(
      { topic, key: record.key, value: record.value, headers: record.headers },
      registry,
      at,
    );
    const problem = signature.ok
      ? checkSignerPolicy(topic, envelope?.type ?? null, signature.principal)
      : signature;
    if (problem.ok) return;
    const byKey = LRN_KEYED.has(record.role) ? null : record.key;
    this.authorship.push({
      severity: 'error',
      code: problem.code,
      message: problem.reason,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      mrn: envelope?.mrn ?? byKey,
      lrn: envelope?.lrn ?? (LRN_KEYED.has(record.role) ? record.key : null),
      ...(envelope && {
        eventId: envelope.eventId,
        sequence: envelope.sequence,
        type: envelope.type,
      }),
      ...(signature.ok && { signer: signature.principal }),
    });
  }

  /**
   * One event id, one event: another record with the same id and other content (a forgery
   * that reuses an id, so consumers that deduplicate by id would drop the real one or the
   * forged one) is an error at each place, naming the others. An exact copy is a
   * DUPLICATE_RECORD warning on declaration topics (a republish) and nothing elsewhere.
   */
  private noteEventId(envelope: EventEnvelope, loc: Location): void {
    const use: IdUse = {
      topic: loc.topic,
      partition: loc.partition,
      offset: loc.offset,
      hash: envelope.hash,
      mrn: envelope.mrn,
      lrn: envelope.lrn,
      sequence: envelope.sequence,
      type: envelope.type,
    };
    const repeated = this.repeatedIds.get(envelope.eventId);
    const first = this.eventIds.get(envelope.eventId);
    if (repeated) repeated.push(use);
    else if (first) this.repeatedIds.set(envelope.eventId, [first, use]);
    else this.eventIds.set(envelope.eventId, use);
  }

  /**
   * For an id that names events of different content: one finding at the first place (in log
   * position order, so whatever order partitions were read in) of each content, naming the
   * others. Exact copies are not repeated here.
   */
  private reusedIdFindings(): AuditFinding[] {
    const out: AuditFinding[] = [];
    const where = (u: IdUse) => `${u.topic}[${u.partition}]@${u.offset}`;
    for (const [eventId, uses] of this.repeatedIds) {
      const byContent = new Map<string, IdUse>();
      for (const u of [...uses].sort(
        (a, b) =>
          a.topic.localeCompare(b.topic) ||
          a.partition - b.partition ||
          Number(BigInt(a.offset) - BigInt(b.offset)),
      ))
        if (!byContent.has(u.hash)) byContent.set(u.hash, u);
      if (byContent.size < 2) continue;
      const sorted = [...byContent.values()];
      for (const [i, u] of sorted.entries()) {
        const other = sorted[i === 0 ? 1 : 0];
        out.push({
          severity: 'error',
          code: 'DUPLICATE_EVENT_ID',
          message: `event id ${eventId} also names another event at ${sorted
            .filter((x) => x !== u)
            .map(where)
            .join(', ')}`,
          topic: u.topic,
          partition: u.partition,
          offset: u.offset,
          mrn: u.mrn,
          lrn: u.lrn,
          eventId,
          sequence: u.sequence,
          type: u.type,
          duplicateOf: { topic: other.topic, partition: other.partition, offset: other.offset },
        });
      }
    }
    return out;
  }

  finish(scope: AuditScope = {}): AuditResult {
    const findings: AuditFinding[] = [...this.authorship, ...this.reusedIdFindings()];
    let rejectedAtIntake = 0;
    // A submission that was not an envelope (or had a wrong hash) is the sender's fault if intake
    // rejected it by position; otherwise the log was altered.
    for (const s of this.pendingSubmissions) {
      if (this.rejectedOrigins.has(posKey(s.topic, s.partition, s.offset))) rejectedAtIntake++;
      else if ('code' in s) this.unreadable.push(s);
      else this.links.push(s);
    }
    for (const u of this.unreadable) {
      const byKey = u.key ?? null;
      findings.push({
        severity: 'error',
        code: u.code,
        message: u.message,
        topic: u.topic,
        partition: u.partition,
        offset: u.offset,
        mrn: LRN_KEYED.has(u.role) ? null : byKey,
        lrn: LRN_KEYED.has(u.role) ? byKey : null,
      });
    }

    // Exact copies of one record (same id, same hash) are dropped before the chain checks.
    const firstById = new Map<string, Link>();
    const unique: Link[] = [];
    for (const l of this.links) {
      const first = firstById.get(l.eventId);
      if (first && first.hash === l.hash) {
        findings.push(
          this.at(
            l,
            'warning',
            'DUPLICATE_RECORD',
            `a copy of the record at ${first.topic}[${first.partition}]@${first.offset}`,
          ),
        );
        continue;
      }
      if (!first) firstById.set(l.eventId, l);
      unique.push(l);
    }

    const chains = new Map<string, Link[]>();
    for (const l of unique) {
      const c = chains.get(l.correlationId);
      if (c) c.push(l);
      else chains.set(l.correlationId, [l]);
    }
    let finalChains = 0;
    const chainMrn = new Map<string, string | null>();
    for (const chain of chains.values()) {
      chain.sort((a, b) => a.sequence - b.sequence);
      const mrn = chain.find((l) => l.mrn !== null)?.mrn ?? null;
      const lrn = chain[0].lrn;
      for (const l of chain) chainMrn.set(l.lrn, mrn);
      const last = chain[chain.length - 1];
      if (FINAL_TYPES.includes(last.type)) finalChains++;
      findings.push(...this.checkChain(chain, mrn, lrn));
    }

    // Notifications may also be about requests (amendments) that live on external-cause topics.
    const known = new Set([...unique.map((l) => l.eventId), ...this.externalCauses]);
    for (const n of this.notifications) {
      if (!known.has(n.about))
        findings.push({
          severity: 'error',
          code: 'MISSING_EVENT',
          message: `notification is about event ${n.about}, which is not in the log`,
          topic: n.topic,
          partition: n.partition,
          offset: n.offset,
          mrn: n.mrn,
          lrn: n.lrn,
        });
    }

    const events = new Map(unique.map((l) => [posKey(l.topic, l.partition, l.offset), l]));
    const inScope = (f: AuditFinding): boolean => {
      if (scope.mrn) {
        const mrn = f.mrn ?? (f.lrn ? chainMrn.get(f.lrn) : null);
        if (mrn !== scope.mrn) return false;
      }
      if (scope.from || scope.to) {
        if (f.topic === null || f.offset === null) return true;
        const e =
          f.partition === null ? undefined : events.get(posKey(f.topic, f.partition, f.offset));
        const at = e?.occurredAt ?? this.timestampAt(f.topic, f.partition ?? -1, f.offset) ?? null;
        if (at === null) return true;
        const t = Date.parse(at);
        if (scope.from && t < Date.parse(scope.from)) return false;
        if (scope.to && t > Date.parse(scope.to)) return false;
      }
      return true;
    };

    return {
      findings: findings.filter(inScope).sort(compareFindings),
      counts: {
        records: this.records,
        events: unique.length,
        chains: chains.size,
        finalChains,
        rejectedAtIntake,
        externalCauses: this.externalCauses.size,
        notifications: this.notifications.length,
      },
    };
  }

  private timestampAt(topic: string, partition: number, offset: string): string | null {
    if (!this.timestamps) {
      this.timestamps = new Map();
      for (const u of [...this.unreadable, ...this.notifications])
        if (u.timestamp) this.timestamps.set(posKey(u.topic, u.partition, u.offset), u.timestamp);
    }
    const ms = this.timestamps.get(posKey(topic, partition, offset));
    return ms ? new Date(Number(ms)).toISOString() : null;
  }

  private at(
    l: Link,
    severity: AuditFinding['severity'],
    code: AuditFindingCode,
    message: string,
    mrn: string | null = l.mrn,
    lrn: string | null = l.lrn,
  ): AuditFinding {
    return {
      severity,
      code,
      message,
      topic: l.topic,
      partition: l.partition,
      offset: l.offset,
      mrn,
      lrn,
      eventId: l.eventId,
      sequence: l.sequence,
      type: l.type,
    };
  }

  private checkChain(chain: Link[], mrn: string | null, lrn: string): AuditFinding[] {
    const out: AuditFinding[] = [];
    const err = (l: Link, code: AuditFindingCode, message: string) =>
      out.push(this.at(l, 'error', code, message, mrn, lrn));
    for (const p of verifyChainLinks(chain, this.externalCauses))
      err(chain[p.index ?? 0], p.code, p.message);

    for (const [i, l] of chain.entries()) {
      const role = ROLE_OF_TYPE[l.type];
      if (!role)
        err(l, 'UNKNOWN_EVENT_TYPE', `event type ${l.type} does not belong on a declaration topic`);
      else if (role !== l.role)
        err(
          l,
          'TOPIC_MISMATCH',
          `a ${l.type} event on the ${l.role} topic (${l.topic}); it belongs on the ${role} topic`,
        );
      const expectedKey = LRN_KEYED.has(l.role) ? l.lrn : l.mrn;
      if (l.key !== expectedKey)
        err(
          l,
          'KEY_MISMATCH',
          `record key ${String(l.key)} is not the event's ${LRN_KEYED.has(l.role) ? 'LRN' : 'MRN'} ${String(expectedKey)}`,
        );
      if (l.lrn !== lrn)
        err(l, 'IDENTITY_MISMATCH', `LRN ${l.lrn} differs from the chain's ${lrn}`);
      if (l.mrn !== null && l.mrn !== mrn)
        err(l, 'IDENTITY_MISMATCH', `MRN ${l.mrn} differs from the chain's ${String(mrn)}`);
      const prev = chain[i - 1];
      if (prev && prev.sequence === l.sequence - 1 && ALLOWED_PREVIOUS[l.type]) {
        if (!ALLOWED_PREVIOUS[l.type].includes(prev.type))
          err(l, 'UNEXPECTED_TRANSITION', `${l.type} cannot follow ${prev.type}`);
      }
      if (prev && FINAL_TYPES.includes(prev.type))
        err(l, 'UNEXPECTED_TRANSITION', `${l.type} after the final ${prev.type}`);
      if (l.mrn === null && i > 0 && l.type !== EVENT_TYPES.rejected)
        err(l, 'IDENTITY_MISMATCH', `${l.type} carries no MRN`);
    }

    // Within one partition the log's order is the chain's order: a swap shows here.
    const lastOnPartition = new Map<string, Link>();
    for (const l of chain) {
      const k = `${l.topic}:${l.partition}`;
      const before = lastOnPartition.get(k);
      if (before && BigInt(before.offset) > BigInt(l.offset))
        err(
          l,
          'OFFSET_ORDER',
          `sequence ${l.sequence} sits at offset ${l.offset}, before sequence ${before.sequence} at offset ${before.offset}`,
        );
      lastOnPartition.set(k, l);
    }
    return out;
  }
}

function compareFindings(a: AuditFinding, b: AuditFinding): number {
  return (
    (a.topic ?? '').localeCompare(b.topic ?? '') ||
    (a.partition ?? -1) - (b.partition ?? -1) ||
    Number(BigInt(a.offset ?? '-1') - BigInt(b.offset ?? '-1')) ||
    a.code.localeCompare(b.code)
  );
}
