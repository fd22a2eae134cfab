import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { OutgoingRecord, RecordContext, TransportObserver } from '@customs/messaging';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { activeTraceparent, recordConsumerSpan, withConsumerSpan } from './tracing';

/** OpenTelemetry messaging attributes of a record, with the declaration it is about. */
function spanAttributes(ctx: RecordContext): Record<string, string | number> {
  const e = ctx.envelope;
  return {
    'messaging.system': 'kafka',
    'messaging.destination.name': ctx.topic,
    'messaging.kafka.destination.partition': ctx.partition,
    'messaging.kafka.message.offset': Number(ctx.offset),
    ...(e
      ? {
          'customs.mrn': e.mrn ?? '',
          'customs.lrn': e.lrn,
          'customs.event_id': e.eventId,
          'customs.event_type': e.type,
        }
      : {}),
  };
}

type DecisionPayload = { risk?: { channel?: string }; release?: { status?: string } };

/** Prometheus metrics of one service, with the transport's observer that feeds them. */
export class ServiceMetrics implements TransportObserver {
  readonly registry = new Registry();
  private readonly processedTotal: Counter<'topic'>;
  private readonly errorsTotal: Counter<'topic' | 'retry'>;
  private readonly deadLetteredTotal: Counter<'topic' | 'code'>;
  private readonly decisionsTotal: Counter<'type' | 'lane' | 'outcome'>;
  private readonly latency: Histogram<'topic'>;
  private readonly consumerLag: Gauge<'topic' | 'partition'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.processedTotal = new Counter({
      name: 'customs_events_processed_total',
      help: 'Records handled, by input topic',
      labelNames: ['topic'],
      registers: [this.registry],
    });
    this.errorsTotal = new Counter({
      name: 'customs_event_errors_total',
      help: 'Handler failures, by input topic and whether the record will be retried',
      labelNames: ['topic', 'retry'],
      registers: [this.registry],
    });
    this.deadLetteredTotal = new Counter({
      name: 'customs_events_dead_lettered_total',
      help: 'Records sent to the dead-letter topic, by origin topic and error code',
      labelNames: ['topic', 'code'],
      registers: [this.registry],
    });
    this.decisionsTotal = new Counter({
      name: 'customs_decisions_total',
      help: 'Events produced, by type, lane and release outcome',
      labelNames: ['type', 'lane', 'outcome'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'customs_event_processing_seconds',
      help: 'Time to handle one record (store and decision, before the Kafka commit)',
      labelNames: ['topic'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.consumerLag = new Gauge({
      name: 'customs_consumer_lag',
      help: 'Records behind the high watermark at the end of the last batch',
      labelNames: ['topic', 'partition'],
      registers: [this.registry],
    });
  }

  /** Every log line written while the record is handled names the declaration. */
  withRecord<T>(ctx: RecordContext, fn: () => Promise<T>): Promise<T> {
    const root = PinoLogger.root;
    if (!root) return withConsumerSpan(`${ctx.topic} process`, ctx.traceparent, {}, fn);
    const e = ctx.envelope;
    const child = root.child({
      topic: ctx.topic,
      partition: ctx.partition,
      offset: ctx.offset,
      ...(e ? { mrn: e.mrn, lrn: e.lrn, eventId: e.eventId, correlationId: e.correlationId } : {}),
    });
    return withConsumerSpan(`${ctx.topic} process`, ctx.traceparent, spanAttributes(ctx), () =>
      storage.run(new Store(child), fn),
    );
  }

  outgoingTraceparent(): string | undefined {
    return activeTraceparent();
  }

  chunkRecord(ctx: RecordContext, startedAt: number, endedAt: number): string | undefined {
    return recordConsumerSpan(
      `${ctx.topic} process`,
      ctx.traceparent,
      spanAttributes(ctx),
      startedAt,
      endedAt,
    );
  }

  processed(ctx: RecordContext, seconds: number, outputs: OutgoingRecord[]): void {
    this.processedTotal.inc({ topic: ctx.topic });
    this.latency.observe({ topic: ctx.topic }, seconds);
    for (const o of outputs) {
      const p = o.value.payload as DecisionPayload;
      this.decisionsTotal.inc({
        type: o.value.type,
        lane: p?.risk?.channel ?? '',
        outcome: p?.release?.status ?? '',
      });
    }
  }

  failed(ctx: RecordContext, _error: unknown, willRetry: boolean): void {
    this.errorsTotal.inc({ topic: ctx.topic, retry: String(willRetry) });
  }

  deadLettered(ctx: RecordContext, code: string): void {
    this.deadLetteredTotal.inc({ topic: ctx.topic, code });
  }

  lag(topic: string, partition: number, lag: number): void {
    if (Number.isFinite(lag)) this.consumerLag.set({ topic, partition: String(partition) }, lag);
  }
}
