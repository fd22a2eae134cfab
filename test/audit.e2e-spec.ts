import { EventEnvelope, sealEnvelope, signRecord, TOPICS } from '@customs/contracts';
import { loadKeyRegistry, signerFor } from '@customs/messaging';
import { assignMrn, AuditFinding, LogRecord, readEnvelope } from '@customs/domain';
import { resolveAuditTopics } from '../apps/cli/src/audit/audit-topics';
import { readLog } from '../apps/cli/src/audit/kafka-log.reader';
import { runState } from '../apps/cli/src/audit/state.runner';
import { runVerify, VerifyReport } from '../apps/cli/src/audit/verify.runner';
import { runAuditCli } from './support/audit-cli.harness';
import {
  CopiedRecord,
  copyRecords,
  createScratchTopics,
  deleteTopics,
  scratchPrefix,
} from './support/audit-log.copier';
import { PipelineHarness, reachedFinal } from './support/pipeline.harness';
import { asAdmin } from './support/auth-tokens';

jest.setTimeout(120_000);

const harness = new PipelineHarness();
const scratch: string[] = [];
/** Records of this run's declarations, as read back from the real log. */
let records: LogRecord[] = [];
let lrns: string[] = [];
let partitions = 6;

const envelopeOf = (r: LogRecord): EventEnvelope | null => {
  const e = readEnvelope(r.value);
  return 'envelope' in e ? e.envelope : null;
};

async function verifyCopy(prefix: string): Promise<VerifyReport> {
  return runVerify(
    harness.kafka,
    resolveAuditTopics(prefix),
    {},
    { idleTimeoutMs: 10_000 },
    [],
    loadKeyRegistry(),
  );
}

async function scratchCopy(
  what: string,
  recs: LogRecord[],
): Promise<{ prefix: string; copied: CopiedRecord[] }> {
  const prefix = scratchPrefix(what);
  scratch.push(...(await createScratchTopics(harness.kafka, prefix, partitions)));
  return { prefix, copied: await copyRecords(harness.kafka, prefix, recs) };
}

/** The record of one declaration on one topic (its first, in log order). */
function recordOf(lrn: string, role: LogRecord['role']): LogRecord {
  const r = records.find((x) => x.role === role && envelopeOf(x)?.lrn === lrn);
  if (!r) throw new Error(`no ${role} record for ${lrn}`);
  return r;
}

const located = (c: CopiedRecord | undefined, code: string, mrn: string | null) =>
  expect.objectContaining({
    code,
    topic: c?.topic,
    partition: c?.partition,
    offset: c?.offset,
    mrn,
  });

beforeAll(async () => {
  const admin = harness.kafka.admin();
  await admin.connect();
  const start = new Map<string, Map<number, string>>();
  for (const { topic } of resolveAuditTopics('')) {
    const offsets = await admin.fetchTopicOffsets(topic);
    start.set(topic, new Map(offsets.map((o) => [o.partition, o.high])));
    partitions = offsets.length;
  }
  await admin.disconnect();
  await harness.start();

  const gen = harness.generator(707, 'AU');
  const declarations = Array.from({ length: 6 }, (_, i) => gen.next(i + 1));
  lrns = declarations.map((d) => d.lrn);
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

  // This run's part of the real log, read back raw (bytes, keys, partitions as written).
  const ours = new Set(lrns);
  await readLog(
    harness.kafka,
    resolveAuditTopics(''),
    (r) => {
      const e = envelopeOf(r);
      if (e && ours.has(e.lrn)) records.push(r);
    },
    { startOffsets: start, idleTimeoutMs: 10_000 },
  );
  records = records.filter((r) => r.value !== null);
});

afterAll(async () => {
  await harness.stop().catch(() => undefined);
  await deleteTopics(harness.kafka, scratch);
});

describe('audit verify over copies of the log in scratch topics', () => {
  it('finds a faithful copy clean, through the command, with a JSON report and exit code 0', async () => {
    const declarationRecords = records.filter((r) => r.role !== 'notifications');
    expect(declarationRecords.length).toBeGreaterThanOrEqual(6 * 5);
    const { prefix } = await scratchCopy('clean', records);
    const { stdout, exitCode } = await runAuditCli('verify', '--topic-prefix', prefix, '--json');
    const report = JSON.parse(stdout) as VerifyReport;
    expect(report.findings).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.counts).toMatchObject({ events: declarationRecords.length, chains: 6 });
    expect(report.counts.notifications).toBeGreaterThanOrEqual(6);
  });

  it('finds and locates an altered amount, a broken record, a deletion, a swap and a deleted last event', async () => {
    const [a, b, c, d, e, untouched] = lrns;
    const tampered = records.map((r) => ({ ...r }));
    const at = (lrn: string, role: LogRecord['role']) => records.indexOf(recordOf(lrn, role));

    // a: one digit of the amount to pay changes; still valid JSON, the hash no longer holds
    const ia = at(a, 'valued');
    const valuedA = String(tampered[ia].value);
    const amount = /"totalToPay":"(\d)/.exec(valuedA)!;
    tampered[ia].value = valuedA.replace(
      amount[0],
      `"totalToPay":"${(Number(amount[1]) + 1) % 10}`,
    );
    // b: one byte that breaks the JSON of the risk-assessed record
    const ib = at(b, 'riskAssessed');
    tampered[ib].value = `#${String(tampered[ib].value).slice(1)}`;
    // d: the accepted and risk-assessed records of one chain trade places
    const [id1, id2] = [at(d, 'accepted'), at(d, 'riskAssessed')];
    [tampered[id1].value, tampered[id2].value] = [tampered[id2].value, tampered[id1].value];
    // c: the valued record deleted; e: the chain's last (release) record deleted
    const lastOf = (lrn: string) =>
      tampered
        .filter((r) => (r.role === 'held' || r.role === 'released') && envelopeOf(r)?.lrn === lrn)
        .sort((x, y) => envelopeOf(y)!.sequence - envelopeOf(x)!.sequence)[0];
    const deletedC = tampered[at(c, 'valued')];
    const deletedE = lastOf(e);
    const kept = tampered.filter((r) => r !== deletedC && r !== deletedE);

    const { prefix, copied } = await scratchCopy('tampered', kept);
    const where = (r: LogRecord) => copied.find((x) => x.source === r);
    const mrnOf = (lrn: string) =>
      records.map(envelopeOf).find((x) => x?.lrn === lrn && x.mrn)!.mrn;
    const report = await verifyCopy(prefix);
    expect(report.ok).toBe(false);
    const f = report.findings;

    expect(f).toContainEqual(located(where(tampered[ia]), 'HASH_MISMATCH', mrnOf(a)));
    expect(f).toContainEqual(located(where(tampered[ib]), 'NOT_JSON', mrnOf(b)));
    const valuedB = kept.find((r) => r.role === 'valued' && envelopeOf(r)?.lrn === b)!;
    expect(f).toContainEqual(located(where(valuedB), 'SEQUENCE_GAP', mrnOf(b)));
    const nextOfC = kept.find((r) => envelopeOf(r)?.lrn === c && envelopeOf(r)?.sequence === 5)!;
    expect(f).toContainEqual(located(where(nextOfC), 'SEQUENCE_GAP', mrnOf(c)));
    expect(f).toContainEqual(located(where(nextOfC), 'PREV_HASH_MISMATCH', mrnOf(c)));
    expect(f).toContainEqual(located(where(tampered[id1]), 'TOPIC_MISMATCH', mrnOf(d)));
    expect(f).toContainEqual(located(where(tampered[id2]), 'TOPIC_MISMATCH', mrnOf(d)));
    const aboutE = kept.filter(
      (r) =>
        r.role === 'notifications' &&
        (envelopeOf(r)?.payload as { aboutEventId?: string })?.aboutEventId ===
          envelopeOf(deletedE)!.eventId,
    );
    expect(aboutE.length).toBeGreaterThan(0);
    for (const n of aboutE) expect(f).toContainEqual(located(where(n), 'MISSING_EVENT', mrnOf(e)));

    // Nothing is blamed on the untouched declaration, and --mrn narrows the report to one.
    const untouchedMrn = mrnOf(untouched);
    expect(f.filter((x: AuditFinding) => x.mrn === untouchedMrn || x.lrn === untouched)).toEqual(
      [],
    );
    const narrowed = await runAuditCli(
      'verify',
      '--topic-prefix',
      prefix,
      '--mrn',
      mrnOf(a)!,
      '--json',
    );
    expect(narrowed.exitCode).toBe(4);
    expect(
      (JSON.parse(narrowed.stdout) as VerifyReport).findings.map((x) => [x.code, x.mrn]),
    ).toEqual([
      ['HASH_MISMATCH', mrnOf(a)],
      // The altered bytes no longer match valuation's signature either.
      ['SIGNATURE_INVALID', mrnOf(a)],
    ]);
  });

  it('finds who wrote what: unsigned, forged, re-signed by the wrong principal, and a reused event id', async () => {
    const [a, b, c, d] = lrns;
    const tampered = records.map((r) => ({ ...r, headers: { ...r.headers } }));
    const at = (lrn: string, role: LogRecord['role']) => records.indexOf(recordOf(lrn, role));
    // a: the accepted record without its signature (a plain client wrote it)
    const ia = at(a, 'accepted');
    delete tampered[ia].headers!['customs-signature'];
    delete tampered[ia].headers!['customs-key-id'];
    // b: the chain's last record rewritten with a recomputed hash (no link after it to break),
    // its signature kept: only the signature shows it
    const lastB = records
      .filter((r) => (r.role === 'held' || r.role === 'released') && envelopeOf(r)?.lrn === b)
      .sort((x, y) => envelopeOf(y)!.sequence - envelopeOf(x)!.sequence)[0];
    const ib = records.indexOf(lastB);
    const lastOfB = envelopeOf(tampered[ib])!;
    tampered[ib].value = JSON.stringify(
      sealEnvelope({ ...lastOfB, producer: 'forger' } as EventEnvelope),
    );
    // c: the accepted record re-signed by a border post, which may only submit
    const ic = at(c, 'accepted');
    Object.assign(
      tampered[ic].headers!,
      signRecord(
        { topic: TOPICS.accepted, key: tampered[ic].key, value: tampered[ic].value },
        signerFor('bp-nl-vnl-venlo'),
      ),
    );
    // d: a signed payment that reuses the id of d's valued event
    const valuedD = envelopeOf(recordOf(d, 'valued'))!;
    const payment = sealEnvelope({
      ...valuedD,
      type: 'PaymentReceived',
      sequence: 99,
    } as EventEnvelope);
    const paymentValue = JSON.stringify(payment);
    const forgedPayment: LogRecord = {
      role: 'payments',
      topic: TOPICS.payments,
      partition: recordOf(d, 'valued').partition,
      offset: '0',
      key: valuedD.mrn,
      value: paymentValue,
      headers: signRecord(
        { topic: TOPICS.payments, key: valuedD.mrn, value: paymentValue },
        signerFor('pay-local-bank'),
      ),
    };
    const { prefix, copied } = await scratchCopy('authorship', [...tampered, forgedPayment]);
    const where = (r: LogRecord) => copied.find((x) => x.source === r);
    const report = await verifyCopy(prefix);
    expect(report.ok).toBe(false);
    const f = report.findings;
    expect(f).toContainEqual(
      located(where(tampered[ia]), 'SIGNATURE_MISSING', envelopeOf(tampered[ia])!.mrn),
    );
    expect(f).toContainEqual(located(where(tampered[ib]), 'SIGNATURE_INVALID', lastOfB.mrn));
    expect(f).toContainEqual(
      located(where(tampered[ic]), 'SIGNER_NOT_ALLOWED', envelopeOf(tampered[ic])!.mrn),
    );
    expect(f).toContainEqual(located(where(forgedPayment), 'DUPLICATE_EVENT_ID', valuedD.mrn));
    // The chain checks alone find nothing wrong with b's rewritten record.
    expect(f.filter((x) => x.lrn === b && x.code !== 'SIGNATURE_INVALID')).toEqual([]);
    const { exitCode } = await runAuditCli('verify', '--topic-prefix', prefix, '--json');
    expect(exitCode).toBe(4);
  });

  it('reports topic settings that could lose audit records', async () => {
    const prefix = scratchPrefix('settings');
    scratch.push(
      ...(await createScratchTopics(harness.kafka, prefix, partitions, {
        valued: [{ name: 'retention.ms', value: '604800000' }],
        held: [{ name: 'cleanup.policy', value: 'compact' }],
      })),
    );
    const report = await verifyCopy(prefix);
    expect(report.findings.map((x) => [x.code, x.topic])).toEqual([
      ['TOPIC_RETENTION', `${prefix}${TOPICS.valued}`],
      ['TOPIC_COMPACTION', `${prefix}${TOPICS.held}`],
    ]);
    expect(report.ok).toBe(false);
  });
});

describe('audit state', () => {
  it('shows a declaration as it stood at instants before, during and after its clearance', async () => {
    const lrn = lrns[0];
    const chain = records
      .filter((r) => r.role !== 'notifications')
      .map(envelopeOf)
      .filter((x): x is EventEnvelope => x?.lrn === lrn)
      .sort((x, y) => x.sequence - y.sequence);
    const mrn = chain[1].mrn!;
    const valued = chain.find((x) => x.type === 'DeclarationValued')!;
    const totals = (valued.payload as { valuation: { totalToPay: string } }).valuation;

    const before = await runState(
      harness.kafka,
      mrn,
      new Date(Date.parse(chain[0].occurredAt) - 1000).toISOString(),
    );
    expect(before).toMatchObject({ mrn, stage: null, events: [] });
    const atValued = await runState(harness.kafka, mrn, valued.occurredAt);
    expect(atValued).toMatchObject({
      mrn,
      lrn,
      stage: 'valued',
      amounts: { totalToPay: totals.totalToPay },
    });
    expect(atValued!.events.map((x) => x.type)).toEqual(chain.slice(0, 4).map((x) => x.type));

    const { stdout, exitCode } = await runAuditCli(
      'state',
      mrn,
      '--at',
      new Date(Date.now() + 60_000).toISOString(),
      '--json',
    );
    expect(exitCode).toBe(0);
    const after = JSON.parse(stdout) as {
      stage: string;
      release: { status: string };
      risk: { channel: string };
    };
    const last = chain[chain.length - 1];
    expect(after.stage).toBe(
      last.type === 'DeclarationHeld'
        ? 'held'
        : (last.payload as { release: { status: string } }).release.status,
    );
    expect(after.risk.channel).toBe(
      (chain[2].payload as { risk: { channel: string } }).risk.channel,
    );

    const nowhere = assignMrn({
      year: 2026,
      country: 'NL',
      declarantId: 'NL1',
      lrn: `NOWHERE-${Date.now()}`,
      declarationType: 'import',
    });
    const unknown = await runAuditCli('state', nowhere, '--at', '2026-01-01T00:00:00Z');
    expect(unknown.exitCode).toBe(3);
    await expect(
      runAuditCli('state', 'NOT-AN-MRN', '--at', '2026-01-01T00:00:00Z'),
    ).rejects.toThrow(/NOT-AN-MRN: not a valid MRN/);
    await expect(runAuditCli('state', mrn, '--at', 'yesterday')).rejects.toThrow(
      /--at yesterday: not an ISO-8601 instant/,
    );
  });
});
