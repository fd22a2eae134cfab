import { connectStore } from '@customs/persistence';
import { ReadModelReport } from '../apps/cli/src/audit/read-models.runner';
import { runAuditCli } from './support/audit-cli.harness';
import { asAdmin } from './support/auth-tokens';
import { PipelineHarness, reachedFinal } from './support/pipeline.harness';

jest.setTimeout(150_000);

const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const harness = new PipelineHarness();
const mrns = new Set<string>();
let from: string;

async function check(): Promise<{ report: ReadModelReport; exitCode: number }> {
  const { stdout, exitCode } = await runAuditCli(
    'read-models',
    '--from',
    from,
    '--json',
    '--idle-timeout',
    '10',
  );
  return { report: JSON.parse(stdout) as ReadModelReport, exitCode };
}

beforeAll(async () => {
  from = new Date().toISOString();
  await harness.start();
  // Declarations as they come (some secured by a guarantee account, some not).
  const gen = harness.generator(5150, 'RM');
  const declarations = Array.from({ length: 4 }, (_, i) => gen.next(i + 1));
  for (const d of declarations) {
    const res = await fetch(`${harness.intakeUrl}/declarations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await asAdmin()) },
      body: JSON.stringify(d),
    });
    expect(res.status).toBe(202);
  }
  const lrns = declarations.map((d) => d.lrn);
  expect(await harness.watcher.waitFor(lrns, reachedFinal, 60_000)).toEqual([]);
  for (const lrn of lrns) {
    const mrn = harness.chain(lrn).find((e) => e.mrn)?.mrn;
    if (mrn) mrns.add(mrn);
  }
  // The live read models stop changing once the services are gone.
  await harness.stop();
});

afterAll(async () => {
  await harness.stop().catch(() => undefined);
});

describe('audit read-models', () => {
  it("rebuilds intake's timelines and release's records from the log: no difference with the live ones", async () => {
    expect(mrns.size).toBe(4);
    const { report, exitCode } = await check();
    const ours = report.differences.filter((d) => mrns.has(d.key));
    expect(ours).toEqual([]);
    expect(report.counts.intake.compared).toBeGreaterThanOrEqual(4);
    expect(report.counts.release.compared).toBeGreaterThanOrEqual(4);
    // Nothing else ran meanwhile (the e2e lock): the whole scope is clean.
    expect(report.differences).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.scratchDb).toMatch(/^customs_audit_scratch_\d+$/);
    // The scratch database is dropped afterwards.
    const store = await connectStore(MONGO_URL, 'customs_intake');
    try {
      const dbs = await store.db!.admin().listDatabases({ nameOnly: true });
      expect(dbs.databases.map((d) => d.name)).not.toContain(report.scratchDb);
    } finally {
      await store.close();
    }
  });

  it('reports exactly the field of a live document altered in the store (restored afterwards)', async () => {
    const [mrn] = [...mrns].sort();
    const store = await connectStore(MONGO_URL, 'customs_intake');
    const timelines = store.db!.collection<{ _id: string; borderPost: string }>('timelines');
    const original = await timelines.findOne({ _id: mrn });
    expect(original).not.toBeNull();
    try {
      await timelines.updateOne({ _id: mrn }, { $set: { borderPost: 'TAMPERED' } });
      const { report, exitCode } = await check();
      expect(report.differences).toEqual([
        {
          service: 'intake',
          collection: 'timelines',
          key: mrn,
          field: 'borderPost',
          live: 'TAMPERED',
          rebuilt: original!.borderPost,
        },
      ]);
      expect(exitCode).toBe(4);
    } finally {
      await timelines.updateOne({ _id: mrn }, { $set: { borderPost: original!.borderPost } });
      await store.close();
    }
  });
});
