import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logIdOf, TOPICS } from '@customs/contracts';
import {
  AUDIT_TOPIC_NAMES,
  CheckpointExport,
  CheckpointFinding,
  LogRecord,
  readEnvelope,
} from '@customs/domain';
import { resolveAuditTopics } from '../apps/cli/src/audit/audit-topics';
import {
  CheckpointVerifyReport,
  runCheckpointExport,
} from '../apps/cli/src/audit/checkpoint.runner';
import { readLog } from '../apps/cli/src/audit/kafka-log.reader';
import { RunningService } from '@customs/stack';
import { runAuditCli } from './support/audit-cli.harness';
import {
  CopiedRecord,
  copyRecords,
  createScratchCheckpointsTopic,
  createScratchTopics,
  deleteTopics,
  scratchPrefix,
} from './support/audit-log.copier';
import { asAdmin } from './support/auth-tokens';
import { PipelineHarness, reachedFinal } from './support/pipeline.harness';

/**
 * The checkpointer (apps/audit) over scratch copies of a run's log, `audit checkpoint
 * export`, and `audit verify --against` the export after the copies are tampered with.
 */
jest.setTimeout(240_000);

const harness = new PipelineHarness();
const scratch: string[] = [];
const prefix = scratchPrefix('checkpoints');
const dir = mkdtempSync(join(tmpdir(), 'customs-checkpoints-'));
let records: LogRecord[] = [];
/** This run's records of the declarations copied later, after a restart of the checkpointer. */
let later: LogRecord[] = [];
let partitions = 6;
let copied: CopiedRecord[] = [];
/** What the third test tampered with, for the fourth. */
let tampered: {
  rewritten: { logId: string; topic: string; partition: number; k: number };
  deleted: { logId: string; cut: number };
} | null = null;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records per log id (`<topic>/<partition>`) of what was copied. */
function countsOf(list: readonly CopiedRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of list) {
    const id = logIdOf(c.topic, c.partition);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

async function startCheckpointer(): Promise<RunningService> {
  return harness.runner.start('audit', {
    env: {
      CHECKPOINT_TOPIC_PREFIX: prefix,
      CHECKPOINT_EVERY_RECORDS: '2',
      CHECKPOINT_INTERVAL_SECONDS: '1',
    },
  });
}

/** Waits until the newest published head of every log counts the records expected. */
async function waitForHeads(expected: Map<string, number>): Promise<void> {
  const deadline = Date.now() + 90_000;
  let behind: string[] = [];
  while (Date.now() < deadline) {
    const { export: exp } = await runCheckpointExport(harness.kafka, prefix, undefined, {
      idleTimeoutMs: 10_000,
    });
    const size = new Map(exp.logs.map((l) => [l.logId, l.latest.treeSize]));
    behind = [...expected]
      .filter(([id, n]) => (size.get(id) ?? 0) < n)
      .map(([id, n]) => `${id}: ${size.get(id) ?? 0}/${n}`);
    if (behind.length === 0) return;
    await sleep(1000);
  }
  throw new Error(`heads did not catch up: ${behind.join(', ')}`);
}

async function exportTo(name: string): Promise<CheckpointExport> {
  const file = join(dir, name);
  const { stdout, exitCode } = await runAuditCli(
    'checkpoint',
    'export',
    '--topic-prefix',
    prefix,
    '--out',
    file,
    '--json',
  );
  const summary = JSON.parse(stdout) as { ok: boolean; signaturesChecked: boolean };
  expect(summary).toMatchObject({ ok: true, signaturesChecked: true });
  expect(exitCode).toBe(0);
  return JSON.parse(readFileSync(file, 'utf8')) as CheckpointExport;
}

async function verifyAgainst(
  name: string,
): Promise<{ exitCode: number; checkpoints: CheckpointVerifyReport }> {
  const { stdout, exitCode } = await runAuditCli(
    'verify',
    '--topic-prefix',
    prefix,
    '--against',
    join(dir, name),
    '--idle-timeout',
    '10',
    '--json',
  );
  return {
    exitCode,
    checkpoints: (JSON.parse(stdout) as { checkpoints: CheckpointVerifyReport }).checkpoints,
  };
}

/** Deletes a scratch topic and creates it again, empty, with the same settings. */
async function recreateTopic(topic: string): Promise<void> {
  const admin = harness.kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
    for (let attempt = 0; attempt < 120; attempt++) {
      await sleep(500);
      if ((await admin.listTopics()).includes(topic)) continue;
      const created = await admin
        .createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic,
              numPartitions: partitions,
              replicationFactor: 1,
              configEntries: [
                { name: 'retention.ms', value: '-1' },
                { name: 'retention.bytes', value: '-1' },
                { name: 'cleanup.policy', value: 'delete' },
              ],
            },
          ],
        })
        .catch(() => false); // still being deleted
      if (created) return;
    }
    throw new Error(`${topic}: could not be recreated`);
  } finally {
    await admin.disconnect();
  }
}

/** The range the export can locate a change of the record with 0-based index k in: between heads. */
function expectedRange(exp: CheckpointExport, logId: string, k: number) {
  const log = exp.logs.find((l) => l.logId === logId)!;
  const heads = log.history;
  const lastMatch = [...heads].reverse().find((h) => h.treeSize <= k);
  const firstMismatch = heads.find((h) => h.treeSize >= k + 1)!;
  return {
    fromOffset: lastMatch ? String(BigInt(lastMatch.lastOffset) + 1n) : log.latest.firstOffset,
    toOffset: firstMismatch.lastOffset,
  };
}

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
  const gen = harness.generator(808, 'CP');
  const declarations = Array.from({ length: 12 }, (_, i) => gen.next(i + 1));
  const lrns = new Set(declarations.map((d) => d.lrn));
  for (const d of declarations) {
    const res = await fetch(`${harness.intakeUrl}/declarations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await asAdmin()) },
      body: JSON.stringify(d),
    });
    expect(res.status).toBe(202);
  }
  expect(await harness.watcher.waitFor([...lrns], reachedFinal, 60_000)).toEqual([]);
  await harness.stop();
  await readLog(
    harness.kafka,
    resolveAuditTopics(''),
    (r) => {
      const e = readEnvelope(r.value);
      if ('envelope' in e && lrns.has(e.envelope.lrn)) records.push(r);
    },
    { startOffsets: start, idleTimeoutMs: 10_000 },
  );
  records = records.filter((r) => r.value !== null);
  // Whole declarations in each part, so that each copy of the log is a clean one.
  const second = new Set(declarations.slice(6).map((d) => d.lrn));
  const lrnOf = (r: LogRecord) => {
    const e = readEnvelope(r.value);
    return 'envelope' in e ? e.envelope.lrn : '';
  };
  later = records.filter((r) => second.has(lrnOf(r)));
  records = records.filter((r) => !second.has(lrnOf(r)));

  scratch.push(...(await createScratchTopics(harness.kafka, prefix, partitions)));
  await createScratchCheckpointsTopic(harness.kafka, prefix);
  scratch.push(`${prefix}${TOPICS.checkpoints}`);
  copied = await copyRecords(harness.kafka, prefix, records);
});

afterAll(async () => {
  await harness.stop().catch(() => undefined);
  await deleteTopics(harness.kafka, scratch);
  rmSync(dir, { recursive: true, force: true });
});

describe('signed checkpoints of the audited partitions', () => {
  it('the checkpointer publishes heads that count every copied record, and the export holds them', async () => {
    const service = await startCheckpointer();
    const ready = await fetch(`http://127.0.0.1:${service.port}/health/ready`);
    expect(ready.status).toBe(200);
    await waitForHeads(countsOf(copied));
    await harness.runner.stop(service);

    const exp = await exportTo('first.json');
    const counts = countsOf(copied);
    expect(exp.logs.map((l) => l.logId).sort()).toEqual([...counts.keys()].sort());
    for (const log of exp.logs) {
      expect(log.latest.treeSize).toBe(counts.get(log.logId));
      expect(log.latest.firstOffset).toBe('0');
      expect(log.history[log.history.length - 1]).toEqual(log.latest);
    }
    const clean = await verifyAgainst('first.json');
    expect(clean.checkpoints.findings).toEqual([]);
    expect(clean.exitCode).toBe(0);
  });

  it('a restart resumes the same trees and chains: the first export stays a prefix of the history', async () => {
    const service = await startCheckpointer();
    // The other declarations' records on the same copies: the log grows.
    const more = await copyRecords(harness.kafka, prefix, later);
    copied = [...copied, ...more];
    await waitForHeads(countsOf(copied));
    await harness.runner.stop(service);

    const first = JSON.parse(readFileSync(join(dir, 'first.json'), 'utf8')) as CheckpointExport;
    const second = await exportTo('second.json');
    for (const log of first.logs) {
      const now = second.logs.find((l) => l.logId === log.logId)!;
      expect(now.history.slice(0, log.history.length)).toEqual(log.history);
    }
    const { checkpoints, exitCode } = await verifyAgainst('first.json');
    expect(checkpoints.findings).toEqual([]);
    expect(exitCode).toBe(0);
  });

  it('finds a rewritten record in the range between the heads around it, and deleted records', async () => {
    const exp = JSON.parse(readFileSync(join(dir, 'second.json'), 'utf8')) as CheckpointExport;
    // (a) The biggest partition: one record's value rewritten, the topic recreated with it.
    const byLog = new Map<string, CopiedRecord[]>();
    for (const c of copied)
      byLog.set(logIdOf(c.topic, c.partition), [
        ...(byLog.get(logIdOf(c.topic, c.partition)) ?? []),
        c,
      ]);
    const [rewrittenLog, inLog] = [...byLog].sort((a, b) => b[1].length - a[1].length)[0];
    expect(inLog.length).toBeGreaterThanOrEqual(3);
    const k = Math.min(5, inLog.length - 1);
    const topic = inLog[0].topic;
    const target = inLog[k];
    const role = target.source.role;
    const ofTopic = copied
      .filter((c) => c.topic === topic)
      .sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)));
    await recreateTopic(topic);
    for (const partition of new Set(ofTopic.map((c) => c.partition))) {
      const list = ofTopic
        .filter((c) => c.partition === partition)
        .map((c) =>
          c === target
            ? { ...c.source, value: String(c.source.value).replace(/"lrn":"/, '"lrn":"X') }
            : c.source,
        );
      await copyRecords(harness.kafka, prefix, list);
    }
    expect(`${prefix}${AUDIT_TOPIC_NAMES[role]}`).toBe(topic);

    // (b) Another topic's partition loses its first records (one or two).
    const [deletedLog, deletedIn] = [...byLog].find(
      ([, list]) => list[0].topic !== topic && list.length >= 2,
    )!;
    const cut = Math.min(2, deletedIn.length - 1);
    tampered = {
      rewritten: { logId: rewrittenLog, topic, partition: target.partition, k },
      deleted: { logId: deletedLog, cut },
    };
    const admin = harness.kafka.admin();
    await admin.connect();
    // kafkajs finds the partition's leader only once the topic's metadata is loaded.
    await admin.fetchTopicMetadata({ topics: [deletedIn[0].topic] });
    await admin.deleteTopicRecords({
      topic: deletedIn[0].topic,
      partitions: [{ partition: deletedIn[0].partition, offset: String(cut) }],
    });
    await admin.disconnect();

    const { checkpoints, exitCode } = await verifyAgainst('second.json');
    expect(exitCode).toBe(4);
    const found = (logId: string) =>
      checkpoints.findings.filter((f: CheckpointFinding) => f.logId === logId);
    expect(found(rewrittenLog)).toEqual([
      expect.objectContaining({
        kind: 'rewritten',
        topic,
        partition: target.partition,
        ...expectedRange(exp, rewrittenLog, k),
      }),
    ]);
    expect(found(deletedLog)).toEqual([
      expect.objectContaining({
        kind: 'deleted',
        topic: deletedIn[0].topic,
        partition: deletedIn[0].partition,
        fromOffset: '0',
        toOffset: String(cut - 1),
      }),
    ]);
    // Nothing is blamed on the partitions left alone.
    expect(
      checkpoints.findings.filter((f) => f.logId !== rewrittenLog && f.logId !== deletedLog),
    ).toEqual([]);
  });
  it('finds the rewrite against the export even after the checkpoints were rewritten and re-signed with the real key', async () => {
    expect(tampered).not.toBeNull();
    const { rewritten, deleted } = tampered!;
    // An insider with the checkpointer's key: the checkpoints topic deleted, a fresh
    // checkpointer run over the tampered log, so every published head is validly signed.
    await deleteTopics(harness.kafka, [`${prefix}${TOPICS.checkpoints}`]);
    const admin = harness.kafka.admin();
    await admin.connect();
    for (
      let i = 0;
      i < 120 && (await admin.listTopics()).includes(`${prefix}${TOPICS.checkpoints}`);
      i++
    )
      await sleep(500);
    await admin.disconnect();
    await createScratchCheckpointsTopic(harness.kafka, prefix);
    const service = await startCheckpointer();
    const expected = countsOf(copied);
    expected.set(deleted.logId, expected.get(deleted.logId)! - deleted.cut);
    await waitForHeads(expected);
    await harness.runner.stop(service);
    const republished = await exportTo('republished.json');
    expect(republished.logs.find((l) => l.logId === deleted.logId)!.latest.firstOffset).toBe(
      String(deleted.cut),
    );

    const exp = JSON.parse(readFileSync(join(dir, 'second.json'), 'utf8')) as CheckpointExport;
    const { checkpoints, exitCode } = await verifyAgainst('second.json');
    expect(exitCode).toBe(4);
    const kinds = (logId: string) =>
      checkpoints.findings.filter((f) => f.logId === logId).map((f) => f.kind);
    expect(checkpoints.findings).toContainEqual(
      expect.objectContaining({
        kind: 'rewritten',
        topic: rewritten.topic,
        partition: rewritten.partition,
        ...expectedRange(exp, rewritten.logId, rewritten.k),
      }),
    );
    expect(kinds(deleted.logId)).toEqual(['deleted']);
    // The heads the insider published are valid: only the export tells the rewrite apart.
    expect(
      checkpoints.findings.filter((f) => f.logId !== rewritten.logId && f.logId !== deleted.logId),
    ).toEqual([]);
  });
});
