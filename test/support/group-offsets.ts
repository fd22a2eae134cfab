import { Kafka } from 'kafkajs';

/**
 * Waits until a consumer group has committed past `offset` of a partition: the records up to
 * it were handled (or dead-lettered), so their effect, or its absence, can be asserted.
 */
export async function committedPast(
  kafka: Kafka,
  groupId: string,
  topic: string,
  partition: number,
  offset: number | bigint | string,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const committed = BigInt(t.partitions.find((p) => p.partition === partition)?.offset ?? -1);
      if (committed > BigInt(offset)) return;
      if (Date.now() > deadline)
        throw new Error(`${groupId} did not commit past ${topic}/${partition}@${offset}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}
