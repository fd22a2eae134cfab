import { EventEnvelope } from '@customs/contracts';
import { OutgoingRecord } from './outgoing-record';

export interface RecordContext {
  topic: string;
  partition: number;
  offset: string;
  envelope?: EventEnvelope;
  /** The record's W3C trace context, if it carried one. */
  traceparent?: string;
}

/**
 * What the transport reports about its work, for metrics and logs; the platform provides
 * the implementation (Prometheus, pino) so the transport stays free of both.
 */
export interface TransportObserver {
  /** Runs the handling of one record inside a log context naming the declaration. */
  withRecord<T>(ctx: RecordContext, fn: () => Promise<T>): Promise<T>;
  processed(ctx: RecordContext, seconds: number, outputs: OutgoingRecord[]): void;
  failed(ctx: RecordContext, error: unknown, willRetry: boolean): void;
  deadLettered(ctx: RecordContext, code: string): void;
  lag(topic: string, partition: number, lag: number): void;
  /** The trace context for records produced inside withRecord (the active span's). */
  outgoingTraceparent?(): string | undefined;
  /**
   * A record handled as part of a chunk (batch handlers): its span is recorded after the
   * fact, over the chunk's time; returns the trace context for the records it produced.
   */
  chunkRecord?(ctx: RecordContext, startedAt: number, endedAt: number): string | undefined;
}

export const NOOP_OBSERVER: TransportObserver = {
  withRecord: (_ctx, fn) => fn(),
  processed: () => undefined,
  failed: () => undefined,
  deadLettered: () => undefined,
  lag: () => undefined,
};
