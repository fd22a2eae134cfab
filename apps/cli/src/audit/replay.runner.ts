import { Kafka } from 'kafkajs';
import {
  AcceptedPayload,
  EVENT_TYPES,
  EventEnvelope,
  RiskAssessedPayload,
  ValuedPayload,
} from '@customs/contracts';
import {
  applyReleaseInput,
  assessRisk,
  assessValuation,
  DECLARATION_ROLES,
  EXTERNAL_CAUSE_ROLES,
  LogRecord,
  readEnvelope,
  ReleaseInput,
  ReleaseState,
  TopicRole,
  validateDeclaration,
} from '@customs/domain';
import {
  loadSeedNomenclature,
  loadSeedRuleset,
  loadSeedTraderRegistry,
  loadSeedValuationReferenceData,
} from '@customs/reference-data';
import { resolveAuditTopics } from './audit-topics';
import { readLog, ReadOptions } from './kafka-log.reader';

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

export interface NotRederivable extends Partial<LogPosition> {
  mrn: string | null;
  stage: ReplayStage;
  reason: string;
}

export interface ReplayReport {
  ok: boolean;
  counts: {
    records: number;
    chains: number;
    rederived: Record<ReplayStage, number>;
    differences: number;
    notRederivable: number;
  };
  differences: ReplayDifference[];
  notRederivable: NotRederivable[];
}

/**
 * Versioned reference data a replay can rebuild. Only the shipped seeds for now: a logged
 * version other than the seed's is reported NOT_REDERIVABLE with the version named, never
 * as a difference.
 */
interface ReferenceSource {
  nomenclature(version: string): ReturnType<typeof loadSeedNomenclature> | null;
  ruleset(version: string): ReturnType<typeof loadSeedRuleset> | null;
  traders(version: string): ReturnType<typeof loadSeedTraderRegistry> | null;
  valuation(
    versions: ValuedPayload['valuation']['versions'],
  ): ReturnType<typeof loadSeedValuationReferenceData> | null;
}

export const SEED_REFERENCE: ReferenceSource = {
  nomenclature: (v) => (loadSeedNomenclature().version === v ? loadSeedNomenclature() : null),
  ruleset: (v) => (loadSeedRuleset().version === v ? loadSeedRuleset() : null),
  traders: (v) => (loadSeedTraderRegistry().version === v ? loadSeedTraderRegistry() : null),
  valuation: (versions) => {
    const seed = loadSeedValuationReferenceData();
    const seedVersions: Record<string, string | undefined> = {
      tariff: seed.tariff?.version,
      exchangeRates: seed.exchangeRates?.version,
      referencePrices: seed.referencePrices?.version,
      preferences: seed.preferences?.version,
      vat: seed.vat?.version,
      excise: seed.excise?.version,
    };
    const all = Object.entries(versions).every(
      ([k, v]) => v === undefined || seedVersions[k] === v,
    );
    return all ? seed : null;
  },
};

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
}

function loggedOutcome(e: EventEnvelope): OutcomeView {
  const p = e.payload as { release?: { status?: string; waitingFor?: string[] } };
  if (e.type === EVENT_TYPES.held)
    return { kind: 'held', waitingFor: [...(p.release?.waitingFor ?? [])].sort() };
  if (e.type === EVENT_TYPES.released) return { kind: p.release?.status ?? 'released' };
  if (e.type === EVENT_TYPES.amended) return { kind: 'amended' };
  return { kind: 'invalidated' };
}

const show = (o: OutcomeView) => (o.waitingFor ? `${o.kind}[${o.waitingFor.join(',')}]` : o.kind);

/** Logged release decisions that depended on a guarantee/deferment account balance. */
function accountDependent(e: EventEnvelope): boolean {
  const r = (e.payload as { release?: { account?: unknown; securedBy?: string } }).release;
  return Boolean(r?.account) || r?.securedBy === 'guarantee';
}

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

/**
 * Re-derives every decision of one declaration chain (`chain`: its declaration events;
 * `external`: payments, control results, officer decisions and change requests of its MRN)
 * with the reference versions each event records, and reports what differs. Pure: exported
 * so a test can feed it an altered chain.
 */
export function replayChain(
  chain: readonly ReplayEvent[],
  externalInputs: readonly ReplayEvent[],
  reference: ReferenceSource = SEED_REFERENCE,
): {
  rederived: Record<ReplayStage, number>;
  differences: ReplayDifference[];
  notRederivable: NotRederivable[];
} {
  const rederived: Record<ReplayStage, number> = {
    validation: 0,
    risk: 0,
    valuation: 0,
    release: 0,
  };
  const differences: ReplayDifference[] = [];
  const notRederivable: NotRederivable[] = [];
  // A record written twice (a redelivered or copied event, same event id) is one decision:
  // the first copy counts; duplicates are `audit verify`'s business.
  const sorted = firstCopies(chain).sort((a, b) => a.event.sequence - b.event.sequence);
  const external = firstCopies(externalInputs);
  const mrnOf = sorted.find((x) => x.event.mrn)?.event.mrn ?? null;
  const submittedAt = sorted.find((x) => x.event.type === EVENT_TYPES.submitted)?.event.occurredAt;
  const differ = (
    x: ReplayEvent,
    stage: ReplayStage,
    field: string,
    logged: unknown,
    again: unknown,
  ) => {
    if (JSON.stringify(logged) !== JSON.stringify(again))
      differences.push({
        ...pos(x),
        mrn: x.event.mrn ?? mrnOf,
        stage,
        field,
        logged,
        rederived: again,
      });
  };
  const cannot = (x: ReplayEvent | null, stage: ReplayStage, reason: string) =>
    notRederivable.push({ ...(x ? pos(x) : {}), mrn: x?.event.mrn ?? mrnOf, stage, reason });

  for (const x of sorted) {
    const e = x.event;
    try {
      if (e.type === EVENT_TYPES.accepted) {
        const { declaration, acceptance } = e.payload as AcceptedPayload;
        const version = acceptance?.referenceData?.nomenclature;
        if (!version) {
          cannot(x, 'validation', 'no nomenclature version recorded in the acceptance');
          continue;
        }
        const nomenclature = reference.nomenclature(version);
        if (!nomenclature) {
          cannot(x, 'validation', `nomenclature version ${version} is not the seed's`);
          continue;
        }
        const lodgedAt = submittedAt ?? acceptance.acceptedAt;
        const result = validateDeclaration(declaration, {
          nomenclature,
          lodgementDate: new Date(lodgedAt).toISOString().slice(0, 10),
        });
        rederived.validation++;
        differ(
          x,
          'validation',
          'valid',
          true,
          result.ok ? true : result.reasons.map((r) => `${r.code} ${r.path ?? ''}`.trim()),
        );
      } else if (e.type === EVENT_TYPES.riskAssessed) {
        const { declaration, acceptance, risk } = e.payload as RiskAssessedPayload;
        const ruleset = reference.ruleset(risk.rulesetVersion);
        const traders = risk.traderRegistryVersion
          ? reference.traders(risk.traderRegistryVersion)
          : null;
        if (!ruleset || !traders) {
          cannot(
            x,
            'risk',
            !ruleset
              ? `ruleset version ${risk.rulesetVersion} is not the seed's`
              : `trader registry version ${risk.traderRegistryVersion ?? '(not recorded)'} is not the seed's`,
          );
          continue;
        }
        const again = assessRisk(
          { declaration, mrn: acceptance.mrn, acceptedAt: acceptance.acceptedAt },
          ruleset,
          traders,
        );
        rederived.risk++;
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
          cannot(
            x,
            'valuation',
            `reference versions ${JSON.stringify(valuation.versions)} are not all the seed's`,
          );
          continue;
        }
        const again = assessValuation({ declaration, acceptedAt: acceptance.acceptedAt }, data, {
          // The administration's settings are recorded in the result itself.
          nationalCurrency: valuation.currency,
          ...(valuation.basis ? { basis: valuation.basis } : {}),
        });
        rederived.valuation++;
        for (const f of ['customsValue', 'totalDuties', 'totalTaxes', 'totalToPay'] as const)
          differ(x, 'valuation', f, valuation[f], again[f]);
      }
    } catch (error) {
      cannot(x, stageOf(e.type), `re-derivation failed: ${(error as Error).message}`);
    }
  }

  // Release: the reducer over the chain's inputs in log order (occurredAt, then position),
  // without accounts (their balances at the time are not in the log).
  const logged = sorted.filter((x) => RELEASE_LINK_TYPES.has(x.event.type));
  if (mrnOf && logged.length > 0) {
    const inputs = [...sorted.filter((x) => x.event.type === EVENT_TYPES.valued), ...external]
      .filter((x) => x.event.mrn === mrnOf)
      .sort(
        (a, b) =>
          a.event.occurredAt.localeCompare(b.event.occurredAt) ||
          a.topic.localeCompare(b.topic) ||
          Number(BigInt(a.offset) - BigInt(b.offset)),
      );
    // A declaration naming a guarantee/deferment account is decided on that account's balance.
    const accountBound =
      logged.find((x) => accountDependent(x.event)) ??
      sorted.find(
        (x) =>
          x.event.type === EVENT_TYPES.valued &&
          Boolean((x.event.payload as ValuedPayload).declaration?.guaranteeReference),
      );
    if (accountBound) {
      cannot(
        accountBound,
        'release',
        'the declaration names a guarantee/deferment account: release depends on its balance at the time, which is not in the log',
      );
    } else {
      try {
        let state: ReleaseState | undefined;
        const again: OutcomeView[] = [];
        for (const x of inputs) {
          const input = inputOf(x);
          if (!input) continue;
          const step = applyReleaseInput(state, input, {});
          state = step.state;
          for (const l of step.changeLinks ?? []) again.push({ kind: l.outcome });
          for (const d of step.decisions)
            again.push(
              d.outcome === 'held'
                ? { kind: 'held', waitingFor: [...d.release.waitingFor].sort() }
                : { kind: d.outcome },
            );
        }
        rederived.release += logged.length;
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
        cannot(logged[0], 'release', `re-derivation failed: ${(error as Error).message}`);
      }
    }
  }
  return { rederived, differences, notRederivable };
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
  const topics = resolveAuditTopics(options.prefix ?? '', undefined, [
    ...DECLARATION_ROLES,
    ...EXTERNAL_CAUSE_ROLES,
  ]);
  const chains = new Map<string, ReplayEvent[]>();
  const external = new Map<string, ReplayEvent[]>();
  let records = 0;
  await readLog(
    kafka,
    topics,
    (r: LogRecord) => {
      records++;
      const read = readEnvelope(r.value);
      if (!('envelope' in read)) return; // unreadable records are `audit verify`'s business
      const x: ReplayEvent = {
        role: r.role,
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        event: read.envelope,
      };
      if (EXTERNAL_CAUSE_ROLES.includes(r.role)) {
        if (!x.event.mrn) return;
        external.set(x.event.mrn, [...(external.get(x.event.mrn) ?? []), x]);
        return;
      }
      const list = chains.get(x.event.correlationId);
      if (list) list.push(x);
      else chains.set(x.event.correlationId, [x]);
    },
    read,
  );

  const report: ReplayReport = {
    ok: true,
    counts: {
      records,
      chains: 0,
      rederived: { validation: 0, risk: 0, valuation: 0, release: 0 },
      differences: 0,
      notRederivable: 0,
    },
    differences: [],
    notRederivable: [],
  };
  for (const chain of chains.values()) {
    const mrn = chain.find((x) => x.event.mrn)?.event.mrn;
    if (options.mrn && mrn !== options.mrn) continue;
    report.counts.chains++;
    const r = replayChain(chain, mrn ? (external.get(mrn) ?? []) : [], options.reference);
    for (const s of REPLAY_STAGES) report.counts.rederived[s] += r.rederived[s];
    report.differences.push(...r.differences);
    report.notRederivable.push(...r.notRederivable);
  }
  report.counts.differences = report.differences.length;
  report.counts.notRederivable = report.notRederivable.length;
  report.ok = report.differences.length === 0;
  return report;
}

export function formatReplayReport(r: ReplayReport): string {
  const c = r.counts;
  const lines = [
    `read ${c.records} records: ${c.chains} chains replayed`,
    `re-derived: ${REPLAY_STAGES.map((s) => `${s} ${c.rederived[s]}`).join(', ')}`,
    `${c.differences} differences, ${c.notRederivable} not re-derivable`,
  ];
  for (const d of r.differences)
    lines.push(
      `  DIFF ${d.stage.padEnd(10)} ${d.topic}[${d.partition}]@${d.offset}  MRN ${d.mrn}  ${d.field}: logged ${JSON.stringify(d.logged)}, re-derived ${JSON.stringify(d.rederived)}`,
    );
  for (const n of r.notRederivable)
    lines.push(
      `  NOT_REDERIVABLE ${n.stage.padEnd(10)} ${n.topic ?? ''}[${n.partition ?? ''}]@${n.offset ?? ''}  MRN ${n.mrn}  ${n.reason}`,
    );
  return lines.join('\n');
}
