import { Command } from 'commander';
import {
  AcceptedPayload,
  EVENT_TYPES,
  RiskAssessedPayload,
  ValuedPayload,
} from '@customs/contracts';
import { EXTERNAL_CAUSE_ROLES, readEnvelope } from '@customs/domain';
import { resolveAuditTopics } from '../apps/cli/src/audit/audit-topics';
import { readLog } from '../apps/cli/src/audit/kafka-log.reader';
import { ReplayEvent, ReplayReport, replayChain } from '../apps/cli/src/audit/replay.runner';
import { registerAuditReplayCommand } from '../apps/cli/src/commands/audit-replay.command';
import { PipelineHarness, reachedFinal } from './support/pipeline.harness';
import { asAdmin } from './support/auth-tokens';

jest.setTimeout(180_000);

const harness = new PipelineHarness();
/** This run's events, as read back from the real log, by MRN. */
const chains = new Map<string, ReplayEvent[]>();
const external = new Map<string, ReplayEvent[]>();

/** `customs audit replay ...` in this process: what it printed and its exit code. */
async function runReplayCli(...args: string[]): Promise<{ stdout: string; exitCode: number }> {
  const program = new Command('customs').exitOverride();
  registerAuditReplayCommand(program.command('audit'));
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const before = process.exitCode;
  process.exitCode = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'customs', 'audit', 'replay', ...args]);
    return { stdout: chunks.join(''), exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.stdout.write = write;
    process.exitCode = before;
  }
}

beforeAll(async () => {
  const topics = resolveAuditTopics('').filter((t) => t.role !== 'notifications');
  const admin = harness.kafka.admin();
  await admin.connect();
  const start = new Map<string, Map<number, string>>();
  for (const { topic } of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    start.set(topic, new Map(offsets.map((o) => [o.partition, o.high])));
  }
  await admin.disconnect();
  await harness.start();

  const gen = harness.generator(911, 'RP');
  const declarations = Array.from({ length: 3 }, (_, i) => gen.next(i + 1));
  const lrns = declarations.map((d) => d.lrn);
  for (const d of declarations) {
    const res = await fetch(`${harness.intakeUrl}/declarations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await asAdmin()) },
      body: JSON.stringify(d),
    });
    expect(res.status).toBe(202);
  }
  expect(await harness.watcher.waitFor(lrns, reachedFinal, 60_000)).toEqual([]);
  await harness.stop();

  const ours = new Set(lrns);
  await readLog(
    harness.kafka,
    topics,
    (r) => {
      const e = readEnvelope(r.value);
      if (!('envelope' in e) || !ours.has(e.envelope.lrn) || !e.envelope.mrn) return;
      const x: ReplayEvent = { ...r, event: e.envelope };
      const into = EXTERNAL_CAUSE_ROLES.includes(r.role) ? external : chains;
      into.set(e.envelope.mrn, [...(into.get(e.envelope.mrn) ?? []), x]);
    },
    { startOffsets: start, idleTimeoutMs: 10_000 },
  );
});

afterAll(async () => {
  await harness.stop().catch(() => undefined);
});

describe('audit replay', () => {
  it('re-derives every decision of each declaration with no difference (exit 0)', async () => {
    expect(chains.size).toBeGreaterThanOrEqual(1);
    // Each declaration, replayed on its own events (seeds; what they lack is named)...
    for (const [mrn, chain] of chains)
      expect(replayChain(chain, external.get(mrn) ?? []).differences).toEqual([]);
    // ... and one through the command, which reads the whole log (every account's debits
    // count) and the stored reference versions: one run, the log being large.
    for (const mrn of [...chains.keys()].slice(0, 1)) {
      const { stdout, exitCode } = await runReplayCli(
        '--mrn',
        mrn,
        '--json',
        '--idle-timeout',
        '10',
      );
      const report = JSON.parse(stdout) as ReplayReport;
      expect(report.differences).toEqual([]);
      expect(exitCode).toBe(0);
      expect(report.counts.chains).toBe(1);
      // Each stage is re-derived, or named NOT_REDERIVABLE with the version it lacks (other
      // specs import reference versions into databases of their own, which this run does not read).
      const chain = chains.get(mrn)!;
      const recorded = {
        validation: chain.find((x) => x.event.type === EVENT_TYPES.accepted),
        risk: chain.find((x) => x.event.type === EVENT_TYPES.riskAssessed),
        valuation: chain.find((x) => x.event.type === EVENT_TYPES.valued),
      };
      for (const stage of ['validation', 'risk', 'valuation', 'release'] as const) {
        const skipped = report.notRederivable.filter((n) => n.stage === stage);
        expect(report.counts.rederived[stage] + skipped.length).toBeGreaterThanOrEqual(1);
        if (stage === 'release') continue;
        const version = {
          validation: () =>
            (recorded.validation!.event.payload as AcceptedPayload).acceptance.referenceData
              .nomenclature,
          risk: () => (recorded.risk!.event.payload as RiskAssessedPayload).risk.rulesetVersion,
          valuation: () =>
            (recorded.valuation!.event.payload as ValuedPayload).valuation.versions.tariff,
        }[stage];
        for (const n of skipped) {
          if (stage === 'risk')
            expect(n.reason).toMatch(/version \S+ is neither the seed's nor stored/);
          else expect(n.reason).toContain(version());
          expect(n).toMatchObject({ mrn, offset: recorded[stage]!.offset });
        }
      }
    }
  });

  it('reports one difference, located, when the logged risk channel was changed', () => {
    const [mrn, chain] = [...chains.entries()][0];
    const assessed = chain.find((x) => x.event.type === EVENT_TYPES.riskAssessed)!;
    const payload = assessed.event.payload as RiskAssessedPayload;
    const other = payload.risk.channel === 'red' ? 'green' : 'red';
    const altered = chain.map((x) =>
      x === assessed
        ? {
            ...x,
            event: {
              ...x.event,
              payload: { ...payload, risk: { ...payload.risk, channel: other } },
            },
          }
        : x,
    );
    const clean = replayChain(chain, external.get(mrn) ?? []);
    expect(clean.differences).toEqual([]);
    const result = replayChain(altered, external.get(mrn) ?? []);
    expect(result.differences).toEqual([
      {
        topic: assessed.topic,
        partition: assessed.partition,
        offset: assessed.offset,
        mrn,
        stage: 'risk',
        field: 'channel',
        logged: other,
        rederived: payload.risk.channel,
      },
    ]);
  });
});
