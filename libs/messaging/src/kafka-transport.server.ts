import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import {
  dlqTopic,
  EventEnvelope,
  KEY_ID_HEADER,
  KeyRegistry,
  MalformedEnvelopeError,
  parseEnvelope,
  RecordSigner,
  SIGNATURE_HEADER,
  signRecord,
} from '@customs/contracts';
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
import { PARTITION_ASSIGNERS, PartitionNumberLocks } from './co-partitioned.assigner';
import { KafkaEventContext, KafkaRecordMeta } from './kafka-event.context';
import { BatchItem, MalformedBatchItem } from './batch-item';
import { MalformedRecord, OutgoingRecord } from './outgoing-record';
import { checkRecordTrust } from './record-signing';
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
  /** Longest time records wait for their commit (latency bound for slow handlers). */
  maxBatchMillis?: number;
  /**
   * Partitions processed at once; each runs its own transaction producer. Two topics carry
   * one declaration's records on the same partition number (keyed by MRN), so batches of one
   * partition number are handled one at a time (PartitionNumberLocks), and the assignor gives
   * a partition number of every topic to one replica: one writer per declaration.
   */
  partitionsConcurrently?: number;
  /**
   * Which handlers this consumer drives: those whose `@EventPattern` extras name this
   * `group` (undefined: those that name none). A service splits a slow read model off its
   * decisions this way, each in its own consumer group with its own offsets.
   */
  handlerGroup?: string;
  observer?: TransportObserver;
  /** Signs every record this transport publishes (outputs and dead letters). */
  signer: RecordSigner;
  /** Public keys every consumed record is checked against before a handler sees it. */
  registry: KeyRegistry;
}

/** A record whose signature or signer fails: dead-lettered with the code, never handled. */
export class UntrustedRecordError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UntrustedRecordError';
  }
}

/** Dead letters keep the original signature under these names (the DLQ record is signed anew). */
export const DLQ_ORIGIN_SIGNATURE_HEADER = 'dlq-origin-signature';
export const DLQ_ORIGIN_KEY_ID_HEADER = 'dlq-origin-key-id';

/** What the checks at the door make of a consumed record. */
type Admitted =
  | { kind: 'envelope'; envelope: EventEnvelope }
  | { kind: 'malformed'; error: MalformedEnvelopeError }
  | { kind: 'refused'; deadLetter: WireRecord };

function malformedRecord(
  meta: KafkaRecordMeta,
  message: KafkaMessage,
  error: MalformedEnvelopeError,
): MalformedRecord {
  return {
    malformed: true,
    code: error.code,
    error: error.message,
    key: meta.key,
    value: message.value ? message.value.toString('utf8') : null,
  };
}

/**
 * The coordinator answers CONCURRENT_TRANSACTIONS while it still writes the markers of this
 * producer's previous commit; the Java client retries it, kafkajs does not for
 * AddOffsetsToTxn. A short retry here saves recreating the producer and re-reading the batch.
 * (The failed request changed nothing in the transaction, so it can simply be sent again.)
 */
async function retryConcurrentTransactions<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if ((error as { type?: string }).type !== 'CONCURRENT_TRANSACTIONS' || attempt >= 8)
        throw error;
      await sleep(5 * 2 ** attempt);
    }
  }
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

const INFRA_NAME =
  /^Mongo(Network|NetworkTimeout|ServerSelection|NotConnected|PoolCleared|TopologyClosed|ServerClosed)Error$|^KafkaJS(Connection|ConnectionClosed|RequestTimeout|NumberOfRetriesExceeded|BrokerNotFound|LockTimeout|Timeout)Error$/;
const INFRA_CODE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
/** Server-side labels of the MongoDB driver for a failure of the server, not of the request. */
const INFRA_LABELS = ['ResetPool', 'RetryableWriteError', 'TransientTransactionError'];

/**
 * Errors of the store or broker: the record is not at fault, so retry without end (and never
 * dead-letter: a store or broker outage would otherwise empty the partition into the DLQ).
 * Covers what was seen with FerretDB killed (mongoose's `MongooseError: Operation ...
 * buffering timed out`, driver network / pool / selection errors, `MongoTopologyClosedError`
 * when the connection is being closed) and with the broker restarted (kafkajs connection,
 * timeout and retriable protocol errors), also when wrapped as the `cause` of another error.
 */
export function isInfrastructureError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as {
    name?: string;
    message?: string;
    code?: unknown;
    retriable?: boolean;
    cause?: unknown;
    originalError?: unknown;
    errorLabels?: unknown;
    errorLabelSet?: unknown;
  };
  const name = e.name ?? '';
  if (INFRA_NAME.test(name)) return true;
  // Mongoose buffers operations while disconnected and gives up after bufferTimeoutMS.
  if (
    name === 'MongooseError' &&
    /buffering timed out|Connection was force closed|client was closed/i.test(e.message ?? '')
  )
    return true;
  if (/^Mongo/.test(name)) {
    const labels =
      e.errorLabelSet instanceof Set
        ? [...(e.errorLabelSet as Set<string>)]
        : Array.isArray(e.errorLabels)
          ? (e.errorLabels as string[])
          : [];
    if (labels.some((l) => INFRA_LABELS.includes(l))) return true;
  }
  // kafkajs marks the errors worth retrying (leader moved, coordinator loading, not enough replicas).
  if (/^KafkaJS/.test(name) && e.retriable === true) return true;
  if (typeof e.code === 'string' && INFRA_CODE.has(e.code)) return true;
  return (
    isInfrastructureError(e.cause, depth + 1) || isInfrastructureError(e.originalError, depth + 1)
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

/**
 * A transaction (begin, send, sendOffsets, commit) that failed: its outcome is unknown and
 * kafkajs may leave the producer stuck mid-commit, so the slot must be recovered.
 */
class FlushFailedError extends Error {
  constructor(override readonly cause: unknown) {
    super(`transaction failed: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'FlushFailedError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Most time a SIGTERM waits for the in-flight batch before the transport lets go anyway. */
const SHUTDOWN_GRACE_MS = 20000;

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
  private readonly opts: Required<Omit<KafkaTransportOptions, 'handlerGroup'>> &
    Pick<KafkaTransportOptions, 'handlerGroup'>;
  private closing = false;
  /** Resolves when close() begins: wakes a retry back-off so the batch is abandoned at once. */
  private closingSignal!: Promise<void>;
  private signalClosing!: () => void;
  private lastHeartbeat = 0;
  private crashed: string | null = null;

  constructor(options: KafkaTransportOptions) {
    super();
    this.opts = {
      maxAttempts: 3,
      retryBackoffMs: 200,
      maxBatchRecords: 500,
      maxBatchMillis: 1000,
      partitionsConcurrently: 1,
      observer: NOOP_OBSERVER,
      ...options,
    };
    this.kafka = createKafka(`${options.service}-${options.transactionalId}`, options.brokers);
    this.closingSignal = new Promise<void>((r) => (this.signalClosing = r));
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
      try {
        await producer.connect();
      } catch (error) {
        // Not kept: let go of its connections, the next call makes a new one.
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      this.producers.set(slot, producer);
    }
    return producer;
  }

  /** The topics whose handlers belong to this consumer's handler group. */
  topics(): string[] {
    return [...this.messageHandlers.entries()]
      .filter(([, h]) => (h as Handler).extras?.group === this.opts.handlerGroup)
      .map(([topic]) => topic);
  }

  private async start(): Promise<void> {
    const topics = this.topics();
    if (topics.length === 0) throw new Error(`no handlers in group ${this.opts.handlerGroup}`);
    const concurrency = this.opts.partitionsConcurrently;
    // One transactional producer per concurrently processed partition slot.
    for (let slot = 0; slot < concurrency; slot++) await this.producerFor(slot);
    const consumer = this.kafka.consumer({
      groupId: this.opts.groupId,
      readUncommitted: false,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: 4 * 1024 * 1024,
      partitionAssigners: PARTITION_ASSIGNERS,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.HEARTBEAT, () => (this.lastHeartbeat = Date.now()));
    // A crash kafkajs restarts from (the broker went away) is not fatal: readiness follows
    // the rejoin. Only a crash without restart leaves the replica unready for good.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.lastHeartbeat = Date.now();
      this.crashed = null;
    });
    consumer.on(consumer.events.CRASH, (e) => {
      const why = String(e.payload.error?.message ?? 'crashed');
      if (e.payload.restart) this.lastHeartbeat = 0;
      else this.crashed = why;
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) =>
      this.opts.observer.lag(
        e.payload.topic,
        e.payload.partition,
        Number(e.payload.offsetLagLow ?? e.payload.offsetLag),
      ),
    );
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const freeSlots = Array.from({ length: concurrency }, (_, i) => i);
    const partitionLocks = new PartitionNumberLocks();
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: concurrency,
      eachBatch: async (payload) => {
        await partitionLocks.run(payload.batch.partition, async () => {
          const slot = freeSlots.pop() ?? 0;
          try {
            await this.processBatch(payload, await this.producerFor(slot));
          } catch (error) {
            if (!(error instanceof FlushFailedError) || this.closing) throw error;
            // The failed part was not resolved; re-read the partition from what is committed.
            await this.recoverSlot(slot, payload, error);
          } finally {
            freeSlots.push(slot);
          }
        });
      },
    });
    this.logger.log(
      `consuming ${topics.join(', ')} as group ${this.opts.groupId}, ${concurrency} partition(s) at a time`,
    );
  }

  /**
   * After a failed transaction: replace the slot's producer (a new one with the same
   * transactionalId runs InitProducerId, which fences the old one and lets the coordinator
   * finish or abort its transaction; kafkajs cannot abort a producer left in COMMITTING),
   * then seek the partition to its committed offset, since the commit may have landed
   * although the client saw an error (re-reading from memory would publish twice).
   * Retries while the broker is away; if the batch is abandoned instead, the throw makes
   * kafkajs restart the consumer, which reads the committed offsets too.
   */
  private async recoverSlot(
    slot: number,
    payload: EachBatchPayload,
    failure: FlushFailedError,
  ): Promise<void> {
    const { topic, partition } = payload.batch;
    this.logger.warn(
      `${failure.message} on ${topic}/${partition}: recreating producer ${this.opts.transactionalId}-${slot} and re-reading from the committed offset`,
    );
    for (let attempt = 1; ; attempt++) {
      if (this.closing || !payload.isRunning()) throw failure.cause;
      try {
        const old = this.producers.get(slot);
        this.producers.delete(slot);
        if (old) await old.disconnect().catch(() => undefined);
        await this.producerFor(slot);
        const admin = this.kafka.admin();
        await admin.connect();
        try {
          const [committed] = await admin.fetchOffsets({
            groupId: this.opts.groupId,
            topics: [topic],
          });
          const offset = committed?.partitions.find((p) => p.partition === partition)?.offset;
          // '-1': nothing committed yet, so the in-memory position (the start) is right.
          if (offset !== undefined && offset !== '-1')
            this.consumer?.seek({ topic, partition, offset });
          this.logger.warn(`${topic}/${partition} will be re-read from committed offset ${offset}`);
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
        return;
      } catch (error) {
        const backoff = Math.min(this.opts.retryBackoffMs * 2 ** Math.min(attempt - 1, 6), 10000);
        this.logger.warn(
          `recovering ${topic}/${partition} failed (${(error as Error)?.message}), again in ${backoff} ms`,
        );
        await Promise.race([sleep(backoff), this.closingSignal]);
        await payload.heartbeat().catch(() => undefined);
      }
    }
  }

  private async processBatch(payload: EachBatchPayload, producer: Producer): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    let pending: WireRecord[] = [];
    let lastOffset: string | null = null;
    let count = 0;

    const flush = async () => {
      if (lastOffset === null) return;
      const next = (BigInt(lastOffset) + 1n).toString();
      let tx: Awaited<ReturnType<Producer['transaction']>>;
      try {
        tx = await producer.transaction();
      } catch (error) {
        throw new FlushFailedError(error);
      }
      try {
        const byTopic = new Map<string, Message[]>();
        for (const r of pending) {
          const list = byTopic.get(r.topic) ?? [];
          list.push(this.signed(r));
          byTopic.set(r.topic, list);
        }
        if (byTopic.size > 0) {
          await tx.sendBatch({
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          });
        }
        await retryConcurrentTransactions(() =>
          tx.sendOffsets({
            consumerGroupId: this.opts.groupId,
            topics: [
              { topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] },
            ],
          }),
        );
        await tx.commit();
      } catch (error) {
        await tx.abort().catch(() => undefined);
        throw new FlushFailedError(error);
      }
      resolveOffset(lastOffset);
      pending = [];
      lastOffset = null;
      count = 0;
    };

    const handler = this.messageHandlers.get(batch.topic) as Handler | undefined;
    if (handler?.extras?.batch === true) {
      // Batch handlers take a chunk at once (bulk store reads and writes); order within the
      // partition is kept because the chunk is handled, and committed, as a whole.
      for (let i = 0; i < batch.messages.length; i += this.opts.maxBatchRecords) {
        if (!isRunning() || isStale() || this.closing) break;
        const chunk = batch.messages.slice(i, i + this.opts.maxBatchRecords);
        pending.push(
          ...(await this.processChunk(handler, batch.topic, batch.partition, chunk, heartbeat)),
        );
        lastOffset = chunk[chunk.length - 1].offset;
        await flush();
        await heartbeat();
      }
      return;
    }

    // Commit by count and by time: a slow store must neither hold outputs back for long nor
    // let the session time out (kafkajs throttles heartbeat() itself, so calling it per
    // record is cheap and keeps a slow batch from being evicted and redone).
    let since = Date.now();
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.closing) break;
      const outputs = await this.processRecord(batch.topic, batch.partition, message, heartbeat);
      pending.push(...outputs);
      lastOffset = message.offset;
      await heartbeat();
      if (++count >= this.opts.maxBatchRecords || Date.now() - since >= this.opts.maxBatchMillis) {
        await flush();
        since = Date.now();
      }
    }
    await flush();
  }

  /**
   * One call of a batch handler for a chunk of records. Malformed records are dead-lettered
   * one by one; if the handler fails for a reason other than the infrastructure, the chunk
   * is handled again record by record, so one poison record is isolated and the others pass.
   */
  private async processChunk(
    handler: Handler,
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    heartbeat: () => Promise<void>,
  ): Promise<WireRecord[]> {
    const started = process.hrtime.bigint();
    const startedAt = Date.now();
    const out: WireRecord[] = [];
    const items: {
      item: BatchItem | MalformedBatchItem;
      message: KafkaMessage;
      recordCtx: RecordContext;
    }[] = [];
    for (const message of messages) {
      const meta = this.metaOf(topic, partition, message);
      const recordCtx: RecordContext = {
        topic,
        partition,
        offset: message.offset,
        traceparent: headersToRecord(message.headers).traceparent,
      };
      const admitted = this.admit(meta, message, recordCtx);
      if (admitted.kind === 'refused') out.push(admitted.deadLetter);
      else if (admitted.kind === 'envelope')
        items.push({ item: { envelope: admitted.envelope, record: meta }, message, recordCtx });
      else if (handler.extras?.malformed === 'deliver')
        items.push({
          item: { malformed: malformedRecord(meta, message, admitted.error), record: meta },
          message,
          recordCtx,
        });
      else out.push(this.deadLetter(meta, message, admitted.error, recordCtx));
    }
    if (items.length === 0) return out;
    const ctx = new KafkaEventContext([items[0].item.record]);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await lastValueFrom(
          this.transformToObservable(
            await handler(
              items.map((i) => i.item),
              ctx,
            ),
          ),
          { defaultValue: undefined },
        );
        const records = (Array.isArray(result) ? result : []) as OutgoingRecord[];
        const seconds = Number(process.hrtime.bigint() - started) / 1e9 / items.length;
        const byCause = new Map<string, OutgoingRecord[]>();
        for (const r of records) {
          const cause = r.value.causationId ?? '';
          byCause.set(cause, [...(byCause.get(cause) ?? []), r]);
        }
        const endedAt = Date.now();
        const idOf = (i: (typeof items)[number]) =>
          'envelope' in i.item ? i.item.envelope.eventId : '';
        const traceOf = new Map(
          items.map((i) => [
            idOf(i),
            this.opts.observer.chunkRecord?.(i.recordCtx, startedAt, endedAt) ??
              childTraceparent(i.item.record.headers.traceparent),
          ]),
        );
        for (const i of items)
          this.opts.observer.processed(
            i.recordCtx,
            seconds,
            'envelope' in i.item ? (byCause.get(i.item.envelope.eventId) ?? []) : [],
          );
        return [
          ...out,
          ...records.map((r) => ({
            topic: r.topic,
            key: r.key,
            value: JSON.stringify(r.value),
            headers: {
              'content-type': 'application/json',
              traceparent: traceOf.get(r.value.causationId ?? '') ?? childTraceparent(undefined),
              ...r.headers,
            },
          })),
        ];
      } catch (error) {
        if (isInfrastructureError(error) && !this.closing) {
          const backoff = Math.min(this.opts.retryBackoffMs * 2 ** Math.min(attempt - 1, 6), 10000);
          this.logger.warn(
            `retrying a chunk of ${items.length} from ${topic}/${partition} in ${backoff} ms: ${(error as Error)?.message}`,
          );
          await sleep(backoff);
          await heartbeat();
          continue;
        }
        if (this.closing) throw error;
        this.logger.warn(
          `chunk of ${items.length} from ${topic}/${partition} failed (${(error as Error)?.message ?? String(error)}): handling it record by record`,
        );
        for (const i of items) {
          const single = await this.opts.observer.withRecord(i.recordCtx, () =>
            this.handleWithRetries(
              handler,
              [i.item],
              new KafkaEventContext([i.item.record]),
              i.item.record,
              i.message,
              i.recordCtx,
              process.hrtime.bigint(),
              heartbeat,
            ),
          );
          out.push(...single);
          await heartbeat();
        }
        return out;
      }
    }
  }

  /**
   * The door every consumed record passes, for batch and single handlers alike: parse the
   * envelope, check the signature against the registry and the signer policy for the topic
   * and type. A record that fails is dead-lettered with the failure's code and never reaches
   * a handler, not even one that asks for malformed records. The signer is then in `meta`.
   */
  private admit(meta: KafkaRecordMeta, message: KafkaMessage, recordCtx: RecordContext): Admitted {
    let parsed: { envelope: EventEnvelope } | { error: MalformedEnvelopeError };
    try {
      parsed = { envelope: parseEnvelope(message.value) };
    } catch (error) {
      if (!(error instanceof MalformedEnvelopeError)) throw error;
      parsed = { error };
    }
    const trust = checkRecordTrust(
      { topic: meta.topic, key: message.key, value: message.value, headers: meta.headers },
      'envelope' in parsed ? parsed.envelope.type : null,
      this.opts.registry,
    );
    if (!trust.ok) {
      this.logger.warn(
        `dead-lettering ${meta.topic}/${meta.partition}@${meta.offset}: ${trust.code}: ${trust.reason}`,
      );
      return {
        kind: 'refused',
        deadLetter: this.deadLetter(
          meta,
          message,
          new UntrustedRecordError(trust.code, trust.reason),
          recordCtx,
        ),
      };
    }
    meta.signer = trust.signer;
    if ('error' in parsed) return { kind: 'malformed', error: parsed.error };
    recordCtx.envelope = parsed.envelope;
    return { kind: 'envelope', envelope: parsed.envelope };
  }

  /** The kafkajs message of a wire record, signed by this service. */
  private signed(r: WireRecord): Message {
    return {
      key: r.key,
      value: r.value,
      headers: {
        ...r.headers,
        ...signRecord({ topic: r.topic, key: r.key, value: r.value }, this.opts.signer),
      },
    };
  }

  private metaOf(topic: string, partition: number, message: KafkaMessage): KafkaRecordMeta {
    return {
      topic,
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString('utf8') : null,
      headers: headersToRecord(message.headers),
    };
  }

  private async processRecord(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<WireRecord[]> {
    const handler = this.messageHandlers.get(topic) as Handler | undefined;
    const meta = this.metaOf(topic, partition, message);
    if (!handler) return [];
    const ctx = new KafkaEventContext([meta]);
    const started = process.hrtime.bigint();
    const recordCtx: RecordContext = {
      topic,
      partition,
      offset: message.offset,
      traceparent: headersToRecord(message.headers).traceparent,
    };

    const admitted = this.admit(meta, message, recordCtx);
    if (admitted.kind === 'refused') return [admitted.deadLetter];
    let data: unknown;
    if (admitted.kind === 'envelope') data = admitted.envelope;
    else if (handler.extras?.malformed !== 'deliver')
      return [this.deadLetter(meta, message, admitted.error, recordCtx)];
    else data = malformedRecord(meta, message, admitted.error);

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
        const traceparent =
          this.opts.observer.outgoingTraceparent?.() ?? childTraceparent(meta.headers.traceparent);
        return records.map((r) => ({
          topic: r.topic,
          key: r.key,
          value: JSON.stringify(r.value),
          headers: { 'content-type': 'application/json', traceparent, ...r.headers },
        }));
      } catch (error) {
        // Domain errors (they carry a string code) are deterministic: retrying cannot help.
        const flagged = (error as { retryable?: boolean }).retryable;
        const coded = typeof (error as { code?: unknown })?.code === 'string';
        const retryable = flagged === true || (flagged !== false && !coded);
        const infra = isInfrastructureError(error);
        const giveUp = !infra && (!retryable || attempt >= this.opts.maxAttempts);
        this.opts.observer.failed(recordCtx, error, !giveUp);
        if (giveUp) {
          this.logger.error(
            `dead-lettering ${topic}/${partition}@${message.offset}: ${(error as Error)?.message ?? String(error)}`,
          );
          return [this.deadLetter(meta, message, error as Error, recordCtx)];
        }
        // Shutting down: abandon the batch. Nothing of it was committed; the next owner of the
        // partition reads it again and processOnce gives back the outputs already stored.
        if (this.closing) throw error;
        const backoff = Math.min(this.opts.retryBackoffMs * 2 ** Math.min(attempt - 1, 6), 10000);
        this.logger.warn(
          `retrying ${topic}/${partition}@${message.offset} in ${backoff} ms (${infra ? 'infrastructure' : `attempt ${attempt}/${this.opts.maxAttempts}`}): ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`,
        );
        await Promise.race([sleep(backoff), this.closingSignal]);
        if (this.closing) throw error;
        // The broker may be the one that is down: a failed heartbeat must not end the retries.
        await heartbeat().catch((e: Error) => {
          if (!isInfrastructureError(e)) throw e;
        });
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
    const {
      [SIGNATURE_HEADER]: originSignature,
      [KEY_ID_HEADER]: originKeyId,
      ...headers
    } = meta.headers;
    return {
      topic: dlqTopic(this.opts.service),
      key: meta.key ?? '',
      value: message.value,
      headers: {
        ...headers,
        // The original signature, for the redrive to put back (the DLQ record is signed anew).
        ...(originSignature !== undefined && { [DLQ_ORIGIN_SIGNATURE_HEADER]: originSignature }),
        ...(originKeyId !== undefined && { [DLQ_ORIGIN_KEY_ID_HEADER]: originKeyId }),
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
      return { consuming: false, detail: 'consumer has not joined its group (yet or again)' };
    const age = Date.now() - this.lastHeartbeat;
    return age < 60000
      ? { consuming: true, detail: `last heartbeat ${age} ms ago` }
      : { consuming: false, detail: `no heartbeat for ${age} ms` };
  }

  /**
   * SIGTERM (Nest's shutdown hooks call this before the store is closed): stop fetching,
   * let the in-flight batch finish the record at hand and commit what it processed in its
   * transaction (or abandon the record that is waiting on the store or broker, uncommitted),
   * leave the group so that the partitions move at once, then close the producers. If the
   * batch cannot finish (the broker is gone), give up after a grace period: its open
   * transaction is aborted by the broker, or fenced by the replica's next start.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.signalClosing();
    const started = Date.now();
    const consumer = this.consumer;
    if (consumer) {
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        consumer.disconnect().then(
          () => 'left the group',
          (e: Error) => `disconnect failed: ${e.message}`,
        ),
        new Promise<string>((r) => {
          timer = setTimeout(() => r('gave up waiting for the in-flight batch'), SHUTDOWN_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      this.logger.log(`consumer stopped in ${Date.now() - started} ms: ${outcome}`);
    }
    for (const producer of this.producers.values())
      await producer.disconnect().catch(() => undefined);
    this.producers.clear();
  }
}
