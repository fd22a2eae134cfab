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
