import { BROKER_SUPER_USER } from '@customs/contracts';
import { localKafka, localSecurityEnv } from '@customs/stack';
import { ChildProcess, spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Kafka, KafkaMessage, Message } from 'kafkajs';
import { TOPICS } from '@customs/contracts';
import {
  loadSeedAccounts,
  loadSeedValuationReferenceData,
  seedDeclarableCodes,
} from '@customs/reference-data';
import {
  DeclarationGenerator,
  HS2022_CSV_RELATIVE,
  hsLeafCodes,
  pricingFromReferenceData,
  submittedRecord,
} from '@customs/simulation';
import {
  LocalStack,
  readPid,
  RunnableService,
  ServiceRunner,
  SERVICE_PORTS,
  stackPaths,
} from '@customs/stack';
import { summariseCpuProfiles, CpuProfileSummary } from './cpu-profile.summary';
import { DecisionWatcher } from './decision.watcher';
import { LagSampler, StageGroup, StageLag } from './lag.sampler';
import { LatencyRecorder, LatencySummary, steadyRate } from './latency.recorder';
import { handlerDelta, HandlerTimes, scrapeHandlerTimes } from './metrics.scraper';
import { ProcessSampler, ProcessUsage } from './process.sampler';
import { pumpRecords } from './record.pump';
import { publishSeedAccounts } from '../accounts/accounts.publisher';

export interface BenchOptions {
  /** Offered declarations per second; undefined for the maximum rate. */
  rate?: number;
  durationS?: number;
  count?: number;
  meanItems: number;
  replicas: number;
  partitions: number;
  seed: number;
  codes: 'seed' | 'hs2022';
  baseline: 'tx' | 'plain' | 'none';
  /** Seconds to wait for the last decisions after the offer ends. */
  drainS: number;
  cpuProfDir?: string;
  brokers: string[];
  progress?: (phase: string, done: number, total: number) => void;
  log?: (line: string) => void;
}

export interface PipelineResult {
  offered: number;
  offeredPerSecond: number;
  decided: number;
  outcomes: Record<string, number>;
  undecided: number;
  /** Decisions per second between the 10th and the 90th percentile decision. */
  throughputPerSecond: number;
  /** Declarations over first send to last decision. */
  overallPerSecond: number;
  latencyMs: LatencySummary;
  recordBytes: Record<string, number>;
  meanItems: number;
  stageLag: StageLag[];
  handlers: Record<
    string,
    Record<string, { records: number; meanMs: number; busySeconds: number }>
  >;
  processes: ProcessUsage[];
  cpuProfiles?: CpuProfileSummary[];
  lagSeries: { t: number; lag: Record<string, number> }[];
  /** True when undecided records were skipped after the run (consumer groups moved to the end). */
  backlogSkipped?: boolean;
}

export interface BaselineResult {
  mode: 'tx' | 'plain';
  records: number;
  delivered: number;
  throughputPerSecond: number;
  latencyMs: LatencySummary;
  hopRecordBytes: number[];
  processes: ProcessUsage[];
}

export interface BenchReport {
  kind: 'customs-pipeline-bench';
  version: 1;
  startedAt: string;
  machine: { cores: number; memoryGiB: number; cpu: string; node: string };
  config: Omit<BenchOptions, 'progress' | 'log' | 'brokers'> & { mode: 'max' | 'rate' };
  pipeline: PipelineResult;
  baseline?: BaselineResult;
  /** Pipeline throughput as a share of the passthrough baseline's. */
  fractionOfBaseline?: number;
}

const STAGES: StageGroup[] = [
  {
    stage: 'intake',
    groupId: 'customs-intake',
    input: TOPICS.submitted,
    topics: [TOPICS.submitted],
  },
  {
    stage: 'timeline',
    service: 'intake',
    groupId: 'customs-intake-timeline',
    input: TOPICS.valued,
    topics: [TOPICS.accepted, TOPICS.riskAssessed, TOPICS.valued, TOPICS.held, TOPICS.released],
  },
  { stage: 'risk', groupId: 'customs-risk', input: TOPICS.accepted, topics: [TOPICS.accepted] },
  {
    stage: 'valuation',
    groupId: 'customs-valuation',
    input: TOPICS.riskAssessed,
    topics: [TOPICS.riskAssessed],
  },
  {
    stage: 'release',
    groupId: 'customs-release',
    input: TOPICS.valued,
    topics: [TOPICS.valued, TOPICS.payments, TOPICS.controlResults, TOPICS.amendments],
  },
  {
    stage: 'notices',
    service: 'release',
    groupId: 'customs-release-notifications',
    input: TOPICS.notifications,
    topics: [TOPICS.notifications],
  },
];
const SERVICES: RunnableService[] = ['intake', 'risk', 'valuation', 'release'];
const FINAL = [TOPICS.held, TOPICS.released, TOPICS.rejected];
const SIZED = [TOPICS.accepted, TOPICS.riskAssessed, TOPICS.valued];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The declarations of one run, as ready-to-send submitted records (generation is not timed). */
export function prepareDeclarations(
  opts: Pick<BenchOptions, 'seed' | 'meanItems' | 'codes'>,
  count: number,
  runId: string,
): { records: (Message & { key: string; value: string })[]; meanItems: number } {
  const today = new Date().toISOString().slice(0, 10);
  let codes: readonly string[] = seedDeclarableCodes(today);
  if (opts.codes === 'hs2022') {
    const path = join(stackPaths().repoRoot, HS2022_CSV_RELATIVE);
    const leaves = hsLeafCodes(path);
    if (!leaves) throw new Error(`--codes hs2022: ${path} is not there; use --codes seed`);
    codes = leaves;
  }
  const generator = new DeclarationGenerator({
    seed: opts.seed,
    commodityCodes: codes,
    meanItems: opts.meanItems,
    lrnPrefix: `BN${runId}`,
    pricing: pricingFromReferenceData(loadSeedValuationReferenceData(), today),
    securedTraders: loadSeedAccounts().accounts.map((a) => ({ holder: a.holder, accountId: a.id })),
  });
  let items = 0;
  const records = Array.from({ length: count }, (_, i) => {
    const d = generator.next(i + 1);
    items += d.items.length;
    return submittedRecord(d, 'border-post-bench@1');
  });
  return { records, meanItems: count ? items / count : 0 };
}

function lrnOf(message: KafkaMessage): string | null {
  try {
    return (JSON.parse(message.value?.toString('utf8') ?? 'null') as { lrn?: string })?.lrn ?? null;
  } catch {
    return null;
  }
}

/** Waits until every stage group has (almost) no backlog, so earlier runs' records do not count. */
async function waitForQuiet(
  sampler: LagSampler,
  partitions: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await sampler.sample();
    const s = sampler.summary();
    // One control marker per partition and topic may remain after transactional commits.
    if (s.every((x) => x.finalTotalLag <= partitions * 5)) return;
    await sleep(1000);
  }
}

export async function runBench(opts: BenchOptions): Promise<BenchReport> {
  const log = opts.log ?? (() => undefined);
  const startedAt = new Date().toISOString();
  const runId = Date.now().toString(36).toUpperCase();
  const count =
    opts.count ?? (opts.rate !== undefined ? Math.round(opts.rate * (opts.durationS ?? 30)) : 5000);
  if (opts.partitions < opts.replicas)
    throw new Error(`--partitions ${opts.partitions} is less than --replicas ${opts.replicas}`);

  await new LocalStack().up();
  // The benchmark administers its own scratch topics and reads the services' group offsets:
  // it runs as the broker's super user. It watches outcomes as the auditor.
  const kafka = localKafka(BROKER_SUPER_USER, { clientId: 'customs-bench', brokers: opts.brokers });
  const admin = kafka.admin();
  await admin.connect();
  const meta = await admin.fetchTopicMetadata({ topics: [TOPICS.submitted] });
  const have = meta.topics[0]?.partitions.length ?? 0;
  if (have < opts.partitions)
    throw new Error(
      `the declaration topics have ${have} partitions, fewer than --partitions ${opts.partitions}: ` +
        `recreate the stack with KAFKA_PARTITIONS=${opts.partitions} (stack down --wipe; stack up)`,
    );
  // The generator secures on the seed accounts: they exist for release once opened on the log.
  await publishSeedAccounts(kafka);

  log(
    `generating ${count} declarations (seed ${opts.seed}, mean ${opts.meanItems} items, ${opts.codes} codes)...`,
  );
  const { records, meanItems } = prepareDeclarations(opts, count, runId);

  const env: NodeJS.ProcessEnv = { KAFKA_BROKERS: opts.brokers.join(',') };
  // Node refuses --cpu-prof in NODE_OPTIONS: it goes on the services' command line.
  const runner = new ServiceRunner(
    env,
    undefined,
    opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [],
  );
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const sent = new Float64Array(count);
  const index = new Map(records.map((r, i) => [r.key, i]));
  const latency = new LatencyRecorder();
  const decidedAt: number[] = [];
  const outcomes: Record<string, number> = {};
  const seen = new Uint8Array(count);
  const watcher = new DecisionWatcher(kafka, [...FINAL, ...SIZED], (topic, message, at) => {
    if (!FINAL.includes(topic as (typeof FINAL)[number])) return;
    const lrn = lrnOf(message);
    const i = lrn === null ? undefined : index.get(lrn);
    if (i === undefined || seen[i]) return;
    seen[i] = 1;
    const name =
      topic === TOPICS.held ? 'held' : topic === TOPICS.released ? 'released' : 'rejected';
    outcomes[name] = (outcomes[name] ?? 0) + 1;
    latency.record(at - sent[i]);
    decidedAt.push(at);
  });
  const t0 = Date.now();
  const lags = new LagSampler(admin, STAGES, t0);
  let pipeline: PipelineResult;
  try {
    log(`starting ${opts.replicas} replica(s) of intake, risk, valuation and release...`);
    await Promise.all(
      SERVICES.flatMap((name) =>
        Array.from({ length: opts.replicas }, (_, r) =>
          runner.start(name, { port: SERVICE_PORTS[name] + 100 * r, replica: `${name}-${r}` }),
        ),
      ),
    );
    await waitForQuiet(lags, opts.partitions, 30000);
    await producer.connect();
    await watcher.start();
    const ports = runner.running.map((s) => ({ name: s.name, port: s.port }));
    const before = new Map<string, HandlerTimes>();
    for (const p of ports) before.set(p.name, await scrapeHandlerTimes(p.port));
    const procs = new ProcessSampler(
      [
        ...runner.running.map((s) => ({ name: s.name, pid: s.process.pid ?? 0 })),
        { name: 'kafka', pid: readPid(join(stackPaths().run, 'kafka.pid')) ?? 0 },
        { name: 'ferretdb', pid: readPid(join(stackPaths().run, 'ferretdb.pid')) ?? 0 },
        { name: 'bench', pid: process.pid },
      ].filter((p) => p.pid > 0),
    );
    procs.begin();
    const sampling = setInterval(() => {
      procs.sample();
      lags.sample().catch(() => undefined);
      opts.progress?.('decided', decidedAt.length, count);
    }, 1000);
    log(
      `streaming ${count} declarations ${opts.rate !== undefined ? `at ${opts.rate}/s` : 'at the maximum rate'}...`,
    );
    const offerStart = Date.now();
    let offered = 0;
    try {
      offered = await pumpRecords(producer, records, {
        topic: TOPICS.submitted,
        rate: opts.rate,
        durationMs: opts.durationS !== undefined ? opts.durationS * 1000 : undefined,
        onSent: (from, to, at) => sent.fill(at, from, to),
      });
      const offerSeconds = (Date.now() - offerStart) / 1000;
      const deadline = Date.now() + opts.drainS * 1000;
      while (decidedAt.length < offered && Date.now() < deadline) await sleep(200);
      procs.sample();
      await lags.sample().catch(() => undefined);
      opts.progress?.('decided', decidedAt.length, count);
      const handlers: PipelineResult['handlers'] = {};
      for (const p of ports)
        handlers[p.name] = handlerDelta(before.get(p.name) ?? {}, await scrapeHandlerTimes(p.port));
      const last = decidedAt.length ? Math.max(...decidedAt) : offerStart;
      pipeline = {
        offered,
        offeredPerSecond: Math.round(offered / offerSeconds),
        decided: decidedAt.length,
        outcomes,
        undecided: offered - decidedAt.length,
        throughputPerSecond: Math.round(steadyRate(decidedAt)),
        overallPerSecond: Math.round(decidedAt.length / ((last - offerStart) / 1000 || 1)),
        latencyMs: latency.summary(),
        recordBytes: {
          submitted: Math.round(records.reduce((n, r) => n + r.value.length, 0) / records.length),
          ...Object.fromEntries([...SIZED, ...FINAL].map((t) => [t, watcher.meanSize(t)])),
        },
        meanItems: Math.round(meanItems * 100) / 100,
        stageLag: lags.summary(),
        handlers,
        processes: procs.usage(),
        lagSeries: lags.series,
      };
    } finally {
      clearInterval(sampling);
    }
  } finally {
    await watcher.stop();
    await producer.disconnect().catch(() => undefined);
    await runner.stopAll();
  }
  if (pipeline.undecided > 0) {
    // Leaving the backlog would have the next people's services chew through it for minutes:
    // the groups (stopped now) move past it. Only the bench's records are there (it holds the lock).
    for (const stage of STAGES)
      for (const topic of stage.topics)
        await admin
          .resetOffsets({ groupId: stage.groupId, topic, earliest: false })
          .catch((e: Error) =>
            log(`could not skip the backlog of ${stage.groupId} on ${topic}: ${e.message}`),
          );
    pipeline.backlogSkipped = true;
    log(
      `${pipeline.undecided} declarations undecided: the stage groups were moved past the backlog`,
    );
  }
  if (opts.cpuProfDir) pipeline.cpuProfiles = summariseCpuProfiles(opts.cpuProfDir, t0);

  let baseline: BaselineResult | undefined;
  if (opts.baseline !== 'none') {
    const sizes = [
      pipeline.recordBytes[TOPICS.accepted],
      pipeline.recordBytes[TOPICS.riskAssessed],
      pipeline.recordBytes[TOPICS.valued],
      Math.round(
        (pipeline.recordBytes[TOPICS.held] * (outcomes.held ?? 0) +
          pipeline.recordBytes[TOPICS.released] * (outcomes.released ?? 0)) /
          Math.max(1, (outcomes.held ?? 0) + (outcomes.released ?? 0)),
      ),
    ].map((s) => s || pipeline.recordBytes.submitted);
    log(
      `passthrough baseline (${opts.baseline}): 4 no-op hops, record sizes ${sizes.join(', ')} bytes...`,
    );
    baseline = await runBaseline(kafka, admin, records, sizes, opts, runId);
  }
  await admin.disconnect();
  const report: BenchReport = {
    kind: 'customs-pipeline-bench',
    version: 1,
    startedAt,
    machine: {
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      cpu: cpus()[0]?.model ?? '?',
      node: process.version,
    },
    config: {
      mode: opts.rate === undefined ? 'max' : 'rate',
      rate: opts.rate,
      durationS: opts.durationS,
      count,
      meanItems: opts.meanItems,
      replicas: opts.replicas,
      partitions: opts.partitions,
      seed: opts.seed,
      codes: opts.codes,
      baseline: opts.baseline,
      drainS: opts.drainS,
      cpuProfDir: opts.cpuProfDir,
    },
    pipeline,
  };
  if (baseline) {
    report.baseline = baseline;
    report.fractionOfBaseline =
      baseline.throughputPerSecond > 0
        ? Math.round((pipeline.throughputPerSecond / baseline.throughputPerSecond) * 1000) / 1000
        : undefined;
  }
  return report;
}

/**
 * Four no-op hops on scratch topics with the pipeline's partition count and record sizes,
 * each hop its own process; the same submitted records offered at the maximum rate.
 */
async function runBaseline(
  kafka: Kafka,
  admin: ReturnType<Kafka['admin']>,
  submitted: Message[],
  sizes: number[],
  opts: BenchOptions,
  runId: string,
): Promise<BaselineResult> {
  const topics = Array.from({ length: 5 }, (_, i) => `customs-bench.passthrough.${runId}.${i}`);
  await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map((topic) => ({
      topic,
      numPartitions: opts.partitions,
      replicationFactor: 1,
    })),
  });
  const hops: ChildProcess[] = [];
  const records = submitted.map((r, i) => ({ key: String(i), value: r.value }));
  const sent = new Float64Array(records.length);
  const latency = new LatencyRecorder();
  const arrived: number[] = [];
  const seen = new Uint8Array(records.length);
  const sink = new DecisionWatcher(kafka, [topics[4]], (_t, m, at) => {
    const i = Number(m.key?.toString('utf8'));
    if (!Number.isInteger(i) || seen[i]) return;
    seen[i] = 1;
    latency.record(at - sent[i]);
    arrived.push(at);
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const mode = opts.baseline === 'plain' ? 'plain' : 'tx';
  let procs: ProcessSampler | undefined;
  try {
    // The built hop (dist/), also when this module runs from source under ts-jest.
    const entry = join(
      stackPaths().repoRoot,
      'dist',
      'apps',
      'cli',
      'src',
      'bench',
      'passthrough.hop.js',
    );
    for (let r = 0; r < opts.replicas; r++)
      for (let h = 0; h < 4; h++) {
        const child = spawn(process.execPath, [entry], {
          env: {
            ...process.env,
            NODE_OPTIONS: '',
            BENCH_BROKERS: opts.brokers.join(','),
            ...localSecurityEnv(BROKER_SUPER_USER),
            BENCH_FROM: topics[h],
            BENCH_TO: topics[h + 1],
            BENCH_GROUP: `customs-bench-hop-${runId}-${h}`,
            BENCH_SIZE: String(sizes[h]),
            BENCH_TX: mode === 'tx' ? '1' : '0',
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        hops.push(child);
      }
    await Promise.all(
      hops.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error('a passthrough hop did not join its group within 60 s')),
              60000,
            );
            child.stdout?.on('data', (b: Buffer) => {
              if (b.toString().includes('READY')) {
                clearTimeout(timer);
                resolve();
              }
            });
            child.once('exit', (code) =>
              reject(new Error(`a passthrough hop exited with ${code}`)),
            );
          }),
      ),
    );
    await sleep(1000);
    await producer.connect();
    await sink.start();
    procs = new ProcessSampler(
      [
        ...hops.map((c, i) => ({
          name: `hop-${i % 4}${opts.replicas > 1 ? `-${Math.floor(i / 4)}` : ''}`,
          pid: c.pid ?? 0,
        })),
        { name: 'kafka', pid: readPid(join(stackPaths().run, 'kafka.pid')) ?? 0 },
      ].filter((p) => p.pid > 0),
    );
    procs.begin();
    const sampling = setInterval(() => {
      procs?.sample();
      opts.progress?.('baseline', arrived.length, records.length);
    }, 1000);
    try {
      const offered = await pumpRecords(producer, records, {
        topic: topics[0],
        onSent: (from, to, at) => sent.fill(at, from, to),
      });
      const deadline = Date.now() + Math.max(30, opts.drainS) * 1000;
      while (arrived.length < offered && Date.now() < deadline) await sleep(200);
      procs.sample();
    } finally {
      clearInterval(sampling);
    }
    return {
      mode,
      records: records.length,
      delivered: arrived.length,
      throughputPerSecond: Math.round(steadyRate(arrived)),
      latencyMs: latency.summary(),
      hopRecordBytes: sizes,
      processes: procs.usage(),
    };
  } finally {
    await sink.stop();
    await producer.disconnect().catch(() => undefined);
    for (const child of hops) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(
      hops.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))),
    );
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin
      .deleteGroups(Array.from({ length: 4 }, (_, h) => `customs-bench-hop-${runId}-${h}`))
      .catch(() => undefined);
  }
}
