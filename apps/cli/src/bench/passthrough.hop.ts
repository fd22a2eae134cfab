import { kafkaSecurityFromEnv } from '@customs/messaging';
import { Kafka, logLevel } from 'kafkajs';

/*
 * One no-op hop of the passthrough baseline, run as its own process like a pipeline stage:
 * consume a scratch topic, produce each record to the next one resized to the size the
 * pipeline's record has at that hop, commit. With BENCH_TX=1 outputs and offsets go in one
 * transaction per batch, as the pipeline's transport does; else plain acks=-1 sends and
 * offset commits. Prints READY once it has joined its group.
 */
const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`passthrough hop: ${name} is not set`);
  return v;
};

async function main(): Promise<void> {
  const from = env('BENCH_FROM');
  const to = env('BENCH_TO');
  const groupId = env('BENCH_GROUP');
  const size = Number(env('BENCH_SIZE'));
  const transactional = process.env.BENCH_TX === '1';
  const kafka = new Kafka({
    clientId: groupId,
    brokers: env('BENCH_BROKERS').split(','),
    ...kafkaSecurityFromEnv(),
    logLevel: logLevel.NOTHING,
  });
  const producer = transactional
    ? kafka.producer({
        transactionalId: `${groupId}-tx`,
        idempotent: true,
        maxInFlightRequests: 1,
        retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30000 },
      })
    : kafka.producer();
  await producer.connect();
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [from], fromBeginning: true });
  consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write('READY\n'));
  const pad = 'x'.repeat(Math.max(0, size));
  const resize = (v: Buffer | null): string => {
    const s = v ? v.toString('utf8') : '';
    return s.length >= size ? s.slice(0, size) : s + pad.slice(0, size - s.length);
  };
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      // Same flush unit as the pipeline's transport: at most 500 records per commit.
      for (let i = 0; i < batch.messages.length; i += 500) {
        const slice = batch.messages.slice(i, i + 500);
        const messages = slice.map((m) => ({
          key: m.key,
          value: resize(m.value),
          headers: m.headers,
        }));
        const last = slice[slice.length - 1].offset;
        const offsets = {
          topics: [
            {
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
            },
          ],
        };
        if (transactional) {
          const tx = await producer.transaction();
          await tx.send({ topic: to, messages });
          await tx.sendOffsets({ consumerGroupId: groupId, ...offsets });
          await tx.commit();
        } else {
          await producer.send({ topic: to, acks: -1, messages });
          await consumer.commitOffsets(
            offsets.topics[0].partitions.map((p) => ({ topic: batch.topic, ...p })),
          );
        }
        resolveOffset(last);
        await heartbeat();
      }
    },
  });
  const stop = async () => {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: Error) => {
  process.stderr.write(`passthrough hop: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
