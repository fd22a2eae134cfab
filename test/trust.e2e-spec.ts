import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADMIN_PRINCIPAL,
  Declaration,
  dlqTopic,
  EVENT_TYPES,
  EventEnvelope,
  HeldPayload,
  PaymentPayload,
  sealEnvelope,
  TOPICS,
} from '@customs/contracts';
import { AUDIT_TOPIC_NAMES, LogRecord, readEnvelope } from '@customs/domain';
import { AUDIT_TOPIC_CONFIG } from '@customs/messaging';
import { localKafka } from '@customs/stack';
import { resolveAuditTopics } from '../apps/cli/src/audit/audit-topics';
import { readLog } from '../apps/cli/src/audit/kafka-log.reader';
import { runAuditCli } from './support/audit-cli.harness';
import {
  copyRecords,
  createScratchCheckpointsTopic,
  createScratchTopics,
  deleteTopics,
  scratchPrefix,
  waitForLeaders,
} from './support/audit-log.copier';
import { asAdmin } from './support/auth-tokens';
import { committedPast } from './support/group-offsets';
import { PipelineHarness } from './support/pipeline.harness';
import { signedAs } from './support/record-signers';
import { DeadLetterReader } from './support/release-dlq.reader';

/**
 * Issue 14, signed records and checkpoints, tried as an attacker would: a payment forged by
 * a principal that may write the topic is refused by release and found by `audit verify`;
 * a declaration's chain rewritten with every hash recomputed and every record re-signed with
 * the services' own keys passes `audit verify`, and is found by `audit verify --against` a
 * checkpoint export taken before the rewrite.
 */
jest.setTimeout(300_000);

const RUN = Date.now().toString(36).toUpperCase();
const BORDER_POST = `BP-TRUST-${RUN}`;
const harness = new PipelineHarness();
const deadLetters = new DeadLetterReader(harness.kafka, dlqTopic('release'));
const prefix = scratchPrefix('trust');
const dir = mkdtempSync(join(tmpdir(), 'customs-trust-'));
const scratch: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Furniture from an AEO trader without an account: held for payment (seed data). */
function declaration(lrn: string): Declaration {
  return {
    lrn,
    declarationType: 'import',
    procedureCode: '4000',
    declarant: { id: 'NL000000000000001', name: 'Trust E2E', country: 'NL' },
    importer: { id: 'NL000000000000001', name: 'Trust E2E', country: 'NL' },
    officeOfLodgement: 'NL000396',
    borderPost: BORDER_POST,
    transportMode: '1',
    dispatchCountry: 'US',
    destinationCountry: 'NL',
    invoiceCurrency: 'EUR',
    invoiceTotal: '12000.00',
    incoterm: 'CIF',
    incotermPlace: 'ROTTERDAM',
    costs: {},
    relatedParty: false,
    valuationMethod: 1,
    items: [
      {
        itemNumber: 1,
        commodityCode: '940360',
        description: 'Wooden bedroom furniture',
        originCountry: 'US',
        quantity: '10',
        unit: 'NAR',
        netMass: '300.0',
        grossMass: '320.0',
        invoiceAmount: '12000.00',
        documents: [{ code: 'N935', reference: `INV-${lrn}` }],
      },
    ],
  };
}

async function lodge(d: Declaration): Promise<string> {
  const res = await fetch(`${harness.intakeUrl}/declarations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await asAdmin()) },
    body: JSON.stringify(d),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { mrn: string }).mrn;
}

const chainOf = (lrn: string) =>
  harness.chain(lrn).sort((a: EventEnvelope, b: EventEnvelope) => a.sequence - b.sequence);

interface VerifyJson {
  ok: boolean;
  findings: { code: string; topic: string; partition: number; offset: string; mrn: string }[];
  checkpoints?: { ok: boolean; findings: { kind: string; logId: string }[] };
}

async function verify(...args: string[]): Promise<{ exitCode: number; report: VerifyJson }> {
  const { stdout, exitCode } = await runAuditCli(
    'verify',
    '--idle-timeout',
    '10',
    '--json',
    ...args,
  );
  return { exitCode, report: JSON.parse(stdout) as VerifyJson };
}

let heldMrn = '';
let heldLrn = '';
let startOffsets = new Map<string, Map<number, string>>();

beforeAll(async () => {
  const admin = harness.kafka.admin();
  await admin.connect();
  for (const { topic } of resolveAuditTopics('')) {
    const offsets = await admin.fetchTopicOffsets(topic);
    startOffsets.set(topic, new Map(offsets.map((o) => [o.partition, o.high])));
  }
  await admin.disconnect();
  startOffsets = new Map(startOffsets);
  await Promise.all([harness.start(), deadLetters.start()]);
  heldLrn = `TRUST-${RUN}`;
  heldMrn = await lodge(declaration(heldLrn));
  const pending = await harness.watcher.waitFor(
    [heldLrn],
    () => chainOf(heldLrn).some((e) => e.type === EVENT_TYPES.held),
    60_000,
  );
  expect(pending).toEqual([]);
});

afterAll(async () => {
  await deadLetters.stop().catch(() => undefined);
  await harness.stop().catch(() => undefined);
  await deleteTopics(harness.kafka, scratch);
  rmSync(dir, { recursive: true, force: true });
});

describe('signed records: forged inputs are refused and reported', () => {
  it('dead-letters a payment written by the admin principal, unsigned or signed by admin, and releases nothing; audit verify reports both', async () => {
    const held = chainOf(heldLrn).find((e) => e.type === EVENT_TYPES.held)!;
    const owed = (held.payload as HeldPayload).valuation.totalToPay;
    expect((held.payload as HeldPayload).release.waitingFor).toContain('payment');
    const forged = (reference: string) =>
      sealEnvelope<PaymentPayload>({
        eventId: randomUUID(),
        type: EVENT_TYPES.payment,
        schemaVersion: 1,
        mrn: heldMrn,
        lrn: heldLrn,
        sequence: 1,
        occurredAt: new Date().toISOString(),
        producer: 'payments@1',
        correlationId: held.correlationId,
        causationId: held.eventId,
        prevHash: null,
        payload: { amount: owed, currency: 'EUR', kind: 'payment', reference },
      });
    // The admin principal may write the payments topic (to re-inject dead letters): the
    // broker lets these through, the signature and the signer policy must not.
    const producer = localKafka(ADMIN_PRINCIPAL).producer({ idempotent: true });
    await producer.connect();
    const unsigned = { key: heldMrn, value: JSON.stringify(forged('FORGED-1')) };
    const [bySelf] = signedAs(ADMIN_PRINCIPAL, TOPICS.payments, [
      { key: heldMrn, value: JSON.stringify(forged('FORGED-2')) },
    ]);
    const [sent] = await producer.send({
      topic: TOPICS.payments,
      acks: -1,
      messages: [unsigned, bySelf],
    });
    await producer.disconnect();
    const base = BigInt(sent.baseOffset!);

    const codes = await Promise.all(
      [base, base + 1n].map(async (offset) => {
        const letter = await deadLetters.waitFor(
          (l) =>
            l.headers['dlq-origin-topic'] === TOPICS.payments &&
            l.headers['dlq-origin-offset'] === String(offset),
          30_000,
        );
        expect(letter).not.toBeNull();
        return letter!.headers['dlq-error-code'];
      }),
    );
    expect(codes).toEqual(['SIGNATURE_MISSING', 'SIGNER_NOT_ALLOWED']);
    await committedPast(
      harness.kafka,
      'customs-release',
      TOPICS.payments,
      sent.partition,
      base + 1n,
    );
    await sleep(1000);
    expect(chainOf(heldLrn).map((e) => e.type)).not.toContain(EVENT_TYPES.released);

    const { exitCode, report } = await verify('--mrn', heldMrn, '--topics', TOPICS.payments);
    expect(exitCode).toBe(4);
    const at = (offset: bigint) =>
      report.findings
        .filter((f) => f.topic === TOPICS.payments && f.offset === String(offset))
        .map((f) => f.code);
    expect(at(base)).toContain('SIGNATURE_MISSING');
    expect(at(base + 1n)).toContain('SIGNER_NOT_ALLOWED');
  });
});

describe('checkpoints: a chain rewritten and re-signed with the services own keys', () => {
  let copied: LogRecord[] = [];
  const exportFile = join(dir, 'before-rewrite.json');

  async function waitForHeads(expected: number): Promise<void> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const { stdout } = await runAuditCli(
        'checkpoint',
        'export',
        '--topic-prefix',
        prefix,
        '--out',
        exportFile,
        '--json',
      );
      const summary = JSON.parse(stdout) as { ok: boolean };
      const exp = JSON.parse(readFileSync(exportFile, 'utf8')) as {
        logs: { latest: { treeSize: number } }[];
      };
      const total = exp.logs.reduce((n, l) => n + l.latest.treeSize, 0);
      if (summary.ok && total >= expected) return;
      if (Date.now() > deadline) throw new Error(`heads count ${total} of ${expected} records`);
      await sleep(1000);
    }
  }

  async function recreate(topics: string[], partitions: number): Promise<void> {
    await deleteTopics(harness.kafka, topics);
    const admin = harness.kafka.admin();
    await admin.connect();
    try {
      for (let attempt = 0; attempt < 120; attempt++) {
        await sleep(500);
        const existing = new Set(await admin.listTopics());
        if (topics.some((t) => existing.has(t))) continue;
        await admin.createTopics({
          waitForLeaders: false,
          topics: topics.map((topic) => ({
            topic,
            numPartitions: partitions,
            replicationFactor: 1,
            configEntries: AUDIT_TOPIC_CONFIG,
          })),
        });
        await waitForLeaders(admin, topics);
        return;
      }
      throw new Error('scratch topics could not be recreated');
    } finally {
      await admin.disconnect();
    }
  }

  it('passes audit verify, and is found by audit verify --against the export taken before', async () => {
    // This run's declaration, copied as it is to scratch topics, and checkpointed there.
    const records: LogRecord[] = [];
    await readLog(
      harness.kafka,
      resolveAuditTopics(''),
      (r) => {
        const e = readEnvelope(r.value);
        if ('envelope' in e && e.envelope.lrn === heldLrn) records.push(r);
      },
      { startOffsets, idleTimeoutMs: 10_000 },
    );
    const partitions = Math.max(...[...startOffsets.values()].map((m) => m.size));
    scratch.push(...(await createScratchTopics(harness.kafka, prefix, partitions)));
    const checkpoints = await createScratchCheckpointsTopic(harness.kafka, prefix);
    scratch.push(checkpoints);
    // The declaration's own chain (not the forged payments of the test above, nor notices).
    const chainRoles = ['submitted', 'accepted', 'riskAssessed', 'valued', 'held'];
    copied = records.filter((r) => r.value !== null && chainRoles.includes(r.role));
    expect(copied.map((r) => r.role)).toEqual(
      expect.arrayContaining(['submitted', 'accepted', 'riskAssessed', 'valued', 'held']),
    );
    await copyRecords(harness.kafka, prefix, copied);
    const checkpointer = await harness.runner.start('audit', {
      env: {
        CHECKPOINT_TOPIC_PREFIX: prefix,
        CHECKPOINT_EVERY_RECORDS: '1',
        CHECKPOINT_INTERVAL_SECONDS: '1',
      },
    });
    await waitForHeads(copied.length);
    await harness.runner.stop(checkpointer);
    const clean = await verify('--topic-prefix', prefix, '--against', exportFile);
    expect(clean.report.findings).toEqual([]);
    expect(clean.exitCode).toBe(0);

    // The insider: goods description and invoice amount changed from the first link on,
    // every hash recomputed along the chain, every record re-signed with its producer's key.
    const signer: Record<string, string> = {
      submitted: 'svc-intake',
      accepted: 'svc-intake',
      riskAssessed: 'svc-risk',
      valued: 'svc-valuation',
      held: 'svc-release',
    };
    const chain = copied
      .map((r) => ({ r, e: JSON.parse(String(r.value)) as EventEnvelope }))
      .sort((a, b) => a.e.sequence - b.e.sequence);
    let prevHash: string | null = null;
    const rewritten: LogRecord[] = [];
    for (const { r, e } of chain) {
      const text = JSON.stringify({ ...e, prevHash })
        .replace(/Wooden bedroom furniture/g, 'Plastic garden chairs')
        .replace(/"12000\.00"/g, '"1200.00"');
      const { hash: _old, ...unsealed } = JSON.parse(text) as EventEnvelope;
      const sealed = sealEnvelope(unsealed);
      prevHash = sealed.hash;
      const value = JSON.stringify(sealed);
      const [msg] = signedAs(signer[r.role], AUDIT_TOPIC_NAMES[r.role], [{ key: r.key, value }]);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(msg.headers ?? {})) headers[k] = String(v);
      rewritten.push({ ...r, value, headers } as LogRecord);
    }
    expect(rewritten.map((r) => r.value)).not.toEqual(copied.map((r) => r.value));
    const topics = [...new Set(copied.map((r) => `${prefix}${AUDIT_TOPIC_NAMES[r.role]}`))];
    await recreate(topics, partitions);
    await copyRecords(harness.kafka, prefix, rewritten);

    // The hash chain and the signatures are all good: plain verify sees nothing.
    const plain = await verify('--topic-prefix', prefix);
    expect(plain.report.findings).toEqual([]);
    expect(plain.exitCode).toBe(0);
    // The heads exported before the rewrite prove it.
    const against = await verify('--topic-prefix', prefix, '--against', exportFile);
    expect(against.exitCode).toBe(4);
    const kinds = against.report.checkpoints!.findings.map((f) => f.kind);
    expect(kinds).toContain('rewritten');
    const rewrittenLogs = new Set(
      against.report
        .checkpoints!.findings.filter((f) => f.kind === 'rewritten')
        .map((f) => f.logId),
    );
    expect(rewrittenLogs.size).toBe(topics.length);
  });
});
