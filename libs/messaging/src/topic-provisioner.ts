import { ALL_TOPICS, dlqTopic, SERVICES } from '@customs/contracts';
import { Admin } from 'kafkajs';

/** Audit topics are never deleted by time or compacted (DESIGN.md). */
export const AUDIT_TOPIC_CONFIG = [
  { name: 'retention.ms', value: '-1' },
  { name: 'retention.bytes', value: '-1' },
  { name: 'cleanup.policy', value: 'delete' },
];

export function contractTopics(): string[] {
  return [...ALL_TOPICS, ...SERVICES.map(dlqTopic)];
}

/**
 * Creates every contract topic that is missing, all with the same partition count so that
 * one MRN lands on the same partition number everywhere. Existing topics are left alone.
 */
export async function ensureTopics(
  admin: Admin,
  partitions: number,
  replicationFactor: number,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = contractTopics().filter((t) => !existing.has(t));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: partitions,
        replicationFactor,
        configEntries: AUDIT_TOPIC_CONFIG,
      })),
    });
  } catch (error) {
    // Another replica created them at the same moment: fine, as long as they now exist.
    const now = new Set(await admin.listTopics());
    if (missing.some((t) => !now.has(t))) throw error;
  }
  return missing;
}

/**
 * A service checks that the topics it uses exist; it may not create them (its principal has
 * no CREATE: topics are the administration's, made by `customs stack up` locally and by the
 * deployment's KafkaTopic resources in a cluster).
 */
export async function requireTopics(admin: Admin, topics: readonly string[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0)
    throw new Error(
      `Kafka topics missing (or not visible to this principal): ${missing.join(', ')}; create them with \`customs stack up\` or the deployment's KafkaTopic resources`,
    );
}
