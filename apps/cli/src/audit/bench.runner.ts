import Decimal from 'decimal.js';
import { Kafka, Message } from 'kafkajs';
import {
  CURRENT_SCHEMA_VERSION,
  EVENT_TYPES,
  EventEnvelope,
  firstEvent,
  nextEvent,
  TOPICS,
  TopicName,
  RecordSigner,
} from '@customs/contracts';
import {
  Account,
  applyReleaseInput,
  assessRisk,
  assessValuation,
  assignMrn,
  validateDeclaration,
} from '@customs/domain';
import {
  loadSeedAccounts,
  loadSeedNomenclature,
  loadSeedRuleset,
  loadSeedTraderRegistry,
  loadSeedValuationReferenceData,
  seedDeclarableCodes,
} from '@customs/reference-data';
import { loadKeyRegistry, signedMessages, signerFor } from '@customs/messaging';
import { DeclarationGenerator } from '@customs/simulation';
import { AUDITED_ROLES, resolveAuditTopics } from './audit-topics';
import { readReplayLog, replayLog } from './replay.runner';
import { runVerify, VerifyReport } from './verify.runner';

/** Who signs each topic's synthetic records: intake (the HTTP path) for submissions. */
const BENCH_SIGNER: Record<string, string> = {
  [TOPICS.submitted]: 'svc-intake',
  [TOPICS.accepted]: 'svc-intake',
  [TOPICS.riskAssessed]: 'svc-risk',
  [TOPICS.valued]: 'svc-valuation',
  [TOPICS.held]: 'svc-release',
  [TOPICS.released]: 'svc-release',
};
const signerCache = new Map<string, RecordSigner>();
function signers(topic: string): RecordSigner {
  const principal = BENCH_SIGNER[topic];
  let s = signerCache.get(principal);
  if (!s) signerCache.set(principal, (s = signerFor(principal)));
  return s;
}

export interface BenchOptions {
  events: number;
  runs: number;
  partitions: number;
  keep: boolean;
  seed: number;
  /** Also time `audit replay` over the same log (chains then carry real, re-derivable decisions). */
  replay?: boolean;
  onStage?: (text: string) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface BenchReport {
  prefix: string;
  events: number;
  chains: number;
  bytes: number;
  produceSeconds: number;
  verify: {
    runs: { seconds: number; eventsPerSecond: number; findings: number }[];
    medianEventsPerSecond: number;
  };
  replay?: {
    runs: {
      seconds: number;
      eventsPerSecond: number;
      differences: number;
      notRederivable: number;
      rederived: number;
    }[];
    medianEventsPerSecond: number;
  };
  kept: boolean;
}

/**
 * One synthetic but valid declaration chain (submitted, accepted, risk-assessed, valued,
 * released), shaped and sized like the pipeline's: the whole declaration travels along.
 */
function syntheticChain(
  gen: DeclarationGenerator,
  i: number,
  t0: number,
): { topic: TopicName; key: string; event: EventEnvelope }[] {
  const declaration = gen.next(i);
  const at = (s: number) => new Date(t0 + i * 1000 + s * 100).toISOString();
  const mrn = assignMrn({
    year: 2026,
    country: 'NL',
    declarantId: declaration.declarant.id,
    lrn: declaration.lrn,
    declarationType: 'import',
  });
  const submitted = firstEvent({
    type: EVENT_TYPES.submitted,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    lrn: declaration.lrn,
    producer: 'audit-bench@1',
    occurredAt: at(0),
    payload: { declaration, channel: 'kafka' },
  });
  const base = {
    declaration,
    acceptance: { mrn, acceptedAt: at(1), referenceData: { nomenclature: 'bench' } },
  };
  const next = (prev: EventEnvelope, type: string, producer: string, payload: unknown, s: number) =>
    nextEvent(prev, {
      type,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      producer,
      payload,
      mrn,
      occurredAt: at(s),
    });
  const accepted = next(submitted, EVENT_TYPES.accepted, 'intake@bench', base, 1);
  const risk = {
    channel: 'green',
    score: 10,
    hits: [],
    randomDraw: '0.5',
    rulesetVersion: 'bench',
    traderRegistryVersion: 'bench',
  };
  const assessed = next(accepted, EVENT_TYPES.riskAssessed, 'risk@bench', { ...base, risk }, 2);
  const valuation = {
    currency: 'EUR',
    method: 1,
    exchangeRate: {
      from: declaration.invoiceCurrency,
      to: 'EUR',
      rate: '1.000000',
      version: 'bench',
    },
    customsValue: declaration.invoiceTotal,
    totalDuties: '0.00',
    totalTaxes: '0.00',
    totalToPay: '0.00',
    items: declaration.items.map((it) => ({
      itemNumber: it.itemNumber,
      commodityCode: it.commodityCode,
      customsValue: it.invoiceAmount,
      duties: [
        {
          type: 'customs-duty',
          expression: '0 %',
          base: it.invoiceAmount,
          rate: '0',
          amount: '0.00',
        },
        { type: 'vat', expression: '0 %', base: it.invoiceAmount, rate: '0', amount: '0.00' },
      ],
    })),
    alerts: [],
    versions: { tariff: 'bench', exchangeRates: 'bench' },
  };
  const valued = next(
    assessed,
    EVENT_TYPES.valued,
    'valuation@bench',
    { ...base, risk, valuation },
    3,
  );
  const released = next(
    valued,
    EVENT_TYPES.released,
    'release@bench',
    {
      ...base,
      risk,
      valuation,
      release: { status: 'released', grounds: ['green lane'], postClearanceAudit: false },
    },
    4,
  );
  return [
    { topic: TOPICS.submitted, key: declaration.lrn, event: submitted },
    { topic: TOPICS.accepted, key: mrn, event: accepted },
    { topic: TOPICS.riskAssessed, key: mrn, event: assessed },
    { topic: TOPICS.valued, key: mrn, event: valued },
    { topic: TOPICS.released, key: mrn, event: released },
  ];
}

/** Seeds, built once: what the pipeline would judge the synthetic declarations by. */
interface Judges {
  nomenclature: ReturnType<typeof loadSeedNomenclature>;
  ruleset: ReturnType<typeof loadSeedRuleset>;
  traders: ReturnType<typeof loadSeedTraderRegistry>;
  valuation: ReturnType<typeof loadSeedValuationReferenceData>;
  accounts: Map<string, Account>;
}

function judges(): Judges {
  return {
    nomenclature: loadSeedNomenclature(),
    ruleset: loadSeedRuleset(),
    traders: loadSeedTraderRegistry(),
    valuation: loadSeedValuationReferenceData(),
    accounts: new Map(
      loadSeedAccounts().accounts.map((a) => [
        a.id,
        {
          id: a.id,
          kind: a.kind,
          balance: a.balance,
          currency: a.currency,
          appliedEventIds: [],
          holder: a.holder,
          authorisedDeclarants: a.authorisedDeclarants,
        },
      ]),
    ),
  };
}

/**
 * One declaration decided as the pipeline decides it (intake's validation, risk, valuation
 * and release engines on the shipped seeds, accounts debited in order), so that
 * `audit replay` has real decisions to re-derive. An invalid declaration ends rejected-less:
 * it is skipped.
 */
function decidedChain(
  gen: DeclarationGenerator,
  i: number,
  t0: number,
  j: Judges,
): { topic: TopicName; key: string; event: EventEnvelope }[] {
  const declaration = gen.next(i);
  const at = (s: number) => new Date(t0 + i * 1000 + s * 100).toISOString();
  const lodgedAt = at(0);
  const validation = validateDeclaration(declaration, {
    nomenclature: j.nomenclature,
    lodgementDate: lodgedAt.slice(0, 10),
  });
  if (!validation.ok) return [];
  const mrn = assignMrn({
    year: 2026,
    country: 'NL',
    declarantId: declaration.declarant.id,
    lrn: declaration.lrn,
    declarationType: 'import',
  });
  const submitted = firstEvent({
    type: EVENT_TYPES.submitted,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    lrn: declaration.lrn,
    producer: 'audit-bench@1',
    occurredAt: lodgedAt,
    payload: { declaration, channel: 'kafka' },
  });
  const acceptedAt = at(1);
  const base = {
    declaration,
    acceptance: { mrn, acceptedAt, referenceData: { nomenclature: j.nomenclature.version } },
  };
  const next = (
    prev: EventEnvelope,
    type: string,
    producer: string,
    payload: unknown,
    s: number,
    extra = {},
  ) =>
    nextEvent(prev, {
      type,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      producer,
      payload,
      mrn,
      occurredAt: at(s),
      ...extra,
    });
  const accepted = next(submitted, EVENT_TYPES.accepted, 'intake@bench', base, 1);
  const risk = assessRisk({ declaration, mrn, acceptedAt }, j.ruleset, j.traders);
  const assessed = next(accepted, EVENT_TYPES.riskAssessed, 'risk@bench', { ...base, risk }, 2);
  const valuation = assessValuation({ declaration, acceptedAt }, j.valuation, {
    nationalCurrency: 'EUR',
    basis: 'CIF',
  });
  const valuedPayload = { ...base, risk, valuation };
  const valued = next(assessed, EVENT_TYPES.valued, 'valuation@bench', valuedPayload, 3);
  const ref = declaration.guaranteeReference;
  const account = ref ? j.accounts.get(ref) : undefined;
  const step = applyReleaseInput(
    undefined,
    {
      type: 'valued',
      eventId: valued.eventId,
      mrn,
      occurredAt: valued.occurredAt,
      payload: valuedPayload as never,
    },
    { accounts: account && ref ? { [ref]: account } : {} },
  );
  for (const m of step.accountMovements) {
    const a = j.accounts.get(m.accountId);
    // Debits only on release, never below zero (the engine checked the balance).
    if (a) {
      const amount = new Decimal(m.amount);
      a.balance = new Decimal(a.balance).plus(m.kind === 'debit' ? amount.neg() : amount).toFixed();
    }
  }
  const out: { topic: TopicName; key: string; event: EventEnvelope }[] = [
    { topic: TOPICS.submitted, key: declaration.lrn, event: submitted },
    { topic: TOPICS.accepted, key: mrn, event: accepted },
    { topic: TOPICS.riskAssessed, key: mrn, event: assessed },
    { topic: TOPICS.valued, key: mrn, event: valued },
  ];
  let tail = valued;
  for (const d of step.decisions) {
    tail = next(tail, d.eventType, 'release@bench', { ...valuedPayload, release: d.release }, 4, {
      causationId: d.causationEventId,
      discriminator: d.discriminator,
    });
    out.push({
      topic: d.eventType === EVENT_TYPES.held ? TOPICS.held : TOPICS.released,
      key: mrn,
      event: tail,
    });
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Writes synthetic chains into scratch topics (the contract names behind a unique prefix,
 * kept forever like the real ones) and times `audit verify` over them.
 */
export async function runBench(kafka: Kafka, o: BenchOptions): Promise<BenchReport> {
  const prefix = `audit-bench-${Date.now().toString(36)}.`;
  const topics = resolveAuditTopics(prefix, undefined, AUDITED_ROLES);
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({
        topic: t.topic,
        numPartitions: o.partitions,
        replicationFactor: 1,
        configEntries: [
          { name: 'retention.ms', value: '-1' },
          { name: 'retention.bytes', value: '-1' },
          { name: 'cleanup.policy', value: 'delete' },
        ],
      })),
    });
    await producer.connect();
    const gen = new DeclarationGenerator({
      seed: o.seed,
      commodityCodes: seedDeclarableCodes('2026-03-01'),
      lrnPrefix: `BENCH${o.seed}`,
      meanItems: 3,
      securedTraders: loadSeedAccounts().accounts.map((a) => ({
        holder: a.holder,
        accountId: a.id,
      })),
    });
    const j = o.replay ? judges() : null;
    const chains = Math.ceil(o.events / 5);
    const t0 = Date.parse('2026-03-01T00:00:00.000Z');
    o.onStage?.(`producing ${chains * 5} events (${chains} chains) into ${prefix}*`);
    const started = Date.now();
    let bytes = 0;
    let produced = 0;
    const inFlight: Promise<unknown>[] = [];
    const perSend = 500;
    for (let c = 0; c < chains; c += perSend / 5) {
      const byTopic = new Map<string, Message[]>();
      for (let i = c; i < Math.min(chains, c + perSend / 5); i++) {
        for (const r of j ? decidedChain(gen, i, t0, j) : syntheticChain(gen, i, t0)) {
          const value = JSON.stringify(r.event);
          bytes += value.length;
          const list = byTopic.get(prefix + r.topic) ?? [];
          // Signed for the contract topic by its producer, as the pipeline signs (verify checks it).
          list.push(...signedMessages(r.topic, [{ key: r.key, value }], signers(r.topic)));
          byTopic.set(prefix + r.topic, list);
        }
      }
      const count = [...byTopic.values()].reduce((n, m) => n + m.length, 0);
      inFlight.push(
        producer
          .sendBatch({
            acks: -1,
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          })
          .then(() => {
            produced += count;
            o.onProgress?.(produced, chains * 5);
          }),
      );
      if (inFlight.length >= 8) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
    const produceSeconds = (Date.now() - started) / 1000;
    const events = produced;

    const runs: BenchReport['verify']['runs'] = [];
    for (let r = 0; r < o.runs; r++) {
      o.onStage?.(`verify run ${r + 1} of ${o.runs}`);
      const report: VerifyReport = await runVerify(
        kafka,
        topics,
        {},
        { onProgress: o.onProgress },
        [],
        loadKeyRegistry(),
      );
      runs.push({
        seconds: report.durationMs / 1000,
        eventsPerSecond: report.eventsPerSecond,
        findings: report.findings.length,
      });
    }
    let replay: BenchReport['replay'];
    if (o.replay) {
      const replayRuns: NonNullable<BenchReport['replay']>['runs'] = [];
      for (let r = 0; r < o.runs; r++) {
        o.onStage?.(`replay run ${r + 1} of ${o.runs}`);
        const t = Date.now();
        const log = await readReplayLog(kafka, prefix, { onProgress: o.onProgress });
        const report = await replayLog(log);
        const seconds = (Date.now() - t) / 1000;
        replayRuns.push({
          seconds,
          eventsPerSecond: Math.round(log.records / seconds),
          differences: report.counts.differences,
          notRederivable: report.counts.notRederivable,
          rederived: Object.values(report.counts.rederived).reduce((a, b) => a + b, 0),
        });
      }
      replay = {
        runs: replayRuns,
        medianEventsPerSecond: median(replayRuns.map((r) => r.eventsPerSecond)),
      };
    }
    return {
      prefix,
      events,
      chains,
      bytes,
      produceSeconds,
      verify: { runs, medianEventsPerSecond: median(runs.map((r) => r.eventsPerSecond)) },
      ...(replay ? { replay } : {}),
      kept: o.keep,
    };
  } finally {
    await producer.disconnect().catch(() => undefined);
    if (!o.keep)
      await admin.deleteTopics({ topics: topics.map((t) => t.topic) }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
