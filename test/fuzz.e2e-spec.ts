import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  Declaration,
  dlqTopic,
  EVENT_TYPES,
  firstEvent,
  sealEnvelope,
  TOPICS,
} from '@customs/contracts';
import { BorderPostSimulator } from '@customs/simulation';
import { SERVICE_PORTS } from '@customs/stack';
import { asAdmin, asBorderPost } from './support/auth-tokens';
import { KeysWatcher } from './support/auth-fuzz-keys.watcher';
import { PipelineHarness } from './support/pipeline.harness';
import { signedSubmissions } from './support/record-signers';

/**
 * Malformed and hostile payloads against intake, over HTTP and on the submitted topic:
 * no crash (the service stays up and ready), no 5xx, a clear 4xx for each request, a
 * rejection or a dead letter for each record, and a good declaration still goes through.
 * Bounded: about 200 requests and 60 records. FUZZ_SEED replays a run.
 */
jest.setTimeout(150_000);

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUN = Date.now().toString(36).toUpperCase();
const intake = `http://127.0.0.1:${SERVICE_PORTS.intake}`;
const harness = new PipelineHarness();
const keys = new KeysWatcher(harness.kafka, [TOPICS.rejected, dlqTopic('intake')]);
/** A valid declaration, the starting point of the mutations. */
const base: Declaration = harness.generator(909, 'FZ').next(1);

beforeAll(async () => {
  console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays it)`);
  await harness.runner.start('intake');
  await harness.producer.connect();
  await harness.watcher.start();
  await keys.start();
});

afterAll(async () => {
  await keys.stop().catch(() => undefined);
  await harness.stop();
});

/** Paths of a declaration a mutation may hit (objects, arrays, money, codes, nested items). */
const PATHS = [
  'lrn',
  'declarationType',
  'procedureCode',
  'declarant',
  'declarant.id',
  'declarant.country',
  'importer',
  'officeOfLodgement',
  'borderPost',
  'invoiceCurrency',
  'invoiceTotal',
  'incoterm',
  'costs',
  'costs.freight',
  'relatedParty',
  'valuationMethod',
  'items',
  'items.0',
  'items.0.commodityCode',
  'items.0.description',
  'items.0.originCountry',
  'items.0.grossMass',
  'items.0.invoiceAmount',
  'items.1',
];

function deep(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** Values no field expects: wrong types, operators, huge and odd strings, floats for money. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined), // deletes the field
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constant(15250.5),
  fc.constant(-1),
  fc.constant(1e308),
  fc.fullUnicodeString({ maxLength: 40 }),
  fc.constant('\u0000\uFFFF\uD800'),
  fc.constant('x'.repeat(200_000)),
  fc.constant({ $ne: null }),
  fc.constant({ $gt: '' }),
  fc.constant({ $where: 'sleep(1000)' }),
  fc.constant([]),
  fc.constant({}),
  fc.constant(deep(60)),
  fc.jsonValue({ maxDepth: 3 }),
);

function mutate(d: Declaration, path: string, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(d)) as Record<string, unknown>;
  const parts = path.split('.');
  let target: Record<string, unknown> = copy;
  for (const p of parts.slice(0, -1)) {
    const next = target[p];
    if (typeof next !== 'object' || next === null) return copy;
    target = next as Record<string, unknown>;
  }
  const last = parts[parts.length - 1];
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

/** Raw bodies: what a JSON encoder would never produce. */
const rawBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc
    .nat()
    .map(
      (n) => JSON.stringify(base).slice(0, n % JSON.stringify(base).length) /* truncated JSON */,
    ),
  fc.uint8Array({ maxLength: 512 }),
  fc.constant(`${'['.repeat(20_000)}${']'.repeat(20_000)}`),
  fc.constant(`${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`),
  // Prototype pollution: as own keys of the body and of nested objects.
  fc.constant(
    JSON.stringify(base).replace(
      /^\{/,
      '{"__proto__":{"polluted":true,"isAdmin":true},"constructor":{"prototype":{"polluted":true}},',
    ),
  ),
  fc.constant(
    JSON.stringify(base).replace('"declarant":{', '"declarant":{"__proto__":{"id":"NL1"},'),
  ),
  fc.constant('{"lrn": "A", "lrn": "B"}'),
  fc.constant(''),
  fc.constant('null'),
  fc.constant('"just a string"'),
  fc.constant('12345'),
);

const mutatedBody: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...PATHS), hostileValue, fc.constantFrom(...PATHS), hostileValue)
  .map(([p1, v1, p2, v2]) =>
    JSON.stringify(mutate(mutate(base, p1, v1) as Declaration, p2, v2) as Declaration),
  );

interface HttpOutcome {
  status: number;
  body: Record<string, unknown> | null;
}

async function post(body: string | Uint8Array, auth: Record<string, string>): Promise<HttpOutcome> {
  const res = await fetch(`${intake}/declarations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body,
  });
  const text = await res.text();
  let parsed: Record<string, unknown> | null = null;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed };
}

/** No 5xx; a refusal is JSON naming what is wrong (reasons with paths when it is the content). */
function expectClearAnswer(sent: string | Uint8Array, a: HttpOutcome): void {
  const context = typeof sent === 'string' ? sent.slice(0, 200) : `<${sent.length} bytes>`;
  expect({ context, serverError: a.status >= 500 }).toEqual({ context, serverError: false });
  if (a.status < 400) {
    expect([200, 202]).toContain(a.status);
    return;
  }
  expect(a.body).not.toBeNull();
  const message = a.body!.message;
  expect({ context, hasMessage: typeof message === 'string' || Array.isArray(message) }).toEqual({
    context,
    hasMessage: true,
  });
  if (a.body!.message === 'declaration is invalid') {
    const reasons = a.body!.reasons as { code: string; path: string; message: string }[];
    expect(reasons.length).toBeGreaterThan(0);
    for (const r of reasons) {
      expect(typeof r.code).toBe('string');
      expect(typeof r.message).toBe('string');
      expect(typeof r.path).toBe('string');
    }
  }
}

async function expectReady(): Promise<void> {
  const ready = await fetch(`${intake}/health/ready`);
  expect(ready.status).toBe(200);
  expect(harness.runner.running[0].process.exitCode).toBeNull();
}

describe('fuzzing intake', () => {
  it('answers hostile HTTP bodies with a clear 4xx, never a 5xx, and stays up', async () => {
    const admin = await asAdmin();
    const post2 = await asBorderPost(base.borderPost);
    const statuses = new Map<number, number>();
    const record = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedBody, rawBody), fc.boolean(), async (body, asPost) => {
        const a = await post(body, asPost ? post2 : admin);
        record(a.status);
        expectClearAnswer(body, a);
      }),
      { numRuns: 200, seed: SEED, endOnFailure: true },
    );
    console.log(`HTTP statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    // Mostly refusals: the mutations hit required fields and types.
    expect(
      [...statuses.entries()].filter(([s]) => s >= 400).reduce((n, [, c]) => n + c, 0),
    ).toBeGreaterThan(100);
    await expectReady();

    // Nothing was polluted: a good declaration is accepted and read back clean.
    const good = { ...harness.generator(910, 'FG').next(1) };
    const lodged = await post(JSON.stringify(good), admin);
    expect(lodged.status).toBe(202);
    expect(JSON.stringify(lodged.body)).not.toMatch(/polluted|isAdmin/);
  });

  it('turns each hostile record on the submitted topic into a rejection or a dead letter', async () => {
    const records: { key: string; value: Buffer | string | null }[] = [];
    const key = (i: number) => `FZ${RUN}-${i}`;
    const envelopeOf = (lrn: string, declaration: unknown) =>
      firstEvent({
        type: EVENT_TYPES.submitted,
        schemaVersion: 1,
        lrn,
        producer: 'fuzz@e2e',
        payload: { declaration },
      });
    const samples = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 400 }).map((b) => ({ kind: 'bytes', value: Buffer.from(b) })),
        fc.nat().map((n) => ({ kind: 'truncated', value: n })),
        fc.constant({ kind: 'wrong-hash', value: 0 }),
        fc.constant({ kind: 'wrong-types', value: 0 }),
        fc.constant({ kind: 'unsupported-version', value: 0 }),
        fc.constant({ kind: 'wrong-type', value: 0 }),
        fc
          .tuple(fc.constantFrom(...PATHS), hostileValue)
          .map(([p, v]) => ({ kind: 'hostile-declaration', value: [p, v] as [string, unknown] })),
      ),
      { numRuns: 60, seed: SEED },
    );
    samples.forEach((s, i) => {
      const k = key(i);
      const d = { ...base, lrn: k };
      switch (s.kind) {
        case 'bytes':
          records.push({ key: k, value: s.value as Buffer });
          break;
        case 'truncated': {
          const json = JSON.stringify(envelopeOf(k, d));
          records.push({ key: k, value: json.slice(0, (s.value as number) % (json.length - 1)) });
          break;
        }
        case 'wrong-hash':
          records.push({
            key: k,
            value: JSON.stringify({ ...envelopeOf(k, d), hash: 'ab'.repeat(32) }),
          });
          break;
        case 'wrong-types':
          records.push({
            key: k,
            value: JSON.stringify({
              ...envelopeOf(k, d),
              sequence: '1',
              payload: [],
              schemaVersion: '1',
            }),
          });
          break;
        case 'unsupported-version': {
          const { hash: _, ...unsigned } = envelopeOf(k, d);
          records.push({
            key: k,
            value: JSON.stringify(sealEnvelope({ ...unsigned, schemaVersion: 99 })),
          });
          break;
        }
        case 'wrong-type': {
          const { hash: _, ...unsigned } = envelopeOf(k, d);
          records.push({
            key: k,
            value: JSON.stringify(sealEnvelope({ ...unsigned, type: 'DeclarationAccepted' })),
          });
          break;
        }
        case 'hostile-declaration': {
          const [p, v] = s.value as [string, unknown];
          // lrn stays the key so that the rejection is found by it.
          const declaration = p === 'lrn' ? mutate(d, 'invoiceTotal', v) : mutate(d, p, v);
          records.push({ key: k, value: JSON.stringify(envelopeOf(k, declaration)) });
          break;
        }
      }
    });
    records.push({ key: key(1000), value: null });
    records.push({ key: key(1001), value: JSON.stringify({ eventId: randomUUID() }) });
    await harness.producer.send({ topic: TOPICS.submitted, messages: signedSubmissions(records) });

    // Each one: a rejection, a dead letter, or (a mutation that left it valid) an acceptance.
    const accepted = () =>
      records
        .map((r) => r.key)
        .filter((k) => harness.events(k).some((o) => o.topic === TOPICS.accepted));
    const deadline = Date.now() + 60_000;
    let missing = records.map((r) => r.key);
    while (missing.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      const ok = new Set([...keys.seen.keys(), ...accepted()]);
      missing = missing.filter((k) => !ok.has(k));
    }
    expect(missing).toEqual([]);
    const rejected = records.filter((r) => keys.seen.get(r.key)?.has(TOPICS.rejected)).length;
    const dead = records.filter((r) => keys.seen.get(r.key)?.has(dlqTopic('intake'))).length;
    console.log(
      `topic records: ${records.length}, rejected ${rejected}, dead letters ${dead}, accepted ${accepted().length}`,
    );
    expect(rejected).toBeGreaterThan(records.length / 2);
    await expectReady();

    // The partition moved on: a good declaration sent after them is accepted.
    const good = harness.generator(911, 'FA').next(1);
    await new BorderPostSimulator(harness.producer).submit([good]);
    const pending = await harness.watcher.waitFor(
      [good.lrn],
      (o) => o.some((x) => x.topic === TOPICS.accepted),
      30_000,
    );
    expect(pending).toEqual([]);
  });
});
