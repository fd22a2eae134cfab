import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { dlqTopic, MalformedEnvelopeError, parseEnvelope } from '@customs/contracts';
import { lastValueFrom } from 'rxjs';
import {
  Consumer,
  EachBatchPayload,
  IHeaders,
  Kafka,
  KafkaMessage,
  Message,
  Producer,
} from 'kafkajs';
import { createKafka } from './kafka-client.factory';
import { KafkaEventContext, KafkaRecordMeta } from './kafka-event.context';
import { MalformedRecord, OutgoingRecord } from './outgoing-record';
import { childTraceparent } from './trace-context';
import { NOOP_OBSERVER, RecordContext, TransportObserver } from './transport-observer';

export interface KafkaTransportOptions {
  service: string;
  version: string;
  brokers: string[];
  /** Consumer group: one per service, shared by its replicas. */
  groupId: string;
  /** Stable per replica, so that a restarted replica fences its own zombie. */
  transactionalId: string;
  /** Attempts before a failing record goes to the dead-letter topic. */
  maxAttempts?: number;
  retryBackoffMs?: number;
  /** Most records processed before their outputs and offsets are committed. */
  maxBatchRecords?: number;
  /** Partitions processed at once; each runs its own transaction producer. */
  partitionsConcurrently?: number;
  observer?: TransportObserver;
}

/** A record ready for the wire. */
interface WireRecord {
  topic: string;
  key: string;
  value: string | Buffer | null;
  headers: Record<string, string>;
}

type Handler = ((data: unknown, ctx: KafkaEventContext) => Promise<unknown>) & {
  extras?: Record<string, unknown>;
};

/** Errors of the store or broker: the record is not at fault, so retry without end. */
function isInfrastructureError(error: unknown): boolean {
  const name = (error as Error | undefined)?.name ?? '';
  return /^Mongo(Network|ServerSelection|NotConnected|PoolCleared)|^KafkaJS(Connection|RequestTimeout|NumberOfRetriesExceeded)/.test(
    name,
  );
}

function headersToRecord(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Nest transport strategy over kafkajs. Handlers stay `@EventPattern(topic)`; what they
 * return (OutgoingRecord[]) is published in one Kafka transaction together with the
 * consumed offsets, so readers with read_committed see each output exactly once per commit.
 * Records are handled in partition order; a record that keeps failing goes to the
 * service's dead-letter topic with its origin, and the partition moves on.
 */
export class KafkaTransport extends Server implements CustomTransportStrategy {
  private readonly kafka: Kafka;
  private consumer?: Consumer;
  private readonly producers = new Map<number, Producer>();
  private readonly opts: Required<KafkaTransportOptions>;
  private closing = false;
  private lastHeartbeat = 0;
  private crashed: string | null = null;

  constructor(options: KafkaTransportOptions) {
    super();
    this.opts = {
      maxAttempts: 3,
      retryBackoffMs: 200,
      maxBatchRecords: 500,
      partitionsConcurrently: 1,
      observer: NOOP_OBSERVER,
      ...options,
    };
    this.kafka = createKafka(`${options.service}-${options.transactionalId}`, options.brokers);
  }

  on(): void {
    // kafkajs reports through its logger; no status events are exposed.
  }

  unwrap<T>(): T {
    return this.kafka as T;
  }

  async listen(callback: (...params: unknown[]) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async producerFor(slot: number): Promise<Producer> {
    let producer = this.producers.get(slot);
    if (!producer) {
      producer = this.kafka.producer({
        transactionalId: `${this.opts.transactionalId}-${slot}`,
        idempotent: true,
        maxInFlightRequests: 1,
        // Idempotence needs unbounded producer retries (kafkajs warns otherwise).
        retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30000 },
      });
      await producer.connect();
      this.producers.set(slot, producer);
    }
    return producer;
  }

  private async start(): Promise<void> {
    const topics = [...this.messageHandlers.keys()];
    // One transactional producer per concurrently processed partition slot.
    for (let slot = 0; slot < this.opts.partitionsConcurrently; slot++)
      await this.producerFor(slot);
    const consumer = this.kafka.consumer({
      groupId: this.opts.groupId,
      readUncommitted: false,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.HEARTBEAT, () => (this.lastHeartbeat = Date.now()));
    consumer.on(consumer.events.GROUP_JOIN, () => (this.lastHeartbeat = Date.now()));
    consumer.on(
      consumer.events.CRASH,
      (e) => (this.crashed = String(e.payload.error?.message ?? 'crashed')),
    );
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) =>
      this.opts.observer.lag(
        e.payload.topic,
        e.payload.partition,
        Number(e.payload.offsetLagLow ?? e.payload.offsetLag),
      ),
    );
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const freeSlots = Array.from({ length: this.opts.partitionsConcurrently }, (_, i) => i);
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConcurrently,
      eachBatch: async (payload) => {
        const slot = freeSlots.pop() ?? 0;
        try {
          await this.processBatch(payload, await this.producerFor(slot));
        } finally {
          freeSlots.push(slot);
        }
      },
    });
    this.logger.log(`consuming ${topics.join(', ')} as group ${this.opts.groupId}`);
  }

  private async processBatch(payload: EachBatchPayload, producer: Producer): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    let pending: WireRecord[] = [];
    let lastOffset: string | null = null;
    let count = 0;

    const flush = async () => {
      if (lastOffset === null) return;
      const next = (BigInt(lastOffset) + 1n).toString();
      const tx = await producer.transaction();
      try {
        const byTopic = new Map<string, Message[]>();
        for (const r of pending) {
          const list = byTopic.get(r.topic) ?? [];
          list.push({ key: r.key, value: r.value, headers: r.headers });
          byTopic.set(r.topic, list);
        }
        if (byTopic.size > 0) {
          await tx.sendBatch({
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          });
        }
        await tx.sendOffsets({
          consumerGroupId: this.opts.groupId,
          topics: [
            { topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] },
          ],
        });
        await tx.commit();
      } catch (error) {
        await tx.abort().catch(() => undefined);
        throw error;
      }
      resolveOffset(lastOffset);
      pending = [];
      lastOffset = null;
      count = 0;
    };

    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.closing) break;
      const outputs = await this.processRecord(batch.topic, batch.partition, message, heartbeat);
      pending.push(...outputs);
      lastOffset = message.offset;
      if (++count >= this.opts.maxBatchRecords) {
        await flush();
        await heartbeat();
      }
    }
    await flush();
  }

  private async processRecord(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<WireRecord[]> {
    const handler = this.messageHandlers.get(topic) as Handler | undefined;
    const meta: KafkaRecordMeta = {
      topic,
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString('utf8') : null,
      headers: headersToRecord(message.headers),
    };
    if (!handler) return [];
    const ctx = new KafkaEventContext([meta]);
    const started = process.hrtime.bigint();
    const recordCtx: RecordContext = { topic, partition, offset: message.offset };

    let data: unknown;
    try {
      data = parseEnvelope(message.value);
      recordCtx.envelope = data as RecordContext['envelope'];
    } catch (error) {
      if (!(error instanceof MalformedEnvelopeError)) throw error;
      if (handler.extras?.malformed !== 'deliver')
        return [this.deadLetter(meta, message, error, recordCtx)];
      const malformed: MalformedRecord = {
        malformed: true,
        code: error.code,
        error: error.message,
        key: meta.key,
        value: message.value ? message.value.toString('utf8') : null,
      };
      data = malformed;
    }

    return this.opts.observer.withRecord(recordCtx, () =>
      this.handleWithRetries(handler, data, ctx, meta, message, recordCtx, started, heartbeat),
    );
  }

  private async handleWithRetries(
    handler: Handler,
    data: unknown,
    ctx: KafkaEventContext,
    meta: KafkaRecordMeta,
    message: KafkaMessage,
    recordCtx: RecordContext,
    started: bigint,
    heartbeat: () => Promise<void>,
  ): Promise<WireRecord[]> {
    const { topic, partition } = meta;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await lastValueFrom(this.transformToObservable(await handler(data, ctx)), {
          defaultValue: undefined,
        });
        const records = (Array.isArray(result) ? result : []) as OutgoingRecord[];
        this.opts.observer.processed(
          recordCtx,
          Number(process.hrtime.bigint() - started) / 1e9,
          records,
        );
        const traceparent = childTraceparent(meta.headers.traceparent);
        return records.map((r) => ({
          topic: r.topic,
          key: r.key,
          value: JSON.stringify(r.value),
          headers: { 'content-type': 'application/json', traceparent, ...r.headers },
        }));
      } catch (error) {
        const retryable = (error as { retryable?: boolean }).retryable !== false;
        const infra = isInfrastructureError(error);
        const giveUp = !infra && (!retryable || attempt >= this.opts.maxAttempts);
        this.opts.observer.failed(recordCtx, error, !giveUp);
        if (giveUp) {
          this.logger.error(
            `dead-lettering ${topic}/${partition}@${message.offset}: ${(error as Error)?.message ?? String(error)}`,
          );
          return [this.deadLetter(meta, message, error as Error, recordCtx)];
        }
        if (this.closing) throw error;
        const backoff = Math.min(this.opts.retryBackoffMs * 2 ** Math.min(attempt - 1, 6), 10000);
        this.logger.warn(
          `retrying ${topic}/${partition}@${message.offset} in ${backoff} ms: ${(error as Error).message}`,
        );
        await sleep(backoff);
        await heartbeat();
      }
    }
  }

  /** The original bytes, untouched, with where they came from and why they failed. */
  private deadLetter(
    meta: KafkaRecordMeta,
    message: KafkaMessage,
    error: Error,
    recordCtx: RecordContext,
  ): WireRecord {
    this.opts.observer.deadLettered(
      recordCtx,
      String((error as MalformedEnvelopeError)?.code ?? error?.name ?? 'Error'),
    );
    return {
      topic: dlqTopic(this.opts.service),
      key: meta.key ?? '',
      value: message.value,
      headers: {
        ...meta.headers,
        'dlq-origin-topic': meta.topic,
        'dlq-origin-partition': String(meta.partition),
        'dlq-origin-offset': meta.offset,
        'dlq-error': String(error?.message ?? error).slice(0, 1000),
        'dlq-error-code': String((error as MalformedEnvelopeError)?.code ?? error?.name ?? 'Error'),
        'dlq-service': `${this.opts.service}@${this.opts.version}`,
      },
    };
  }

  /** Ready when the consumer has joined its group and heartbeats, and has not crashed. */
  health(): { consuming: boolean; detail: string } {
    if (this.crashed) return { consuming: false, detail: `consumer crashed: ${this.crashed}` };
    if (!this.lastHeartbeat)
      return { consuming: false, detail: 'consumer has not joined its group yet' };
    const age = Date.now() - this.lastHeartbeat;
    return age < 60000
      ? { consuming: true, detail: `last heartbeat ${age} ms ago` }
      : { consuming: false, detail: `no heartbeat for ${age} ms` };
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.consumer?.disconnect().catch(() => undefined);
    for (const producer of this.producers.values())
      await producer.disconnect().catch(() => undefined);
    this.producers.clear();
  }
}
