import { EventEnvelope } from '@customs/contracts';
import { OutgoingRecord } from './outgoing-record';

export interface RecordContext {
  topic: string;
  partition: number;
  offset: string;
  envelope?: EventEnvelope;
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
}

export const NOOP_OBSERVER: TransportObserver = {
  withRecord: (_ctx, fn) => fn(),
  processed: () => undefined,
  failed: () => undefined,
  deadLettered: () => undefined,
  lag: () => undefined,
};
