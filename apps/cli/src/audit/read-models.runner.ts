import Decimal from 'decimal.js';
import { Connection } from 'mongoose';
import { Kafka } from 'kafkajs';
import { EVENT_TYPES, EventEnvelope, TOPICS } from '@customs/contracts';
import { DECLARATION_ROLES, EXTERNAL_CAUSE_ROLES, ReleaseInput } from '@customs/domain';
import {
  AccountChange,
  AccountChangeResult,
  AccountEntry,
  AccountRepository,
  connectStore,
  DeclarationTimeline,
  MongoReleaseRecordRepository,
  ReleaseRecord,
  ReleaseRecordRepository,
  StoredAccount,
  TimelineEntry,
  TimelineRepository,
  WaitingFilter,
} from '@customs/persistence';
import { ReleaseDecisionService } from '../../../release/src/decision/release-decision.service';
import { timelineEntry } from '../../../intake/src/timeline/timeline-entry.mapper';
import { resolveAuditTopics } from './audit-topics';
import { ReadOptions } from './kafka-log.reader';
import { readReplayLog, ReplayEvent, ReplayLog } from './replay.runner';

/** One field of one document where the live read model and the one rebuilt from the log differ. */
export interface ReadModelDifference {
  service: 'intake' | 'release';
  collection: string;
  /** The document's key (MRN). */
  key: string;
  /** Path of the field inside the document; `(document)` when one side has none. */
  field: string;
  live: unknown;
  rebuilt: unknown;
}

export interface ReadModelCount {
  collection: string;
  rebuilt: number;
  live: number;
  compared: number;
  differences: number;
}

export interface ReadModelReport {
  ok: boolean;
  scratchDb: string;
  scope: { mrn?: string; from?: string };
  counts: Record<'intake' | 'release', ReadModelCount> & { records: number; chains: number };
  differences: ReadModelDifference[];
  durationMs: number;
}

export interface ReadModelOptions {
  mongoUrl: string;
  dbs: { intake: string; release: string };
  /** Only declarations whose chain starts at or after this instant (ISO-8601). */
  from?: string;
  mrn?: string;
  prefix?: string;
  onStage?: (text: string) => void;
}

const MISSING = '(document)';
const MAX_DIFFERENCES_PER_DOCUMENT = 20;

/** Leaf-level differences of two JSON values (arrays by index, objects by key). */
function diffValues(
  live: unknown,
  rebuilt: unknown,
  path: string,
  out: [string, unknown, unknown][],
) {
  if (out.length >= MAX_DIFFERENCES_PER_DOCUMENT) return;
  const isObj = (v: unknown) => typeof v === 'object' && v !== null;
  if (Array.isArray(live) && Array.isArray(rebuilt)) {
    for (let i = 0; i < Math.max(live.length, rebuilt.length); i++)
      diffValues(live[i], rebuilt[i], `${path}[${i}]`, out);
    return;
  }
  if (isObj(live) && isObj(rebuilt) && !Array.isArray(live) && !Array.isArray(rebuilt)) {
    const l = live as Record<string, unknown>;
    const r = rebuilt as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(l), ...Object.keys(r)])].sort())
      diffValues(l[k], r[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (JSON.stringify(live) !== JSON.stringify(rebuilt))
    out.push([path, live ?? null, rebuilt ?? null]);
}

/** Streams a whole collection once (FerretDB answers a full scan far faster than per-key finds). */
async function streamAll(
  connection: Connection,
  collection: string,
  onDocument: (d: Record<string, unknown>) => void,
): Promise<number> {
  let n = 0;
  for await (const d of connection.db!.collection(collection).find({})) {
    onDocument(d as Record<string, unknown>);
    n++;
  }
  return n;
}

/** Intake's timeline document, normalised the way its repository reads it; entries by event id. */
function timelineView(d: Record<string, unknown>) {
  const entries: Record<string, unknown> = {};
  for (const e of (d.entries as Record<string, unknown>[]) ?? []) {
    const { eventId, summary, ...rest } = e;
    entries[String(eventId)] = { ...rest, summary: JSON.parse(String(summary ?? '{}')) as unknown };
  }
  return { lrn: d.lrn, declarantId: d.declarantId, borderPost: d.borderPost, entries };
}

/** Release's record, with what depends on when it was rebuilt (event instants, hashes) left out. */
function releaseView(d: Record<string, unknown>) {
  const outbox = ((d.outbox as { inputId: string; outputs: string }[]) ?? []).map((o) => ({
    inputId: o.inputId,
    outputs: (JSON.parse(o.outputs) as { topic: string; value: { eventId: string } }[]).map(
      (x) => `${x.topic} ${x.value?.eventId}`,
    ),
  }));
  const tail = d.tail ? (JSON.parse(String(d.tail)) as { eventId?: string }) : null;
  return {
    status: d.status,
    waitingFor: d.waitingFor,
    office: d.office ?? null,
    borderPost: d.borderPost ?? null,
    declarantId: d.declarantId ?? null,
    state: d.state ? (JSON.parse(String(d.state)) as unknown) : null,
    tailEventId: tail?.eventId ?? null,
    outbox,
  };
}

/**
 * The accounts as release's live ledger says they stood before the declarations in scope:
 * account openings are not in the log, so they come from release's own store (its entry 0,
 * written when release seeded the account), and a scoped check starts from the live balance
 * less the movements of the declarations in scope (their ids name the MRN).
 */
async function accountOpenings(
  live: Connection,
  inScope: ReadonlySet<string>,
  scoped: boolean,
): Promise<StoredAccount[]> {
  const byId = new Map<string, { a: StoredAccount; head: number }>();
  const entries: Record<string, unknown>[] = [];
  await streamAll(live, 'account_entries', (d) => entries.push(d));
  for (const d of entries.sort((x, y) => Number(x.version) - Number(y.version))) {
    const id = String(d.accountId);
    if (Number(d.version) === 0)
      byId.set(id, {
        a: {
          id,
          kind: d.kind as StoredAccount['kind'],
          currency: String(d.currency),
          balance: String(d.balance),
          appliedEventIds: [],
          holder: typeof d.holder === 'string' ? d.holder : '',
          authorisedDeclarants: Array.isArray(d.authorisedDeclarants)
            ? (d.authorisedDeclarants as unknown[]).map(String)
            : [],
          ...(typeof d.openedBy === 'string' ? { openedBy: d.openedBy } : {}),
        },
        head: 0,
      });
  }
  if (scoped) {
    for (const d of entries) {
      const o = byId.get(String(d.accountId));
      const mrn = /^release\/([^/]+)\//.exec(String(d.movementId))?.[1];
      if (!o || Number(d.version) === 0 || (mrn && inScope.has(mrn))) continue;
      const amount = new Decimal(String(d.amount));
      o.a.balance = new Decimal(o.a.balance)
        .plus(d.movementKind === 'debit' ? amount.neg() : amount)
        .toFixed();
    }
  }
  return [...byId.values()].map((o) => o.a);
}

/** Records written more than this before `--from` cannot belong to a chain that starts after it. */
const CLOCK_MARGIN_MS = 5 * 60_000;

/**
 * Where to start reading for a check scoped by `from`: each partition's first record
 * written at or after `from` less a margin for clock skew (the filter on the chain's own
 * instants stays exact; this only skips what cannot matter).
 */
async function offsetsAt(kafka: Kafka, o: ReadModelOptions) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const at = Date.parse(o.from!) - CLOCK_MARGIN_MS;
    const out = new Map<string, Map<number, string>>();
    for (const { topic } of resolveAuditTopics(o.prefix ?? '', undefined, [
      ...DECLARATION_ROLES,
      ...EXTERNAL_CAUSE_ROLES,
    ])) {
      const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, at);
      // -1: nothing written since; start at the end.
      const high = new Map(
        (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]),
      );
      out.set(
        topic,
        new Map(
          offsets.map((p) => [
            p.partition,
            p.offset === '-1' ? (high.get(p.partition) ?? '0') : p.offset,
          ]),
        ),
      );
    }
    return out;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const mrnOfChain = (chain: readonly ReplayEvent[]) => chain.find((x) => x.event.mrn)?.event.mrn;

/** The chains in scope: all, one MRN's, or those that started at or after `from`. */
function chainsInScope(log: ReplayLog, o: ReadModelOptions): Map<string, ReplayEvent[]> {
  const out = new Map<string, ReplayEvent[]>();
  for (const chain of log.chains.values()) {
    const mrn = mrnOfChain(chain);
    if (!mrn || (o.mrn && mrn !== o.mrn)) continue;
    const start = chain.reduce(
      (m, x) => (x.event.occurredAt < m ? x.event.occurredAt : m),
      chain[0].event.occurredAt,
    );
    if (o.from && start < o.from) continue;
    out.set(
      mrn,
      [...chain].sort((a, b) => a.event.sequence - b.event.sequence),
    );
  }
  return out;
}

/*
 * The services' own projection code runs over in-memory repositories (the abstract
 * repository classes, kept in maps: FerretDB takes seconds per thousand small writes), and
 * the result is written into the scratch database in bulk, in the live collections' layout.
 */

/** Intake's TimelineRepository contract (append once by event id; the first head stays). */
class MemoryTimelines extends TimelineRepository {
  readonly byMrn = new Map<string, DeclarationTimeline>();
  append(head: Omit<DeclarationTimeline, 'entries'>, entry: TimelineEntry): Promise<void> {
    const t = this.byMrn.get(head.mrn);
    if (!t) this.byMrn.set(head.mrn, { ...head, entries: [entry] });
    else if (!t.entries.some((e) => e.eventId === entry.eventId)) t.entries.push(entry);
    return Promise.resolve();
  }
  get(mrn: string): Promise<DeclarationTimeline | null> {
    return Promise.resolve(this.byMrn.get(mrn) ?? null);
  }
}

/** Release's record store, in memory (records are whole documents, copied through JSON). */
class MemoryReleaseRecords extends ReleaseRecordRepository {
  readonly byMrn = new Map<string, string>();
  get<S>(mrn: string): Promise<ReleaseRecord<S> | null> {
    const r = this.byMrn.get(mrn);
    return Promise.resolve(r ? (JSON.parse(r) as ReleaseRecord<S>) : null);
  }
  save<S>(record: ReleaseRecord<S>): Promise<void> {
    this.byMrn.set(record.mrn, JSON.stringify(record));
    return Promise.resolve();
  }
  async getMany<S>(mrns: readonly string[]): Promise<Map<string, ReleaseRecord<S>>> {
    const found = new Map<string, ReleaseRecord<S>>();
    for (const mrn of mrns) {
      const r = await this.get<S>(mrn);
      if (r) found.set(mrn, r);
    }
    return found;
  }
  async saveMany<S>(records: readonly ReleaseRecord<S>[]): Promise<void> {
    for (const r of records) await this.save(r);
  }
  findWaiting(_filter: WaitingFilter): Promise<ReleaseRecord[]> {
    return Promise.resolve([]);
  }
}

/** Release's account ledger, in memory: one writer here, so no races to lose. */
class MemoryAccounts extends AccountRepository {
  private readonly entries = new Map<string, AccountEntry[]>();
  private readonly meta = new Map<
    string,
    Pick<StoredAccount, 'kind' | 'currency' | 'holder' | 'authorisedDeclarants' | 'openedBy'>
  >();
  private head(id: string) {
    const list = this.entries.get(id);
    return list?.[list.length - 1];
  }
  private stored(id: string, movementIds: readonly string[]): StoredAccount | null {
    const head = this.head(id);
    const meta = this.meta.get(id);
    if (!head || !meta) return null;
    const applied = new Set(this.entries.get(id)!.map((e) => e.movementId));
    return {
      id,
      ...meta,
      balance: head.balance,
      appliedEventIds: movementIds.filter((m) => applied.has(m)),
      version: head.version,
    };
  }
  get(id: string, movementIds: readonly string[] = []): Promise<StoredAccount | null> {
    return Promise.resolve(this.stored(id, movementIds));
  }
  applyOnce(
    accountId: string,
    movement: { id: string; kind: 'debit' | 'credit'; amount: string },
    change: (current: StoredAccount) => AccountChange,
  ): Promise<AccountChangeResult> {
    const list = this.entries.get(accountId);
    const current = this.stored(accountId, []);
    if (!list || !current) return Promise.resolve({ outcome: 'not-found' });
    if ([...this.entries.values()].some((l) => l.some((e) => e.movementId === movement.id)))
      return Promise.resolve({ outcome: 'duplicate' });
    const decided = change(current);
    if ('refused' in decided)
      return Promise.resolve({ outcome: 'refused', reason: decided.refused, account: current });
    const version = (current.version ?? 0) + 1;
    list.push({
      accountId,
      version,
      balance: decided.balance,
      movementId: movement.id,
      movementKind: movement.kind,
      amount: movement.amount,
    });
    return Promise.resolve({
      outcome: 'applied',
      account: { ...current, balance: decided.balance, appliedEventIds: [movement.id], version },
    });
  }
  createIfMissing(a: StoredAccount): Promise<boolean> {
    if (this.entries.has(a.id)) return Promise.resolve(false);
    this.meta.set(a.id, {
      kind: a.kind,
      currency: a.currency,
      holder: a.holder,
      authorisedDeclarants: a.authorisedDeclarants,
      ...(a.openedBy ? { openedBy: a.openedBy } : {}),
    });
    this.entries.set(a.id, [
      {
        accountId: a.id,
        version: 0,
        balance: a.balance,
        movementId: `open/${a.id}`,
        movementKind: 'open',
        amount: a.balance,
      },
    ]);
    return Promise.resolve(true);
  }
  history(id: string): Promise<AccountEntry[]> {
    return Promise.resolve([...(this.entries.get(id) ?? [])]);
  }
}

/**
 * Intake's timelines, rebuilt with intake's own mapper: the lodgement puts the submission
 * and the acceptance on it, the timeline handler every later declaration event
 * (DeclarationAmended from the accepted topic, and the risk, valuation, held and released
 * topics), each once by event id. Written into the scratch database as intake's
 * repository lays them out (the summary as JSON text).
 */
async function rebuildTimelines(scratch: Connection, chains: Map<string, ReplayEvent[]>) {
  const repo = new MemoryTimelines();
  for (const [mrn, chain] of chains) {
    const accepted = chain.find((x) => x.event.type === EVENT_TYPES.accepted);
    if (!accepted) continue;
    type Head = { lrn?: string; declarant?: { id?: string }; borderPost?: string };
    const headOf = (e: EventEnvelope) => {
      const d = (e.payload as { declaration?: Head }).declaration;
      return {
        mrn,
        lrn: e.lrn,
        declarantId: d?.declarant?.id ?? 'unknown',
        borderPost: d?.borderPost ?? 'unknown',
      };
    };
    for (const x of chain) {
      const e = x.event;
      // The lodgement names the contract topics; the handler the topic it read from.
      if (e.type === EVENT_TYPES.submitted || e.type === EVENT_TYPES.accepted)
        await repo.append(
          headOf(accepted.event),
          timelineEntry(e, e.type === EVENT_TYPES.submitted ? TOPICS.submitted : TOPICS.accepted),
        );
      else if (x.role !== 'accepted' || e.type === EVENT_TYPES.amended)
        await repo.append(headOf(e), timelineEntry(e, x.topic));
    }
  }
  const docs = [...repo.byMrn.values()].map((t) => ({
    _id: t.mrn,
    lrn: t.lrn,
    declarantId: t.declarantId,
    borderPost: t.borderPost,
    entries: t.entries.map((e) => ({ ...e, summary: JSON.stringify(e.summary) })),
  }));
  const collection = scratch.db!.collection<{ _id: string }>('timelines');
  for (let i = 0; i < docs.length; i += 500) await collection.insertMany(docs.slice(i, i + 500));
}

const INPUT_TYPES: Readonly<Record<string, ReleaseInput['type']>> = {
  [EVENT_TYPES.valued]: 'valued',
  [EVENT_TYPES.payment]: 'payment',
  [EVENT_TYPES.controlResult]: 'control-result',
  [EVENT_TYPES.officerDecision]: 'officer-decision',
  [EVENT_TYPES.amendmentRequested]: 'amendment-requested',
  [EVENT_TYPES.invalidationRequested]: 'invalidation-requested',
};

/**
 * Release's records, rebuilt by release's own decision service (accounts seeded as release
 * seeds them), fed every input in the order of its instant as release's input handler maps
 * them, then saved into the scratch database through release's Mongo repository.
 */
async function rebuildReleaseRecords(
  scratch: Connection,
  log: ReplayLog,
  chains: Map<string, ReplayEvent[]>,
  openings: StoredAccount[],
) {
  const records = new MemoryReleaseRecords();
  const accounts = new MemoryAccounts();
  for (const a of openings) await accounts.createIfMissing(a);
  const service = new ReleaseDecisionService(records, accounts);
  const inputs: ReplayEvent[] = [];
  const seen = new Set<string>();
  for (const [mrn, chain] of chains)
    for (const x of [...chain, ...(log.external.get(mrn) ?? [])]) {
      if (x.role === 'accepted' || !INPUT_TYPES[x.event.type] || seen.has(x.event.eventId))
        continue;
      seen.add(x.event.eventId);
      inputs.push(x);
    }
  inputs.sort(
    (a, b) =>
      a.event.occurredAt.localeCompare(b.event.occurredAt) ||
      a.topic.localeCompare(b.topic) ||
      Number(BigInt(a.offset) - BigInt(b.offset)),
  );
  for (const x of inputs) {
    const e: EventEnvelope = x.event;
    const input = {
      type: INPUT_TYPES[e.type],
      eventId: e.eventId,
      mrn: e.mrn!,
      occurredAt: e.occurredAt,
      payload: e.payload,
    } as ReleaseInput;
    await service.apply(e, input, `${x.topic}/${x.partition}/${x.offset}`);
  }
  const mongo = new MongoReleaseRecordRepository(scratch);
  const all = [...records.byMrn.values()].map((r) => JSON.parse(r) as ReleaseRecord);
  for (let i = 0; i < all.length; i += 500) await mongo.saveMany(all.slice(i, i + 500));
}

async function diffCollection(
  service: 'intake' | 'release',
  collection: string,
  live: Connection,
  scratch: Connection,
  view: (d: Record<string, unknown>) => unknown,
  keys: Set<string>,
  scoped: boolean,
  out: ReadModelDifference[],
): Promise<ReadModelCount> {
  const rebuilt = new Map<string, unknown>();
  await streamAll(scratch, collection, (d) => rebuilt.set(String(d._id), view(d)));
  const count: ReadModelCount = {
    collection,
    rebuilt: rebuilt.size,
    live: 0,
    compared: 0,
    differences: 0,
  };
  const seenLive = new Set<string>();
  const push = (key: string, field: string, l: unknown, r: unknown) => {
    out.push({ service, collection, key, field, live: l, rebuilt: r });
    count.differences++;
  };
  await streamAll(live, collection, (d) => {
    const key = String(d._id);
    // In a scoped check, live documents of declarations outside the scope are not judged.
    if (scoped && !keys.has(key)) return;
    count.live++;
    seenLive.add(key);
    const again = rebuilt.get(key);
    if (again === undefined) return push(key, MISSING, 'present', null);
    count.compared++;
    const found: [string, unknown, unknown][] = [];
    diffValues(view(d), again, '', found);
    for (const [field, l, r] of found) push(key, field, l, r);
  });
  for (const key of rebuilt.keys()) if (!seenLive.has(key)) push(key, MISSING, null, 'present');
  return count;
}

/**
 * The read-model check: rebuilds intake's timelines and release's records from the log into
 * a scratch database (dropped afterwards), then diffs each with the live one, field by field.
 */
export async function runReadModelCheck(
  kafka: Kafka,
  o: ReadModelOptions,
  read: ReadOptions = {},
): Promise<ReadModelReport> {
  const started = Date.now();
  o.onStage?.('reading the log');
  const log = await readReplayLog(kafka, o.prefix ?? '', {
    ...read,
    startOffsets: read.startOffsets ?? (o.from ? await offsetsAt(kafka, o) : undefined),
  });
  const chains = chainsInScope(log, o);
  const scratchDb = `customs_audit_scratch_${process.pid}`;
  const scratch = await connectStore(o.mongoUrl, scratchDb);
  const liveIntake = await connectStore(o.mongoUrl, o.dbs.intake);
  const liveRelease = await connectStore(o.mongoUrl, o.dbs.release);
  const differences: ReadModelDifference[] = [];
  try {
    await scratch.dropDatabase(); // a leftover of a crashed run of the same pid
    o.onStage?.(`rebuilding intake's timelines of ${chains.size} declarations into ${scratchDb}`);
    await rebuildTimelines(scratch, chains);
    o.onStage?.(`rebuilding release's records into ${scratchDb}`);
    const keys = new Set(chains.keys());
    const scoped = Boolean(o.mrn || o.from);
    await rebuildReleaseRecords(
      scratch,
      log,
      chains,
      await accountOpenings(liveRelease, keys, scoped),
    );
    o.onStage?.('comparing with the live read models');
    const intake = await diffCollection(
      'intake',
      'timelines',
      liveIntake,
      scratch,
      timelineView,
      keys,
      scoped,
      differences,
    );
    const release = await diffCollection(
      'release',
      'release_records',
      liveRelease,
      scratch,
      releaseView,
      keys,
      scoped,
      differences,
    );
    return {
      ok: differences.length === 0,
      scratchDb,
      scope: { ...(o.mrn ? { mrn: o.mrn } : {}), ...(o.from ? { from: o.from } : {}) },
      counts: { records: log.records, chains: chains.size, intake, release },
      differences,
      durationMs: Date.now() - started,
    };
  } finally {
    await scratch.dropDatabase().catch(() => undefined);
    await Promise.all(
      [scratch, liveIntake, liveRelease].map((c) => c.close().catch(() => undefined)),
    );
  }
}

export function formatReadModelReport(r: ReadModelReport, limit = 50): string {
  const c = r.counts;
  const line = (n: string, x: ReadModelCount) =>
    `${n}.${x.collection}: ${x.rebuilt} rebuilt, ${x.live} live, ${x.compared} compared, ${x.differences} differences`;
  const lines = [
    `read ${c.records} records: ${c.chains} declarations in scope${r.scope.mrn ? ` (MRN ${r.scope.mrn})` : ''}${r.scope.from ? ` (from ${r.scope.from})` : ''}, rebuilt in ${r.scratchDb} (dropped)`,
    line('intake', c.intake),
    line('release', c.release),
  ];
  for (const d of r.differences.slice(0, limit))
    lines.push(
      `  DIFF ${d.service}.${d.collection} ${d.key} ${d.field}: live ${JSON.stringify(d.live)}, rebuilt ${JSON.stringify(d.rebuilt)}`,
    );
  if (r.differences.length > limit)
    lines.push(`  ... ${r.differences.length - limit} more (--limit, or --json for all)`);
  lines.push(
    r.ok
      ? 'no differences: the live read models are what the log makes'
      : `${r.differences.length} differences`,
  );
  lines.push(`checked in ${(r.durationMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}
