import { BROKER_SUPER_USER } from '@customs/contracts';
import { localSecurity } from '@customs/stack';
import { Admin, Kafka, logLevel, Producer } from 'kafkajs';
import { dlqTopic, SERVICES } from '@customs/contracts';
import { LogRecord } from '@customs/domain';
import { loadKeyRegistry } from '@customs/messaging';
import { loadSeedAccounts, seedDeclarableCodes } from '@customs/reference-data';
import { BorderPostSimulator, DeclarationGenerator, submittedRecord } from '@customs/simulation';
import {
  LocalStack,
  RestartTimes,
  RunnableService,
  RunningService,
  ServiceRunner,
  sleep,
  StopResult,
} from '@customs/stack';
import { AUDITED_ROLES, AuditTopic, resolveAuditTopics } from '../audit/audit-topics';
import { readLog } from '../audit/kafka-log.reader';
import { ChaosFigures, chaosPassed, checkChaosRun } from './chaos.checks';
import { publishSeedAccounts } from '../accounts/accounts.publisher';

export interface ChaosOptions {
  count: number;
  seed: number;
  kills: number;
  /** Declarations submitted per second. */
  rate: number;
  restartBroker: boolean;
  restartStore: boolean;
  /** Seconds to wait for every declaration's outcomes once the stream and the chaos are over. */
  settleTimeoutS: number;
  brokers: string;
  log: (line: string) => void;
}

export interface ChaosEvent {
  atMs: number;
  what: string;
  detail: string;
}

export interface ChaosReport {
  ok: boolean;
  options: Omit<ChaosOptions, 'log'>;
  figures: ChaosFigures;
  kills: number;
  brokerRestarts: RestartTimes[];
  storeRestarts: RestartTimes[];
  events: ChaosEvent[];
  streamMs: number;
  settleMs: number;
  totalMs: number;
  /** SIGTERM to exit of each service at the end of the run. */
  shutdown: StopResult[];
}

/** mulberry32: the run's own seeded randomness (when and whom to kill), so a seed replays a run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function highWatermarks(
  admin: Admin,
  topics: string[],
): Promise<Map<string, Map<number, string>>> {
  const out = new Map<string, Map<number, string>>();
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    out.set(topic, new Map(offsets.map((o) => [o.partition, o.high])));
  }
  return out;
}

const sumOf = (m: Map<string, Map<number, string>>) =>
  [...m.values()].reduce((n, p) => n + [...p.values()].reduce((k, o) => k + Number(o), 0), 0);

/**
 * The chaos suite: streams declarations into the real pipeline while killing services with
 * SIGKILL (restarted as the same replica), restarting the broker and the store once each,
 * then reads back everything the run produced and checks exactly one decision per stage,
 * intact hash chains and no duplicate notification.
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const { log } = opts;
  const t0 = Date.now();
  const random = rng(opts.seed);
  const events: ChaosEvent[] = [];
  const note = (what: string, detail: string) => {
    events.push({ atMs: Date.now() - t0, what, detail });
    log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${what}: ${detail}`);
  };

  const stack = new LocalStack();
  await stack.up();
  const runner = new ServiceRunner();
  // The chaos suite reads the services' group offsets and every topic: the super user.
  const kafka = new Kafka({
    clientId: `customs-chaos-${process.pid}`,
    brokers: opts.brokers.split(','),
    ...localSecurity(BROKER_SUPER_USER),
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 300, retries: 30, maxRetryTime: 5000 },
  });
  // Survives the broker restart: idempotent, retries until the broker is back.
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5000 },
  });
  const auditTopics: AuditTopic[] = resolveAuditTopics('', undefined, AUDITED_ROLES);
  const dlqTopics = SERVICES.map((s) => dlqTopic(s));
  const brokerRestarts: RestartTimes[] = [];
  const storeRestarts: RestartTimes[] = [];
  let kills = 0;
  let shutdown: StopResult[] = [];
  let streamMs = 0;
  let settleMs = 0;
  let figures: ChaosFigures | undefined;

  try {
    note('services', 'starting intake, risk, valuation, release');
    await runner.startAll();
    // Before the watermarks: the seed accounts' openings are not this run's records.
    await publishSeedAccounts(kafka);
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    const start = await highWatermarks(admin, [...auditTopics.map((t) => t.topic), ...dlqTopics]);
    await admin.disconnect();

    const generator = new DeclarationGenerator({
      seed: opts.seed,
      commodityCodes: seedDeclarableCodes(new Date().toISOString().slice(0, 10)),
      lrnPrefix: `CH${opts.seed}T${Date.now().toString(36).toUpperCase()}`,
      meanItems: 3,
      securedTraders: loadSeedAccounts().accounts.map((a) => ({
        holder: a.holder,
        accountId: a.id,
      })),
    });
    const declarations = Array.from({ length: opts.count }, (_, i) => generator.next(i + 1));
    const lrns = new Set(declarations.map((d) => d.lrn));
    const records = declarations.map((d) => submittedRecord(d, 'chaos-border-post@1'));
    const sim = new BorderPostSimulator(producer, 'chaos-border-post@1');
    const plannedMs = Math.ceil((opts.count / opts.rate) * 1000);

    // The plan: kills at random moments of the stream, the broker at about a third, the
    // store at about two thirds (jittered), in time order.
    type Step = { at: number; kind: 'kill' | 'broker' | 'store' };
    const plan: Step[] = [];
    for (let i = 0; i < opts.kills; i++)
      plan.push({ at: plannedMs * (0.1 + 0.8 * random()), kind: 'kill' });
    if (opts.restartBroker) plan.push({ at: plannedMs * (0.3 + 0.1 * random()), kind: 'broker' });
    if (opts.restartStore) plan.push({ at: plannedMs * (0.6 + 0.1 * random()), kind: 'store' });
    plan.sort((a, b) => a.at - b.at);
    note(
      'plan',
      `${opts.count} declarations at ${opts.rate}/s (~${Math.round(plannedMs / 1000)} s); ` +
        plan.map((p) => `${p.kind}@${(p.at / 1000).toFixed(1)}s`).join(', '),
    );

    const busy = new Set<RunnableService>();
    const restarts: Promise<void>[] = [];
    const killAndRestart = async (victim: RunningService) => {
      busy.add(victim.service);
      try {
        const r = await runner.kill(victim);
        kills++;
        note('kill -9', `${victim.name} (exit signal ${r.exitSignal})`);
        await sleep(2000 + 3000 * random());
        for (let attempt = 1; ; attempt++) {
          try {
            const t = Date.now();
            await runner.restart(victim);
            note('restarted', `${victim.name} ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
            break;
          } catch (error) {
            // It may have started while the broker or store was down and given up: again.
            const again = runner.find(victim.name);
            if (again) await runner.stop(again, 'SIGKILL');
            if (attempt >= 5) throw error;
            note('restart failed', `${victim.name}: ${(error as Error).message}; retrying`);
            await sleep(3000);
          }
        }
      } finally {
        busy.delete(victim.service);
      }
    };

    const chaos = (async () => {
      const began = Date.now();
      for (const step of plan) {
        const wait = step.at - (Date.now() - began);
        if (wait > 0) await sleep(wait);
        if (step.kind === 'kill') {
          const candidates = runner.running.filter((s) => !busy.has(s.service));
          if (candidates.length === 0) continue;
          const victim = candidates[Math.floor(random() * candidates.length)];
          restarts.push(killAndRestart(victim));
        } else if (step.kind === 'broker') {
          note('broker', 'stopping Kafka (SIGKILL), same data dir');
          const r = await stack.restartKafka({ signal: 'SIGKILL', downMs: 2000 });
          brokerRestarts.push(r);
          note(
            'broker',
            `back: down ${(r.downMs / 1000).toFixed(1)} s, ready after start ${(r.readyMs / 1000).toFixed(1)} s`,
          );
        } else {
          note('store', 'stopping FerretDB (SIGKILL), same data dir');
          const r = await stack.restartStore({ signal: 'SIGKILL', downMs: 2000 });
          storeRestarts.push(r);
          note(
            'store',
            `back: down ${(r.downMs / 1000).toFixed(1)} s, ready after start ${(r.readyMs / 1000).toFixed(1)} s`,
          );
        }
      }
    })();

    // A steady stream: a slice every 200 ms.
    const streamStart = Date.now();
    const perTick = Math.max(1, Math.round(opts.rate / 5));
    let sent = 0;
    for (let i = 0; i < records.length; i += perTick) {
      await sim.sendRecords(records.slice(i, i + perTick));
      sent = Math.min(records.length, i + perTick);
      if (sent % Math.max(perTick, Math.round(opts.count / 10)) < perTick)
        log(`  submitted ${sent}/${records.length}`);
      const due = streamStart + ((i + perTick) / opts.rate) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    }
    streamMs = Date.now() - streamStart;
    note('stream', `${sent} declarations submitted in ${(streamMs / 1000).toFixed(1)} s`);
    await chaos;
    await Promise.all(restarts);
    note('chaos', 'over; waiting for every declaration to be decided');

    // Quiescence: the log stops growing and every declaration has all its decisions.
    const settleStart = Date.now();
    const deadline = settleStart + opts.settleTimeoutS * 1000;
    const watched = [...auditTopics.map((t) => t.topic), ...dlqTopics];
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
      const a = kafka.admin();
      await a.connect();
      const now = sumOf(await highWatermarks(a, watched));
      await a.disconnect();
      if (now !== last) {
        last = now;
        stableSince = Date.now();
      }
      const timedOut = Date.now() > deadline;
      if (Date.now() - stableSince >= 4000 || timedOut) {
        const read = await readRun(kafka, auditTopics, dlqTopics, start);
        // Crashes and restarts must not leave a record unsigned or badly signed either.
        figures = checkChaosRun(lrns, read.records, read.deadLettered, loadKeyRegistry());
        log(
          `  ${figures.complete}/${figures.submitted} declarations complete, ${figures.deadLettered} dead-lettered`,
        );
        if (figures.complete === figures.submitted || timedOut) break;
        stableSince = Date.now();
      }
      await sleep(1000);
    }
    settleMs = Date.now() - settleStart;
  } finally {
    await producer.disconnect().catch(() => undefined);
    shutdown = await runner.stopAll();
    for (const s of shutdown)
      note(
        'SIGTERM',
        `${s.name} exited in ${s.exitMs} ms${s.forced ? ' (SIGKILL after the grace period)' : ''}`,
      );
  }
  const { log: _log, ...options } = opts;
  return {
    ok: !!figures && chaosPassed(figures),
    options,
    figures: figures!,
    kills,
    brokerRestarts,
    storeRestarts,
    events,
    streamMs,
    settleMs,
    totalMs: Date.now() - t0,
    shutdown,
  };
}

/** Everything written since the run began (read_committed), and what was dead-lettered. */
async function readRun(
  kafka: Kafka,
  auditTopics: AuditTopic[],
  dlqTopics: string[],
  start: Map<string, Map<number, string>>,
): Promise<{ records: LogRecord[]; deadLettered: number }> {
  const records: LogRecord[] = [];
  await readLog(kafka, auditTopics, (r) => records.push(r), {
    startOffsets: start,
    idleTimeoutMs: 15000,
  });
  let deadLettered = 0;
  await readLog(
    kafka,
    dlqTopics.map((topic) => ({ role: 'notifications' as const, topic })),
    () => deadLettered++,
    { startOffsets: start, idleTimeoutMs: 15000 },
  );
  return { records, deadLettered };
}

/** The figures as a table for people. */
export function formatChaosReport(r: ChaosReport): string {
  const f = r.figures;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const rows: [string, string][] = [
    ['declarations submitted', String(f.submitted)],
    ['complete (one decision per stage)', String(f.complete)],
    ['services killed (-9) and restarted', String(r.kills)],
    ['broker restarts', r.brokerRestarts.map((b) => `1 (down ${s(b.downMs)})`).join(', ') || '0'],
    ['store restarts', r.storeRestarts.map((b) => `1 (down ${s(b.downMs)})`).join(', ') || '0'],
    ['accepted / rejected', `${f.decisions.accepted} / ${f.decisions.rejected}`],
    ['risk-assessed', String(f.decisions.riskAssessed)],
    ['valued', String(f.decisions.valued)],
    ['held / released', `${f.decisions.held} / ${f.decisions.released}`],
    ['notifications', String(f.notifications)],
    ['missing decisions', String(f.missing)],
    ['extra decisions', String(f.extraDecisions)],
    ['two events at one sequence', String(f.sequenceConflicts)],
    ['duplicate records', String(f.duplicateRecords)],
    ['duplicate notifications', String(f.duplicateNotifications)],
    ['chain breaks', String(f.chainBreaks)],
    ['dead-lettered', String(f.deadLettered)],
    ['stream / settle / total', `${s(r.streamMs)} / ${s(r.settleMs)} / ${s(r.totalMs)}`],
    [
      'SIGTERM to exit',
      r.shutdown.map((x) => `${x.name} ${x.exitMs} ms${x.forced ? ' (forced)' : ''}`).join(', '),
    ],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`);
  if (f.problems.length > 0) lines.push('problems:', ...f.problems.map((p) => `  - ${p}`));
  lines.push(r.ok ? 'PASS: exactly one decision per stage, chains intact' : 'FAIL');
  return lines.join('\n');
}
