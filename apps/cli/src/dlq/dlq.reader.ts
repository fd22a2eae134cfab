import { REDRIVE_PREFIX } from '@customs/contracts';
import { Admin, Kafka } from 'kafkajs';
import { dlqTopic, KEY_ID_HEADER, SIGNATURE_HEADER } from '@customs/contracts';
import { DLQ_ORIGIN_KEY_ID_HEADER, DLQ_ORIGIN_SIGNATURE_HEADER } from '@customs/messaging';
import { readLog } from '../audit/kafka-log.reader';

/** Headers a redrive puts on a re-injected record; the transport copies them into a new dead letter. */
export const REDRIVE_OF = 'redrive-of';
export const REDRIVE_COUNT = 'redrive-count';

/** One record of a service's dead-letter topic, with where it came from and why it failed. */
export interface DeadLetter {
  service: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  /** The headers of the original record (without the transport's dlq-* ones). */
  originalHeaders: Record<string, string>;
  origin: { topic: string; partition: number; offset: string } | null;
  errorCode: string | null;
  error: string | null;
  deadLetteredBy: string | null;
  /** Kafka timestamp of the dead letter (ISO-8601). */
  at: string | null;
  /** How many times the original was re-driven before it failed this time. */
  redriveCount: number;
  /** A dead letter of a re-driven record names the dead letter it was re-driven from. */
  redriveOf: string | null;
  /** Behind the redrive cursor: re-driven (or passed over) by an earlier redrive. */
  redriven: boolean;
}

/** The consumer group whose committed offset on the DLQ topic is the redrive cursor. */
export const redriveGroup = (service: string) => `${REDRIVE_PREFIX}${service}`;

/** The redrive cursor of each DLQ partition: the first offset no redrive has handled yet. */
export async function redriveCursor(admin: Admin, service: string): Promise<Map<number, bigint>> {
  const topic = dlqTopic(service);
  const cursor = new Map<number, bigint>();
  const [committed] = await admin.fetchOffsets({ groupId: redriveGroup(service), topics: [topic] });
  for (const p of committed?.partitions ?? [])
    if (Number(p.offset) >= 0) cursor.set(p.partition, BigInt(p.offset));
  return cursor;
}

export function toDeadLetter(
  service: string,
  r: {
    topic: string;
    partition: number;
    offset: string;
    key: string | null;
    value: Buffer | string | null;
    timestamp?: string;
    headers?: Record<string, string>;
  },
  cursor: ReadonlyMap<number, bigint>,
): DeadLetter {
  const h = r.headers ?? {};
  // The dead letter is signed by the service that wrote it; the original's signature, which a
  // redrive puts back so that the re-injected bytes verify as what they were, travels beside it.
  const originalHeaders: Record<string, string> = Object.fromEntries(
    Object.entries(h).filter(
      ([k]) => !k.startsWith('dlq-') && k !== SIGNATURE_HEADER && k !== KEY_ID_HEADER,
    ),
  );
  if (h[DLQ_ORIGIN_SIGNATURE_HEADER] !== undefined)
    originalHeaders[SIGNATURE_HEADER] = h[DLQ_ORIGIN_SIGNATURE_HEADER];
  if (h[DLQ_ORIGIN_KEY_ID_HEADER] !== undefined)
    originalHeaders[KEY_ID_HEADER] = h[DLQ_ORIGIN_KEY_ID_HEADER];
  const originTopic = h['dlq-origin-topic'];
  const originPartition = Number(h['dlq-origin-partition']);
  const originOffset = h['dlq-origin-offset'];
  return {
    service,
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    key: r.key,
    value: r.value === null ? null : Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value),
    originalHeaders,
    origin:
      originTopic && Number.isInteger(originPartition) && originOffset
        ? { topic: originTopic, partition: originPartition, offset: originOffset }
        : null,
    errorCode: h['dlq-error-code'] ?? null,
    error: h['dlq-error'] ?? null,
    deadLetteredBy: h['dlq-service'] ?? null,
    at: r.timestamp ? new Date(Number(r.timestamp)).toISOString() : null,
    redriveCount: Number(h[REDRIVE_COUNT] ?? 0) || 0,
    redriveOf: h[REDRIVE_OF] ?? null,
    redriven: BigInt(r.offset) < (cursor.get(r.partition) ?? 0n),
  };
}

/** Every dead letter of a service (from the first one kept), marked re-driven or not. */
export async function readDeadLetters(
  kafka: Kafka,
  service: string,
  from?: ReadonlyMap<number, bigint>,
): Promise<DeadLetter[]> {
  const topic = dlqTopic(service);
  const admin = kafka.admin();
  await admin.connect();
  let cursor: Map<number, bigint>;
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    cursor = await redriveCursor(admin, service);
  } finally {
    await admin.disconnect();
  }
  const letters: DeadLetter[] = [];
  const startOffsets = from
    ? new Map([[topic, new Map([...from].map(([p, o]) => [p, o.toString()]))]])
    : undefined;
  await readLog(
    kafka,
    [{ role: 'notifications', topic }],
    (r) => letters.push(toDeadLetter(service, r, cursor)),
    { startOffsets, idleTimeoutMs: 10000 },
  );
  return letters.sort(
    (a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
  );
}
