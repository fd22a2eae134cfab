import {
  context,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

let provider: NodeTracerProvider | undefined;

/**
 * OpenTelemetry tracing: one span per record a service handles, its parent taken from the
 * record's `traceparent` header and its own context written into the records it produces,
 * so a declaration is one trace across the four services. Spans are exported over OTLP/HTTP
 * when OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT) is set; without
 * it the context still travels in the headers.
 */
export function startTracing(
  service: string,
  version: string,
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (provider) return;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/$/, '');
  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base}/v1/traces` : undefined);
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': `customs-${service}`,
      'service.version': version,
    }),
    spanProcessors: url
      ? [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 500 })]
      : [],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
}

export async function stopTracing(): Promise<void> {
  await provider?.shutdown().catch(() => undefined);
  provider = undefined;
}

/** Runs fn inside a consumer span whose parent is the incoming traceparent (if any). */
export async function withConsumerSpan<T>(
  name: string,
  traceparent: string | undefined,
  attributes: Record<string, string | number>,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
  const span: Span = trace
    .getTracer('customs-transport')
    .startSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The traceparent of the active span, for the records it produces. */
export function activeTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** A consumer span recorded after the fact (a record handled within a chunk); returns its traceparent. */
export function recordConsumerSpan(
  name: string,
  traceparent: string | undefined,
  attributes: Record<string, string | number>,
  startedAt: number,
  endedAt: number,
): string | undefined {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
  const span = trace
    .getTracer('customs-transport')
    .startSpan(name, { kind: SpanKind.CONSUMER, attributes, startTime: startedAt }, parent);
  span.end(endedAt);
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), carrier);
  return carrier.traceparent;
}
