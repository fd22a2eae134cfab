import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildAsyncApiDocument, EVENT_TYPES, firstEvent, TOPICS } from '@customs/contracts';
import { SERVICE_PORTS } from '@customs/stack';
import { PipelineHarness, reachedFinal } from './support/pipeline.harness';
import { asAdmin } from './support/auth-tokens';
import { signedSubmissions } from './support/record-signers';

jest.setTimeout(180_000);

const harness = new PipelineHarness();

/** A minimal OTLP/HTTP (JSON) trace receiver: the services export their spans to it. */
type OtlpSpan = { traceId: string; spanId: string; parentSpanId?: string; name: string };
const received: { service: string; span: OtlpSpan }[] = [];
const collector = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    try {
      const doc = JSON.parse(body) as {
        resourceSpans: {
          resource: { attributes: { key: string; value: { stringValue?: string } }[] };
          scopeSpans: { spans: OtlpSpan[] }[];
        }[];
      };
      for (const rs of doc.resourceSpans ?? []) {
        const service =
          rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
        for (const ss of rs.scopeSpans ?? [])
          for (const span of ss.spans ?? []) received.push({ service, span });
      }
    } catch {
      /* not JSON: ignored, the assertions will say what is missing */
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
const url = (service: keyof typeof SERVICE_PORTS, path: string) =>
  `http://127.0.0.1:${SERVICE_PORTS[service]}${path}`;

beforeAll(async () => {
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;
  await harness.start();
});
afterAll(async () => {
  await harness.stop();
  delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  collector.close();
});

describe('operability of the running services', () => {
  it('answers liveness and readiness with the store, the broker and the consumer', async () => {
    for (const service of ['intake', 'risk', 'valuation', 'release'] as const) {
      expect((await fetch(url(service, '/health/live'))).status).toBe(200);
      const ready = await fetch(url(service, '/health/ready'));
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { details: Record<string, { status: string }> };
      expect(Object.keys(body.details).sort()).toEqual(['broker', 'consumer', 'store']);
      expect(Object.values(body.details).every((d) => d.status === 'up')).toBe(true);
    }
  });

  it('counts events, decisions by lane and latency in /metrics, and logs JSON lines naming the declaration', async () => {
    const gen = harness.generator(707, 'OP');
    const d = gen.next(1);
    const res = await fetch(url('intake', '/declarations'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await asAdmin()) },
      body: JSON.stringify(d),
    });
    expect(res.status).toBe(202);
    const { mrn } = (await res.json()) as { mrn: string };
    expect(await harness.watcher.waitFor([d.lrn], reachedFinal, 60_000)).toEqual([]);

    // Prometheus text: one line per series, labels in any order.
    const series = (text: string, name: string, labels: Record<string, RegExp>) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`))
        .filter((l) =>
          Object.entries(labels).every(([k, v]) => new RegExp(`[{,]${k}="${v.source}"`).test(l)),
        )
        .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    const risk = await (await fetch(url('risk', '/metrics'))).text();
    expect(
      series(risk, 'customs_events_processed_total', {
        topic: /customs\.declarations\.accepted\.v1/,
        service: /risk/,
      })[0],
    ).toBeGreaterThan(0);
    expect(
      series(risk, 'customs_decisions_total', {
        type: /DeclarationRiskAssessed/,
        lane: /green|blue|yellow|red/,
      }).some((v) => v > 0),
    ).toBe(true);
    expect(
      series(risk, 'customs_event_processing_seconds_bucket', {
        le: /\+Inf/,
        topic: /customs\.declarations\.accepted\.v1/,
      })[0],
    ).toBeGreaterThan(0);
    expect(
      series(risk, 'customs_consumer_lag', { topic: /customs\.declarations\.accepted\.v1/ }).length,
    ).toBeGreaterThan(0);
    const release = await (await fetch(url('release', '/metrics'))).text();
    expect(
      series(release, 'customs_decisions_total', {
        type: /Declaration(Held|Released)/,
        outcome: /held|released|refused/,
      }).some((v) => v > 0),
    ).toBe(true);
    expect(mrn).toMatch(/^\d{2}NL/);

    const log = readFileSync(
      harness.runner.running.find((s) => s.name === 'risk-0')!.logFile,
      'utf8',
    );
    const lines = log
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => typeof l.level === 'number' && l.service === 'risk')).toBe(true);
  });

  it('serves OpenAPI for its HTTP API and the AsyncAPI document of the contracts', async () => {
    const openapi = (await (await fetch(url('intake', '/api-docs.json'))).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/declarations', '/declarations/{mrn}']),
    );
    const asyncapi = (await (await fetch(url('release', '/asyncapi.json'))).json()) as {
      info: { version: string };
    };
    expect(asyncapi).toEqual(buildAsyncApiDocument(asyncapi.info.version));
  });

  it('carries one W3C trace through every stage of a declaration', async () => {
    const gen = harness.generator(808, 'TR');
    const d = gen.next(1);
    const traceId = randomBytes(16).toString('hex');
    const submitted = firstEvent({
      type: EVENT_TYPES.submitted,
      schemaVersion: 1,
      lrn: d.lrn,
      producer: 'e2e@1',
      payload: { declaration: d, channel: 'kafka' },
    });
    await harness.producer.send({
      topic: TOPICS.submitted,
      messages: signedSubmissions([
        {
          key: d.lrn,
          value: JSON.stringify(submitted),
          headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
        },
      ]),
    });
    expect(await harness.watcher.waitFor([d.lrn], reachedFinal, 60_000)).toEqual([]);
    const stages = harness.events(d.lrn).filter((o) => o.topic !== TOPICS.notifications);
    expect(stages.map((o) => o.event.type)).toEqual(
      expect.arrayContaining([
        'DeclarationAccepted',
        'DeclarationRiskAssessed',
        'DeclarationValued',
      ]),
    );
    for (const o of stages) {
      const [version, trace, span] = (o.traceparent ?? '').split('-');
      expect({ type: o.event.type, version, trace }).toEqual({
        type: o.event.type,
        version: '00',
        trace: traceId,
      });
      expect(span).toMatch(/^[0-9a-f]{16}$/);
    }
    // Each hop is a span of its own.
    expect(new Set(stages.map((o) => o.traceparent)).size).toBe(stages.length);
    // And the services exported those spans over OTLP: one trace across the four services.
    // Spans are exported in batches: poll until every service's are in and linked.
    const ours = () => received.filter((r) => r.span.traceId === traceId);
    const unlinked = () => {
      const ids = new Set(ours().map((r) => r.span.spanId));
      // Only the first hop's parent (the sender's span, not exported) may be missing.
      return ours().filter((r) => r.span.parentSpanId && !ids.has(r.span.parentSpanId)).length;
    };
    const services = () => new Set(ours().map((r) => r.service));
    const deadline = Date.now() + 20_000;
    while ((services().size < 4 || unlinked() > 1) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    expect([...services()].sort()).toEqual([
      'customs-intake',
      'customs-release',
      'customs-risk',
      'customs-valuation',
    ]);
    expect(unlinked()).toBeLessThanOrEqual(1);
  });

  it('refuses to start on a bad configuration value and names it', () => {
    const entry = join(__dirname, '..', 'dist/apps/risk/src/main.js');
    const r = spawnSync(process.execPath, [entry], {
      env: { ...process.env, KAFKA_PARTITIONS: 'many', MONGO_URL: 'http://nope' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/KAFKA_PARTITIONS/);
    expect(`${r.stdout}${r.stderr}`).toMatch(/MONGO_URL/);
  });
});
