import { Kafka } from 'kafkajs';
import {
  AcceptedPayload,
  EVENT_TYPES,
  EventEnvelope,
  RiskAssessedPayload,
  ValuedPayload,
} from '@customs/contracts';
import Decimal from 'decimal.js';
import {
  Account,
  accountFromOpening,
  applyReleaseInput,
  assessRisk,
  assessValuation,
  ACCOUNT_ROLES,
  DECLARATION_ROLES,
  EXTERNAL_CAUSE_ROLES,
  LogRecord,
  readAccountEvent,
  readEnvelope,
  ReleaseInput,
  ReleaseContext,
  ReleaseState,
  securityDebitEventId,
  TopicRole,
  validateDeclaration,
} from '@customs/domain';
import { resolveAuditTopics } from './audit-topics';
import { readLog, ReadOptions } from './kafka-log.reader';
import { ReferenceNeeds, ReferenceSource, SEED_REFERENCE } from './replay-reference.source';

export { SEED_REFERENCE } from './replay-reference.source';
export type { ReferenceSource } from './replay-reference.source';

export type ReplayStage = 'validation' | 'risk' | 'valuation' | 'release';
export const REPLAY_STAGES: readonly ReplayStage[] = ['validation', 'risk', 'valuation', 'release'];

/** Where a logged event sits in Kafka. */
export interface LogPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** One logged event with its position: what a replay reads. */
export interface ReplayEvent extends LogPosition {
  role: TopicRole;
  event: EventEnvelope;
}

export interface ReplayDifference extends Partial<LogPosition> {
  mrn: string | null;
  stage: ReplayStage;
  field: string;
  logged: unknown;
  rederived: unknown;
}

/**
 * A decision the replay could not re-derive, with why: `reference-version` (a recorded
 * version is neither the seed nor stored), `incomplete-record` (the event lacks what is
 * needed), `account-balance` (a release on a guarantee/deferment account that follows from
 * the rules with the balance the logged decision implies, but not with the balance rebuilt
 * from the log: the opening or a credit is missing from customs.accounts.v1, or the replay
 * was given only part of the log), `failed` (the engine threw).
 */
export interface NotRederivable extends Partial<LogPosition> {
  mrn: string | null;
  stage: ReplayStage;
  category: 'reference-version' | 'incomplete-record' | 'account-balance' | 'failed';
  reason: string;
}

export interface ReplayReport {
  ok: boolean;
  counts: {
    records: number;
    chains: number;
    rederived: Record<ReplayStage, number>;
    /** Release decisions re-derived on a guarantee/deferment account balance rebuilt from the log. */
    rederivedOnAccounts: number;
    differences: number;
    notRederivable: number;
  };
  differences: ReplayDifference[];
  notRederivable: NotRederivable[];
  durationMs?: number;
}

/**
 * Guarantee and deferment accounts as the log tells them: the AccountOpened events of
 * customs.accounts.v1 (release opens accounts from those and nowhere else; the seed file is
 * published there by `customs accounts seed`), then every AccountCredited there, every
 * debit a logged release records (`release.account.debited`, at the released event's
 * instant, which follows the debit) and every credit the release reducer derives from
 * logged payments and invalidations. The balance a decision saw is the opening plus every
 * movement before the decision's logged instant; an account opened after it did not exist.
 */
const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
const money = (v: string) => new Money(v);
const moneyString = (v: Decimal) => v.toFixed();

export class AccountLedger {
  private readonly moves = new Map<
    string,
    { at: string; mrn: string; amount: string; eventId: string }[]
  >();
  private readonly opening: Map<string, { account: Account; at: string }>;

  /** `accounts`: opened before anything the replay reads (a test's fixture). */
  constructor(accounts: readonly Omit<Account, 'appliedEventIds'>[] = []) {
    this.opening = new Map(
      accounts.map((a) => [a.id, { account: { ...a, appliedEventIds: [] }, at: '' }]),
    );
  }

  /**
   * The ledger of the accounts log: each account's first opening (a second one of the same
   * account changes nothing, as in release's store) and every credit, once per event id.
   * Events that do not read as account events are left to `audit verify`.
   */
  static fromAccountEvents(events: readonly ReplayEvent[]): AccountLedger {
    const ledger = new AccountLedger();
    const sorted = [...events].sort(
      (a, b) =>
        a.event.occurredAt.localeCompare(b.event.occurredAt) ||
        a.partition - b.partition ||
        Number(BigInt(a.offset) - BigInt(b.offset)),
    );
    for (const x of sorted) {
      const read = readAccountEvent(x.event);
      if (!('event' in read)) continue;
      const e = read.event;
      if (e.type === 'opened') {
        if (!ledger.opening.has(e.payload.accountId))
          ledger.opening.set(e.payload.accountId, {
            account: accountFromOpening(e.payload),
            at: x.event.occurredAt,
          });
      } else {
        ledger.add(e.payload.accountId, {
          at: x.event.occurredAt,
          mrn: '',
          amount: e.payload.amount,
          eventId: e.eventId,
        });
      }
    }
    return ledger;
  }

  /** Accounts opened on the log (for messages). */
  has(accountId: string): boolean {
    return this.opening.has(accountId);
  }

  add(accountId: string, m: { at: string; mrn: string; amount: string; eventId: string }): void {
    const list = this.moves.get(accountId) ?? [];
    if (!list.some((x) => x.eventId === m.eventId)) list.push(m);
    this.moves.set(accountId, list);
  }

  /** The account as it stood just before `at`, as release's store answers for `mrn`'s decision. */
  at(accountId: string, at: string, mrn: string): Account | undefined {
    const opened = this.opening.get(accountId);
    if (!opened || opened.at >= at) return undefined;
    const open = opened.account;
    let balance = money(open.balance);
    const applied: string[] = [];
    const ownDebit = securityDebitEventId(mrn);
    for (const m of this.moves.get(accountId) ?? []) {
      if (m.at >= at) continue;
      balance = balance.plus(money(m.amount));
      if (m.eventId === ownDebit) applied.push(ownDebit);
    }
    return { ...open, balance: moneyString(balance), appliedEventIds: applied };
  }
}

/** The release outcomes appended by release, as kinds comparable with the reducer's. */
const RELEASE_LINK_TYPES: ReadonlySet<string> = new Set([
  EVENT_TYPES.held,
  EVENT_TYPES.released,
  EVENT_TYPES.amended,
  EVENT_TYPES.invalidated,
]);

interface OutcomeView {
  kind: string;
  waitingFor?: string[];
  /** Held: why the duties are not secured (insufficient balance, unknown account). */
  reasons?: string[];
  /** Released: what secured the duties and what was debited from which account. */
  securedBy?: string;
  debited?: string;
}

type AnyRelease = {
  status?: string;
  waitingFor?: string[];
  reasons?: string[];
  securedBy?: string;
  account?: { id?: string; debited?: string };
};

function outcomeOf(kind: string, r: AnyRelease | undefined): OutcomeView {
  if (kind === 'held')
    return {
      kind,
      waitingFor: [...(r?.waitingFor ?? [])].sort(),
      reasons: [...(r?.reasons ?? [])].sort(),
    };
  if (kind === 'released')
    return {
      kind,
      securedBy: r?.securedBy,
      debited: r?.account?.debited ? `${r.account.id}:${r.account.debited}` : undefined,
    };
  return { kind };
}

function loggedOutcome(e: EventEnvelope): OutcomeView {
  const r = (e.payload as { release?: AnyRelease }).release;
  if (e.type === EVENT_TYPES.held) return outcomeOf('held', r);
  if (e.type === EVENT_TYPES.released) return outcomeOf(r?.status ?? 'released', r);
  if (e.type === EVENT_TYPES.amended) return { kind: 'amended' };
  return { kind: 'invalidated' };
}

const show = (o: OutcomeView): string => {
  const parts = [
    o.waitingFor && `[${o.waitingFor.join(',')}]`,
    o.reasons?.length ? `(${o.reasons.join(',')})` : '',
    o.securedBy && ` by ${o.securedBy}`,
    o.debited && ` debiting ${o.debited}`,
  ];
  return o.kind + parts.filter(Boolean).join('');
};

function inputOf(x: ReplayEvent): ReleaseInput | null {
  const e = x.event;
  const base = { eventId: e.eventId, mrn: e.mrn!, occurredAt: e.occurredAt };
  switch (e.type) {
    case EVENT_TYPES.valued:
      return { ...base, type: 'valued', payload: e.payload as ValuedPayload };
    case EVENT_TYPES.payment:
      return { ...base, type: 'payment', payload: e.payload as never };
    case EVENT_TYPES.controlResult:
      return { ...base, type: 'control-result', payload: e.payload as never };
    case EVENT_TYPES.officerDecision:
      return { ...base, type: 'officer-decision', payload: e.payload as never };
    case EVENT_TYPES.amendmentRequested:
      return { ...base, type: 'amendment-requested', payload: e.payload as never };
    case EVENT_TYPES.invalidationRequested:
      return { ...base, type: 'invalidation-requested', payload: e.payload as never };
    default:
      return null;
  }
}

const pos = (x: ReplayEvent): LogPosition => ({
  topic: x.topic,
  partition: x.partition,
  offset: x.offset,
});

type ChainResult = {
  rederived: Record<ReplayStage, number>;
  rederivedOnAccounts: number;
  differences: ReplayDifference[];
  notRederivable: NotRederivable[];
};

/** A chain's events in sequence order, each event once. */
function prepareChain(chain: readonly ReplayEvent[]): ReplayEvent[] {
  return firstCopies(chain).sort((a, b) => a.event.sequence - b.event.sequence);
}

/**
 * Re-derives every decision of one declaration chain (`chain`: its declaration events;
 * `external`: payments, control results, officer decisions and change requests of its MRN)
 * with the reference versions each event records, and reports what differs. Pure: exported
 * so a test can feed it an altered chain. Release decisions secured by a guarantee or
 * deferment account are decided on the balance `ledger` rebuilds from the log.
 */
export function replayChain(
  chain: readonly ReplayEvent[],
  externalInputs: readonly ReplayEvent[],
  reference: ReferenceSource = SEED_REFERENCE,
  ledger: AccountLedger = new AccountLedger(),
): ChainResult {
  const sorted = prepareChain(chain);
  const decisions = replayDecisions(sorted, reference);
  const release = replayRelease(sorted, externalInputs, ledger);
  for (const s of REPLAY_STAGES) decisions.rederived[s] += release.rederived[s];
  return {
    rederived: decisions.rederived,
    rederivedOnAccounts: release.rederivedOnAccounts,
    differences: [...decisions.differences, ...release.differences],
    notRederivable: [...decisions.notRederivable, ...release.notRederivable],
  };
}

function collector(sorted: readonly ReplayEvent[]) {
  const result: ChainResult = {
    rederived: { validation: 0, risk: 0, valuation: 0, release: 0 },
    rederivedOnAccounts: 0,
    differences: [],
    notRederivable: [],
  };
  const mrnOf = sorted.find((x) => x.event.mrn)?.event.mrn ?? null;
  const differ = (
    x: ReplayEvent,
    stage: ReplayStage,
    field: string,
    logged: unknown,
    again: unknown,
  ) => {
    if (JSON.stringify(logged) !== JSON.stringify(again))
      result.differences.push({
        ...pos(x),
        mrn: x.event.mrn ?? mrnOf,
        stage,
        field,
        logged,
        rederived: again,
      });
  };
  const cannot = (
    x: ReplayEvent | null,
    stage: ReplayStage,
    category: NotRederivable['category'],
    reason: string,
  ) =>
    result.notRederivable.push({
      ...(x ? pos(x) : {}),
      mrn: x?.event.mrn ?? mrnOf,
      stage,
      category,
      reason,
    });
  return { result, mrnOf, differ, cannot };
}

/** Validation, risk and valuation: each a pure function of its event and recorded versions. */
function replayDecisions(sorted: readonly ReplayEvent[], reference: ReferenceSource): ChainResult {
  const { result, differ, cannot } = collector(sorted);
  const submittedAt = sorted.find((x) => x.event.type === EVENT_TYPES.submitted)?.event.occurredAt;
  for (const x of sorted) {
    const e = x.event;
    try {
      if (e.type === EVENT_TYPES.accepted) {
        const { declaration, acceptance } = e.payload as AcceptedPayload;
        const version = acceptance?.referenceData?.nomenclature;
        if (!version) {
          cannot(
            x,
            'validation',
            'incomplete-record',
            'no nomenclature version recorded in the acceptance',
          );
          continue;
        }
        const nomenclature = reference.nomenclature(version);
        if (!nomenclature) {
          cannot(x, 'validation', 'reference-version', reference.missing('nomenclature', version));
          continue;
        }
        const lodgedAt = submittedAt ?? acceptance.acceptedAt;
        const again = validateDeclaration(declaration, {
          nomenclature,
          lodgementDate: new Date(lodgedAt).toISOString().slice(0, 10),
        });
        result.rederived.validation++;
        differ(
          x,
          'validation',
          'valid',
          true,
          again.ok ? true : again.reasons.map((r) => `${r.code} ${r.path ?? ''}`.trim()),
        );
      } else if (e.type === EVENT_TYPES.riskAssessed) {
        const { declaration, acceptance, risk } = e.payload as RiskAssessedPayload;
        const ruleset = reference.ruleset(risk.rulesetVersion);
        const traders = risk.traderRegistryVersion
          ? reference.traders(risk.traderRegistryVersion)
          : null;
        if (!ruleset) {
          cannot(x, 'risk', 'reference-version', reference.missing('ruleset', risk.rulesetVersion));
          continue;
        }
        if (!traders) {
          if (risk.traderRegistryVersion)
            cannot(
              x,
              'risk',
              'reference-version',
              reference.missing('traders', risk.traderRegistryVersion),
            );
          else cannot(x, 'risk', 'incomplete-record', 'no trader registry version recorded');
          continue;
        }
        const again = assessRisk(
          { declaration, mrn: acceptance.mrn, acceptedAt: acceptance.acceptedAt },
          ruleset,
          traders,
        );
        result.rederived.risk++;
        differ(x, 'risk', 'channel', risk.channel, again.channel);
        differ(x, 'risk', 'score', risk.score, again.score);
        differ(
          x,
          'risk',
          'hits',
          risk.hits.map((h) => h.ruleId),
          again.hits.map((h) => h.ruleId),
        );
      } else if (e.type === EVENT_TYPES.valued) {
        const { declaration, acceptance, valuation } = e.payload as ValuedPayload;
        const data = reference.valuation(valuation.versions);
        if (!data) {
          const unknown = Object.entries(valuation.versions ?? {})
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(', ');
          cannot(x, 'valuation', 'reference-version', reference.missing('valuation', unknown));
          continue;
        }
        const again = assessValuation({ declaration, acceptedAt: acceptance.acceptedAt }, data, {
          // The administration's settings are recorded in the result itself.
          nationalCurrency: valuation.currency,
          ...(valuation.basis ? { basis: valuation.basis } : {}),
        });
        result.rederived.valuation++;
        for (const f of ['customsValue', 'totalDuties', 'totalTaxes', 'totalToPay'] as const)
          differ(x, 'valuation', f, valuation[f], again[f]);
      }
    } catch (error) {
      cannot(x, stageOf(e.type), 'failed', `re-derivation failed: ${(error as Error).message}`);
    }
  }
  return result;
}

/** The account ids a decision on `input` reads (as release's service looks them up). */
function accountIds(state: ReleaseState | undefined, input: ReleaseInput): string[] {
  const valued = input.type === 'valued' ? input.payload : state?.valued?.payload;
  const ids = new Set<string>();
  if (valued?.declaration?.guaranteeReference) ids.add(valued.declaration.guaranteeReference);
  if (state?.securingAccount) ids.add(state.securingAccount.id);
  return [...ids];
}

/** Credits the reducer derived for a chain (settlements, invalidations), for the ledger. */
export interface DerivedMovement {
  accountId: string;
  at: string;
  mrn: string;
  amount: string;
  eventId: string;
}

/**
 * Release: the reducer over the chain's inputs in log order (occurredAt, then position),
 * each step decided on the accounts as `ledger` says they stood at the step's logged
 * instant (the instant of the outcome the step caused, else of its input).
 */
function replayRelease(
  sorted: readonly ReplayEvent[],
  externalInputs: readonly ReplayEvent[],
  ledger: AccountLedger,
  credits?: DerivedMovement[],
): ChainResult {
  const mrn = sorted.find((x) => x.event.mrn)?.event.mrn ?? '';
  const first = releaseOnce(sorted, externalInputs, (id, at) => ledger.at(id, at, mrn), credits);
  const difference = first.result.differences[0];
  if (!difference || !first.onAccounts) return first.result;
  // The balance rebuilt from the log does not give the logged decision. Does the balance the
  // logged decision implies? Then the rules were applied right, and what the log cannot tell
  // is the balance (an opening or credit missing from the accounts log, or a partial read).
  const logged = sorted.filter((x) => RELEASE_LINK_TYPES.has(x.event.type));
  const causedBy = new Map(logged.map((l) => [l.event.causationId, l.event]));
  const implied = releaseOnce(sorted, externalInputs, (id, at, input) => {
    const r = (
      causedBy.get(input.eventId)?.payload as {
        release?: AnyRelease & { account?: { available?: string } };
      }
    )?.release;
    if (r?.reasons?.includes('account-not-found')) return undefined;
    const open = ledger.at(id, at, mrn);
    const valued = sorted.find((x) => x.event.type === EVENT_TYPES.valued)?.event.payload as
      ValuedPayload | undefined;
    // Not authorised: whatever the account held, it was not the declarant's.
    if (r?.reasons?.includes('guarantee-not-authorised'))
      return {
        id,
        kind: open?.kind ?? 'guarantee',
        currency: open?.currency ?? valued?.valuation.currency ?? 'EUR',
        balance: open?.balance ?? '0',
        appliedEventIds: [],
        holder: open?.holder ?? '',
        authorisedDeclarants: open?.authorisedDeclarants ?? [],
      };
    return {
      id,
      kind: open?.kind ?? 'guarantee',
      currency: open?.currency ?? valued?.valuation.currency ?? 'EUR',
      balance: r?.account?.available ?? AMPLE_BALANCE,
      appliedEventIds: open?.appliedEventIds ?? [],
      // A decision that used the account implies the declarant could: as its holder.
      holder: open?.holder ?? valued?.declaration.declarant.id ?? '',
      authorisedDeclarants: open?.authorisedDeclarants ?? [],
    };
  });
  if (implied.result.differences.length > 0) return first.result;
  const at = sorted.find((x) => x.topic === difference.topic && x.offset === difference.offset)
    ?.event.occurredAt;
  const ids = [...new Set(first.accountIds)];
  const balances = ids
    .map((id) => {
      const a = at ? ledger.at(id, at, mrn) : undefined;
      return `${id} ${a ? `${a.balance} ${a.currency}` : 'not opened on customs.accounts.v1 before it'}`;
    })
    .join(', ');
  // Not counted as re-derived: it is reported as not re-derivable instead.
  const rederived = {
    ...first.result.rederived,
    release: first.result.rederived.release - logged.length,
  };
  return {
    ...first.result,
    rederived,
    rederivedOnAccounts: first.result.rederivedOnAccounts - logged.length,
    differences: [],
    notRederivable: [
      ...first.result.notRederivable,
      {
        topic: difference.topic,
        partition: difference.partition,
        offset: difference.offset,
        mrn: difference.mrn,
        stage: 'release',
        category: 'account-balance',
        reason:
          `logged ${String(difference.logged)} follows from the rules with the balance it implies, not with the balance ` +
          `rebuilt from the log (${balances}: the opening on customs.accounts.v1 plus every movement logged before it); ` +
          `the log does not explain the balance release decided on`,
      },
    ],
  };
}

/** A balance no declaration exhausts: stands for "enough" when the logged decision says so. */
const AMPLE_BALANCE = '1000000000000000';

function releaseOnce(
  sorted: readonly ReplayEvent[],
  externalInputs: readonly ReplayEvent[],
  accountAt: (id: string, at: string, input: ReleaseInput) => Account | undefined,
  credits?: DerivedMovement[],
): { result: ChainResult; onAccounts: boolean; accountIds: string[] } {
  const { result, mrnOf, differ, cannot } = collector(sorted);
  const used: string[] = [];
  let onAccounts = false;
  const logged = sorted.filter((x) => RELEASE_LINK_TYPES.has(x.event.type));
  if (!mrnOf || logged.length === 0) return { result, onAccounts, accountIds: used };
  const inputs = [
    ...sorted.filter((x) => x.event.type === EVENT_TYPES.valued),
    ...firstCopies(externalInputs),
  ]
    .filter((x) => x.event.mrn === mrnOf)
    .sort(
      (a, b) =>
        a.event.occurredAt.localeCompare(b.event.occurredAt) ||
        a.topic.localeCompare(b.topic) ||
        Number(BigInt(a.offset) - BigInt(b.offset)),
    );
  const decidedAt = new Map<string, string>();
  for (const l of logged)
    if (l.event.causationId && !decidedAt.has(l.event.causationId))
      decidedAt.set(l.event.causationId, l.event.occurredAt);
  try {
    let state: ReleaseState | undefined;
    const again: OutcomeView[] = [];
    for (const x of inputs) {
      const input = inputOf(x);
      if (!input) continue;
      const at = decidedAt.get(x.event.eventId) ?? x.event.occurredAt;
      const ctx: ReleaseContext = { accounts: {} };
      for (const id of accountIds(state, input)) {
        onAccounts = true;
        used.push(id);
        const account = accountAt(id, at, input);
        if (account) (ctx.accounts as Record<string, Account>)[id] = account;
      }
      const step = applyReleaseInput(state, input, ctx);
      state = step.state;
      for (const m of step.accountMovements)
        if (m.kind === 'credit')
          credits?.push({
            accountId: m.accountId,
            at,
            mrn: mrnOf,
            amount: m.amount,
            eventId: m.eventId,
          });
      for (const l of step.changeLinks ?? []) again.push({ kind: l.outcome });
      for (const d of step.decisions) again.push(outcomeOf(d.outcome, d.release as AnyRelease));
    }
    result.rederived.release += logged.length;
    if (onAccounts) result.rederivedOnAccounts += logged.length;
    const was = logged.map((x) => loggedOutcome(x.event));
    const n = Math.max(was.length, again.length);
    for (let i = 0; i < n; i++) {
      const at = logged[Math.min(i, logged.length - 1)];
      const a = was[i] ? show(was[i]) : null;
      const b = again[i] ? show(again[i]) : null;
      if (a !== b) {
        differ(at, 'release', `outcome[${i}]`, a, b);
        break; // later outcomes follow from this one
      }
    }
  } catch (error) {
    cannot(logged[0], 'release', 'failed', `re-derivation failed: ${(error as Error).message}`);
  }
  return { result, onAccounts, accountIds: used };
}

function firstCopies(events: readonly ReplayEvent[]): ReplayEvent[] {
  const byId = new Map<string, ReplayEvent>();
  for (const x of events) {
    const had = byId.get(x.event.eventId);
    if (!had || (had.topic === x.topic && BigInt(x.offset) < BigInt(had.offset)))
      byId.set(x.event.eventId, x);
  }
  return [...byId.values()];
}

function stageOf(type: string): ReplayStage {
  if (type === EVENT_TYPES.accepted) return 'validation';
  if (type === EVENT_TYPES.riskAssessed) return 'risk';
  if (type === EVENT_TYPES.valued) return 'valuation';
  return 'release';
}

/** Declaration chains (by correlation id) and external inputs (by MRN) of a log. */
export interface ReplayLog {
  records: number;
  chains: Map<string, ReplayEvent[]>;
  external: Map<string, ReplayEvent[]>;
  /** customs.accounts.v1: the openings and credits every balance starts from. */
  accounts: ReplayEvent[];
}

/** Reads the declaration topics and the external causes into chains, and the accounts log. */
export async function readReplayLog(
  kafka: Kafka,
  prefix = '',
  read: ReadOptions = {},
): Promise<ReplayLog> {
  const topics = resolveAuditTopics(prefix, undefined, [
    ...DECLARATION_ROLES,
    ...EXTERNAL_CAUSE_ROLES,
  ]);
  const log: ReplayLog = { records: 0, chains: new Map(), external: new Map(), accounts: [] };
  const onRecord = (r: LogRecord) => {
    log.records++;
    const parsed = readEnvelope(r.value);
    if (!('envelope' in parsed)) return; // unreadable records are `audit verify`'s business
    const x: ReplayEvent = {
      role: r.role,
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      event: parsed.envelope,
    };
    if (ACCOUNT_ROLES.includes(r.role)) {
      log.accounts.push(x);
      return;
    }
    if (EXTERNAL_CAUSE_ROLES.includes(r.role)) {
      if (!x.event.mrn) return;
      const list = log.external.get(x.event.mrn);
      if (list) list.push(x);
      else log.external.set(x.event.mrn, [x]);
      return;
    }
    const list = log.chains.get(x.event.correlationId);
    if (list) list.push(x);
    else log.chains.set(x.event.correlationId, [x]);
  };
  await readLog(kafka, topics, onRecord, read);
  // The accounts log always from its beginning: a replay of part of the log (a run, a
  // window) still needs every opening and credit before it. A copy without it (made before
  // it existed) has no openings: its account-secured releases are then not re-derivable.
  const admin = kafka.admin();
  await admin.connect();
  let existing: Set<string>;
  try {
    existing = new Set(await admin.listTopics());
  } finally {
    await admin.disconnect();
  }
  const accounts = resolveAuditTopics(prefix, undefined, ACCOUNT_ROLES).filter((t) =>
    existing.has(t.topic),
  );
  if (accounts.length > 0)
    await readLog(kafka, accounts, onRecord, { ...read, startOffsets: undefined });
  return log;
}

/** Every reference version the log's decisions recorded. */
function needsOf(chains: Iterable<ReplayEvent[]>): ReferenceNeeds {
  const needs: ReferenceNeeds = {
    nomenclature: [],
    rulesets: new Set(),
    traders: new Set(),
    valuation: [],
  };
  const seenNomenclature = new Set<string>();
  const seenValuation = new Set<string>();
  for (const chain of chains) {
    const submittedAt = chain.find((x) => x.event.type === EVENT_TYPES.submitted)?.event.occurredAt;
    for (const x of chain) {
      const p = x.event.payload as Partial<ValuedPayload>;
      if (x.event.type === EVENT_TYPES.accepted) {
        const version = p.acceptance?.referenceData?.nomenclature;
        const lodgedAt = submittedAt ?? p.acceptance?.acceptedAt;
        if (version && lodgedAt && !seenNomenclature.has(`${version}@${lodgedAt}`)) {
          seenNomenclature.add(`${version}@${lodgedAt}`);
          needs.nomenclature.push({ version, lodgedAt });
        }
      } else if (x.event.type === EVENT_TYPES.riskAssessed && p.risk) {
        needs.rulesets.add(p.risk.rulesetVersion);
        if (p.risk.traderRegistryVersion) needs.traders.add(p.risk.traderRegistryVersion);
      } else if (x.event.type === EVENT_TYPES.valued && p.valuation?.versions) {
        const key = JSON.stringify(p.valuation.versions);
        if (!seenValuation.has(key)) {
          seenValuation.add(key);
          needs.valuation.push(p.valuation.versions);
        }
      }
    }
  }
  return needs;
}

/**
 * Replays a log read with `readReplayLog`: every chain (or the one of `mrn`) is re-derived
 * with the reference versions it recorded. Account-secured releases need every other
 * declaration's movements, so the whole log feeds the ledger even when one MRN is replayed:
 * first the debits logged releases record, then (second pass) the credits the reducer
 * derives from logged payments and invalidations.
 */
export async function replayLog(
  log: ReplayLog,
  options: { mrn?: string; reference?: ReferenceSource; ledger?: AccountLedger } = {},
): Promise<ReplayReport> {
  const reference = options.reference ?? SEED_REFERENCE;
  const started = Date.now();
  const ledger = options.ledger ?? AccountLedger.fromAccountEvents(log.accounts);
  const chains = [...log.chains.values()].map(prepareChain);
  for (const chain of chains)
    for (const x of chain) {
      const r = (x.event.payload as { release?: AnyRelease }).release;
      if (
        x.event.type === EVENT_TYPES.released &&
        r?.account?.id &&
        r.account.debited &&
        x.event.mrn
      )
        ledger.add(r.account.id, {
          at: x.event.occurredAt,
          mrn: x.event.mrn,
          amount: `-${r.account.debited}`,
          eventId: securityDebitEventId(x.event.mrn),
        });
    }
  const selected = chains.filter(
    (c) => !options.mrn || c.find((x) => x.event.mrn)?.event.mrn === options.mrn,
  );
  await reference.prepare?.(needsOf(selected));

  const externalOf = (chain: ReplayEvent[]) => {
    const mrn = chain.find((x) => x.event.mrn)?.event.mrn;
    return mrn ? (log.external.get(mrn) ?? []) : [];
  };
  // First pass over every chain that names an account: the credits it derives.
  const credits: DerivedMovement[] = [];
  for (const chain of chains) {
    const valued = chain.find((x) => x.event.type === EVENT_TYPES.valued);
    if ((valued?.event.payload as ValuedPayload | undefined)?.declaration?.guaranteeReference)
      replayRelease(chain, externalOf(chain), ledger, credits);
  }
  for (const c of credits) ledger.add(c.accountId, c);

  const report: ReplayReport = {
    ok: true,
    counts: {
      records: log.records,
      chains: 0,
      rederived: { validation: 0, risk: 0, valuation: 0, release: 0 },
      rederivedOnAccounts: 0,
      differences: 0,
      notRederivable: 0,
    },
    differences: [],
    notRederivable: [],
  };
  for (const chain of selected) {
    report.counts.chains++;
    const decisions = replayDecisions(chain, reference);
    const release = replayRelease(chain, externalOf(chain), ledger);
    for (const s of REPLAY_STAGES)
      report.counts.rederived[s] += decisions.rederived[s] + release.rederived[s];
    report.counts.rederivedOnAccounts += release.rederivedOnAccounts;
    report.differences.push(...decisions.differences, ...release.differences);
    report.notRederivable.push(...decisions.notRederivable, ...release.notRederivable);
  }
  report.counts.differences = report.differences.length;
  report.counts.notRederivable = report.notRederivable.length;
  report.ok = report.differences.length === 0;
  report.durationMs = Date.now() - started;
  return report;
}

/**
 * Reads the declaration topics and the external causes, groups the declaration events by
 * correlation id (one chain per declaration) and replays each chain; `mrn` restricts the
 * replay to one declaration.
 */
export async function runReplay(
  kafka: Kafka,
  options: { mrn?: string; prefix?: string; reference?: ReferenceSource },
  read: ReadOptions = {},
): Promise<ReplayReport> {
  const started = Date.now();
  const log = await readReplayLog(kafka, options.prefix ?? '', read);
  const report = await replayLog(log, options);
  report.durationMs = Date.now() - started;
  return report;
}

export function formatReplayReport(r: ReplayReport): string {
  const c = r.counts;
  const lines = [
    `read ${c.records} records: ${c.chains} chains replayed`,
    `re-derived: ${REPLAY_STAGES.map((s) => `${s} ${c.rederived[s]}`).join(', ')} ` +
      `(${c.rederivedOnAccounts} release decisions on account balances rebuilt from the log)`,
    `${c.differences} differences, ${c.notRederivable} not re-derivable`,
  ];
  for (const d of r.differences)
    lines.push(
      `  DIFF ${d.stage.padEnd(10)} ${d.topic}[${d.partition}]@${d.offset}  MRN ${d.mrn}  ${d.field}: logged ${JSON.stringify(d.logged)}, re-derived ${JSON.stringify(d.rederived)}`,
    );
  for (const n of r.notRederivable)
    lines.push(
      `  NOT_REDERIVABLE ${n.stage.padEnd(10)} ${n.topic ?? ''}[${n.partition ?? ''}]@${n.offset ?? ''}  MRN ${n.mrn}  ${n.category}: ${n.reason}`,
    );
  if (r.durationMs !== undefined) lines.push(`replayed in ${(r.durationMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}
