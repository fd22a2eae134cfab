import { Admin, Kafka } from 'kafkajs';
import { AUDIT_TOPIC_NAMES as TOPICS, LogRecord, TopicRole } from '@customs/domain';
import { AUDITED_ROLES } from '../../apps/cli/src/audit/audit-topics';

export interface CopiedRecord {
  /** The original record (its position in the real log). */
  source: LogRecord;
  topic: string;
  partition: number;
  offset: string;
}

/** A run-unique prefix for scratch copies of the audited topics. */
export const scratchPrefix = (what: string) =>
  `audit-e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}-${what}.`;

/**
 * Creates the audited topics behind `prefix`, kept forever like the real ones unless
 * `overrides` say otherwise for some role.
 */
export async function createScratchTopics(
  kafka: Kafka,
  prefix: string,
  partitions: number,
  overrides: Partial<Record<TopicRole, { name: string; value: string }[]>> = {},
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = AUDITED_ROLES.map((role) => ({
      topic: `${prefix}${TOPICS[role]}`,
      numPartitions: partitions,
      replicationFactor: 1,
      configEntries: [
        { name: 'retention.ms', value: '-1' },
        { name: 'retention.bytes', value: '-1' },
        { name: 'cleanup.policy', value: 'delete' },
      ].map((c) => overrides[role]?.find((o) => o.name === c.name) ?? c),
    }));
    await admin.createTopics({ waitForLeaders: false, topics });
    await waitForLeaders(
      admin,
      topics.map((t) => t.topic),
    );
    return topics.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

/**
 * Writes records into the prefixed copies of their topics, each on its original partition
 * number and in the given order, bytes, key and headers as they were; returns where each landed.
 */
export async function copyRecords(
  kafka: Kafka,
  prefix: string,
  records: readonly LogRecord[],
): Promise<CopiedRecord[]> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const copied: CopiedRecord[] = [];
  try {
    const groups = new Map<string, LogRecord[]>();
    for (const r of records) {
      const k = `${TOPICS[r.role]}|${r.partition}`;
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    for (const [k, group] of groups) {
      const [contract, partition] = k.split('|');
      const topic = `${prefix}${contract}`;
      // One send per topic-partition: one batch, so offsets run on from its base offset.
      const [meta] = await producer.send({
        topic,
        acks: -1,
        messages: group.map((r) => ({
          partition: Number(partition),
          key: r.key,
          value: r.value === null ? null : Buffer.from(r.value),
          // Headers too: the signature travels in them (verified against the contract topic).
          headers: r.headers,
        })),
      });
      group.forEach((source, i) =>
        copied.push({
          source,
          topic,
          partition: Number(partition),
          offset: String(BigInt(meta.baseOffset ?? '0') + BigInt(i)),
        }),
      );
    }
  } finally {
    await producer.disconnect();
  }
  return copied;
}

/**
 * Waits until every partition of new topics has a leader. (kafkajs' own waitForLeaders gives
 * up when the broker's metadata does not list a topic the controller just created, which a
 * busy broker shows for a moment: UNKNOWN_TOPIC_OR_PARTITION.)
 */
export async function waitForLeaders(admin: Admin, topics: readonly string[]): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    const meta = await admin.fetchTopicMetadata({ topics: [...topics] }).catch(() => null);
    if (
      meta &&
      meta.topics.length === topics.length &&
      meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no leaders after 30 s for ${topics.join(', ')}`);
}

/**
 * The checkpoints topic of a scratch copy (one partition), made by whoever makes the copy:
 * the checkpointer's principal may create no topic. Waits until its leader answers
 * (kafkajs' own wait gives up on a topic the metadata does not list yet).
 */
export async function createScratchCheckpointsTopic(kafka: Kafka, prefix: string): Promise<string> {
  const topic = `${prefix}${TOPICS.checkpoints}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [
            { name: 'retention.ms', value: '-1' },
            { name: 'retention.bytes', value: '-1' },
            { name: 'cleanup.policy', value: 'delete' },
          ],
        },
      ],
    });
    await waitForLeaders(admin, [topic]);
    return topic;
  } finally {
    await admin.disconnect();
  }
}
