import { existsSync, readFileSync } from 'node:fs';
import { Kafka } from 'kafkajs';
import {
  ed25519HeadVerifier,
  HeadVerifier,
  registryHeadVerifier,
  SERVICE_PRINCIPAL,
  TOPICS,
} from '@customs/contracts';
import {
  AUDIT_TOPIC_NAMES,
  AUDITED_ROLES,
  buildCheckpointExport,
  CheckpointAuditor,
  CheckpointAuditReport,
  CheckpointExport,
  CheckpointHistories,
  checkpointHistories,
  CheckpointProblem,
  CheckpointRecord,
  PartitionExtent,
} from '@customs/domain';
import { loadKeyRegistry } from '@customs/messaging';
import { AuditTopic } from './audit-topics';
import { readLog, ReadOptions } from './kafka-log.reader';

export interface CheckpointKeyOptions {
  /** PEM (SPKI) Ed25519 public key of the checkpointer, instead of the key registry. */
  publicKey?: string;
  keyId?: string;
  /** The key registry file (CUSTOMS_KEY_REGISTRY_FILE, the local stack's by default). */
  keyRegistry?: string;
}

/**
 * The verifier of checkpoint signatures: every svc-audit key of the key registry (so heads
 * signed before a rotation verify), or one public key given explicitly with its key id.
 */
export function checkpointVerifier(o: CheckpointKeyOptions): HeadVerifier {
  if (o.publicKey) {
    if (!existsSync(o.publicKey)) throw new Error(`--public-key ${o.publicKey}: no such file`);
    if (!o.keyId)
      throw new Error('--public-key needs --key-id (the key id heads are signed under)');
    return ed25519HeadVerifier({ [o.keyId]: readFileSync(o.publicKey, 'utf8') });
  }
  const env = o.keyRegistry
    ? { ...process.env, CUSTOMS_KEY_REGISTRY_FILE: o.keyRegistry }
    : process.env;
  return registryHeadVerifier(loadKeyRegistry(env), SERVICE_PRINCIPAL.audit);
}

export const checkpointsTopicOf = (prefix = '') => `${prefix}${TOPICS.checkpoints}`;

/** Every record of the checkpoints topic, read into one history of heads per log. */
export async function readCheckpointHistories(
  kafka: Kafka,
  prefix: string,
  verifier: HeadVerifier | undefined,
  options: ReadOptions = {},
): Promise<CheckpointHistories> {
  const topic = checkpointsTopicOf(prefix);
  const admin = kafka.admin();
  await admin.connect();
  const exists = await admin
    .listTopics()
    .then((t) => t.includes(topic))
    .finally(() => admin.disconnect());
  const records: CheckpointRecord[] = [];
  if (exists)
    await readLog(
      kafka,
      [{ role: 'checkpoints', topic }],
      (r) => records.push({ partition: r.partition, offset: r.offset, value: r.value }),
      options,
    );
  return checkpointHistories(records, verifier);
}

export interface ExportResult {
  export: CheckpointExport;
  heads: number;
  /** Records of the checkpoints topic left out of the export, and breaks of its chains. */
  problems: CheckpointProblem[];
  signaturesChecked: boolean;
}

export async function runCheckpointExport(
  kafka: Kafka,
  prefix: string,
  verifier: HeadVerifier | undefined,
  options: ReadOptions = {},
): Promise<ExportResult> {
  const histories = await readCheckpointHistories(kafka, prefix, verifier, options);
  const exp = buildCheckpointExport(
    histories,
    checkpointsTopicOf(prefix),
    new Date().toISOString(),
  );
  return {
    export: exp,
    heads: exp.logs.reduce((n, l) => n + l.history.length, 0),
    problems: histories.problems,
    signaturesChecked: verifier !== undefined,
  };
}

export interface CheckpointVerifyReport extends CheckpointAuditReport {
  against: { exportedAt: string; logs: number; heads: number };
  /** Partitions not read to their end (an open transaction): their trees are incomplete. */
  incomplete: { topic: string; partition: number; reachedOffset: string; end: string }[];
}

const roleOf = (topic: string) =>
  AUDITED_ROLES.find((r) => topic.endsWith(AUDIT_TOPIC_NAMES[r])) ?? 'notifications';

/**
 * Re-reads every partition the export has heads of, rebuilds its tree and checks it against
 * the exported heads and the newest heads on the checkpoints topic (CheckpointAuditor).
 */
export async function runCheckpointVerify(
  kafka: Kafka,
  exp: CheckpointExport,
  prefix: string,
  verifier: HeadVerifier,
  options: ReadOptions = {},
): Promise<CheckpointVerifyReport> {
  const published = await readCheckpointHistories(kafka, prefix, verifier, options);
  const auditor = new CheckpointAuditor(exp, published, verifier);
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics().finally(() => admin.disconnect()));
  const topics: AuditTopic[] = [...new Set(exp.logs.map((l) => l.topic))]
    .filter((t) => existing.has(t))
    .map((topic) => ({ role: roleOf(topic), topic }));
  const extents: PartitionExtent[] = [];
  let incomplete: CheckpointVerifyReport['incomplete'] = [];
  if (topics.length > 0) {
    const read = await readLog(
      kafka,
      topics,
      (r) => {
        if (auditor.wants(r.topic, r.partition))
          auditor.add({
            topic: r.topic,
            partition: r.partition,
            offset: r.offset,
            key: r.key,
            value: r.value,
            headers: r.headers,
          });
      },
      options,
    );
    for (const r of read.ranges)
      extents.push({
        topic: r.topic,
        partition: r.partition,
        low: r.start.toString(),
        high: r.end.toString(),
      });
    incomplete = read.incomplete;
  }
  const report = auditor.finish(extents);
  return {
    ...report,
    ok: report.ok && incomplete.length === 0,
    against: {
      exportedAt: exp.exportedAt,
      logs: exp.logs.length,
      heads: exp.logs.reduce((n, l) => n + l.history.length, 0),
    },
    incomplete,
  };
}

export function formatCheckpointVerifyReport(r: CheckpointVerifyReport, file: string): string {
  const matching = r.logs.reduce((n, l) => n + l.matchingHeads, 0);
  const exported = r.logs.reduce((n, l) => n + l.exportedHeads, 0);
  const lines = [
    `checkpoints: ${r.against.logs} partitions exported at ${r.against.exportedAt} (${file}); ` +
      `${matching} of ${exported} exported heads reproduced from the log`,
  ];
  for (const i of r.incomplete)
    lines.push(
      `  ERROR incomplete read      ${i.topic}[${i.partition}] reached ${i.reachedOffset} of ${i.end}: the tree is incomplete`,
    );
  if (r.findings.length === 0 && r.incomplete.length === 0)
    lines.push('  the log is an append-only extension of every exported head');
  for (const f of r.findings) {
    const range =
      f.fromOffset !== null || f.toOffset !== null
        ? ` offsets ${f.fromOffset ?? '?'}..${f.toOffset ?? '?'}`
        : '';
    lines.push(
      `  ERROR ${f.kind.padEnd(28)} ${f.topic}[${f.partition}]${range}\n        ${f.message}`,
    );
  }
  return lines.join('\n');
}
