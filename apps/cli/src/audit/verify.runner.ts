import { Admin, ConfigResourceTypes, Kafka } from 'kafkajs';
import {
  AuditCounts,
  AuditFinding,
  AuditScope,
  AUTHORSHIP_FINDING_CODES,
  DECLARATION_ROLES,
  EXTERNAL_CAUSE_ROLES,
  LogAuditor,
} from '@customs/domain';
import { KeyRegistry } from '@customs/contracts';
import { AuditTopic } from './audit-topics';
import { readLog, ReadOptions } from './kafka-log.reader';

export interface TopicSettings {
  topic: string;
  role: string;
  exists: boolean;
  partitions?: number;
  retentionMs?: string;
  retentionBytes?: string;
  cleanupPolicy?: string;
}

export interface VerifyReport {
  ok: boolean;
  scope: AuditScope;
  topics: TopicSettings[];
  counts: AuditCounts & { errors: number; warnings: number };
  findings: AuditFinding[];
  durationMs: number;
  eventsPerSecond: number;
}

const topicFinding = (
  topic: string,
  code: AuditFinding['code'],
  message: string,
  severity: AuditFinding['severity'] = 'error',
): AuditFinding => ({
  severity,
  code,
  message,
  topic,
  partition: null,
  offset: null,
  mrn: null,
  lrn: null,
});

/**
 * Topic settings that could lose audit records: time or size retention, compaction; and a
 * partition count that differs between declaration topics (one MRN, one partition number).
 */
export async function checkTopicSettings(
  admin: Admin,
  topics: readonly AuditTopic[],
): Promise<{ settings: TopicSettings[]; findings: AuditFinding[] }> {
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t.topic));
  const findings: AuditFinding[] = [];
  const settings: TopicSettings[] = topics.map((t) => ({
    topic: t.topic,
    role: t.role,
    exists: existing.has(t.topic),
  }));
  for (const t of topics.filter((x) => !existing.has(x.topic))) {
    const mustExist = DECLARATION_ROLES.includes(t.role);
    findings.push(
      topicFinding(
        t.topic,
        'TOPIC_MISSING',
        mustExist
          ? `declaration topic ${t.topic} does not exist`
          : `topic ${t.topic} does not exist: its records cannot be cross-checked`,
        mustExist ? 'error' : 'warning',
      ),
    );
  }
  if (present.length === 0) return { settings, findings };
  const metadata = await admin.fetchTopicMetadata({ topics: present.map((t) => t.topic) });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((t) => ({
      type: ConfigResourceTypes.TOPIC,
      name: t.topic,
      configNames: ['retention.ms', 'retention.bytes', 'cleanup.policy'],
    })),
  });
  for (const s of settings.filter((x) => x.exists)) {
    s.partitions = metadata.topics.find((m) => m.name === s.topic)?.partitions.length;
    const entries =
      described.resources.find((r) => r.resourceName === s.topic)?.configEntries ?? [];
    const value = (name: string) => entries.find((e) => e.configName === name)?.configValue;
    s.retentionMs = value('retention.ms');
    s.retentionBytes = value('retention.bytes');
    s.cleanupPolicy = value('cleanup.policy');
    const audited = [...DECLARATION_ROLES, ...EXTERNAL_CAUSE_ROLES].some((r) => r === s.role);
    if (!audited) continue;
    if (s.retentionMs !== undefined && s.retentionMs !== '-1')
      findings.push(
        topicFinding(
          s.topic,
          'TOPIC_RETENTION',
          `retention.ms=${s.retentionMs}: records older than that are deleted (audit topics need -1)`,
        ),
      );
    if (s.retentionBytes !== undefined && s.retentionBytes !== '-1')
      findings.push(
        topicFinding(
          s.topic,
          'TOPIC_RETENTION',
          `retention.bytes=${s.retentionBytes}: old records are deleted past that size (audit topics need -1)`,
        ),
      );
    if (s.cleanupPolicy?.split(',').some((p) => p.trim() === 'compact'))
      findings.push(
        topicFinding(
          s.topic,
          'TOPIC_COMPACTION',
          `cleanup.policy=${s.cleanupPolicy}: compaction keeps only the last record per key`,
        ),
      );
  }
  const counts = settings.filter(
    (s) => s.exists && s.partitions !== undefined && DECLARATION_ROLES.some((r) => r === s.role),
  );
  const distinct = new Set(counts.map((s) => s.partitions));
  if (distinct.size > 1)
    for (const s of counts)
      findings.push(
        topicFinding(
          s.topic,
          'PARTITION_COUNT_MISMATCH',
          `${s.partitions} partitions; declaration topics have ${[...distinct].join(' and ')}: one MRN no longer lands on one partition number`,
        ),
      );
  return { settings, findings };
}

/**
 * Where the services' dead-letter topics say they quarantined a record: `topic:partition:offset`
 * of the origin -> who dead-lettered it and why. Anyone with write access can put junk on a
 * topic; the pipeline quarantines it, and the audit says so rather than calling it tampering.
 */
export async function readQuarantine(
  kafka: Kafka,
  dlqTopics: readonly string[],
  read: ReadOptions = {},
): Promise<Map<string, string>> {
  const quarantined = new Map<string, string>();
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin.disconnect();
  const present = dlqTopics
    .filter((t) => existing.has(t))
    .map((topic) => ({ role: 'notifications' as const, topic }));
  if (present.length === 0) return quarantined;
  await readLog(
    kafka,
    present,
    (r) => {
      const h = r.headers ?? {};
      if (h['dlq-origin-topic'] && h['dlq-origin-partition'] && h['dlq-origin-offset']) {
        quarantined.set(
          `${h['dlq-origin-topic']}:${h['dlq-origin-partition']}:${h['dlq-origin-offset']}`,
          `dead-lettered by ${h['dlq-service'] ?? r.topic} (${h['dlq-error-code'] ?? 'error'}: ${h['dlq-error'] ?? ''})`,
        );
      }
    },
    { idleTimeoutMs: read.idleTimeoutMs },
  );
  return quarantined;
}

/** Reads the log straight from Kafka and audits it (no service, no database involved). */
export async function runVerify(
  kafka: Kafka,
  topics: readonly AuditTopic[],
  scope: AuditScope,
  read: ReadOptions = {},
  dlqTopics: readonly string[] = [],
  /** Every record's signature and signer are checked against this (DESIGN.md "Trust"). */
  registry?: KeyRegistry,
): Promise<VerifyReport> {
  const started = Date.now();
  const admin = kafka.admin();
  await admin.connect();
  let settings: Awaited<ReturnType<typeof checkTopicSettings>>;
  try {
    settings = await checkTopicSettings(admin, topics);
  } finally {
    await admin.disconnect();
  }
  const readable = topics.filter((t) => settings.settings.find((s) => s.topic === t.topic)?.exists);
  const auditor = new LogAuditor({ registry });
  const result = await readLog(kafka, readable, (r) => auditor.add(r), read);
  const audited = auditor.finish(scope);
  const quarantine = await readQuarantine(kafka, dlqTopics, read);
  // A finding at a record the pipeline itself quarantined is a warning that names the DLQ;
  // except authorship: a record no allowed principal signed is someone writing where they
  // should not, an error even though no consumer applied it.
  for (const f of audited.findings) {
    const why =
      f.topic !== null && f.partition !== null && f.offset !== null
        ? quarantine.get(`${f.topic}:${f.partition}:${f.offset}`)
        : undefined;
    if (!why) continue;
    const authorship = (AUTHORSHIP_FINDING_CODES as readonly string[]).includes(f.code);
    Object.assign(f, {
      severity: authorship ? f.severity : 'warning',
      message: `${f.message} (quarantined: ${why})`,
    });
  }
  const findings = [
    ...settings.findings,
    ...result.incomplete.map((i) =>
      topicFinding(
        i.topic,
        'READ_INCOMPLETE',
        `partition ${i.partition} read to offset ${i.reachedOffset} of ${i.end}: no progress (an open transaction?)`,
      ),
    ),
    ...audited.findings,
  ];
  const durationMs = Date.now() - started;
  const errors = findings.filter((f) => f.severity === 'error').length;
  return {
    ok: errors === 0,
    scope,
    topics: settings.settings,
    counts: { ...audited.counts, errors, warnings: findings.length - errors },
    findings,
    durationMs,
    eventsPerSecond: Math.round((audited.counts.records / Math.max(durationMs, 1)) * 1000),
  };
}
