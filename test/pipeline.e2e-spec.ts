import {
  Declaration,
  dlqTopic,
  EventEnvelope,
  firstEvent,
  RejectedPayload,
  TOPICS,
} from '@customs/contracts';
import { checkMrn, verifyChain } from '@customs/domain';
import { BorderPostSimulator } from '@customs/simulation';
import { PipelineHarness, reachedFinal } from './support/pipeline.harness';
import { asAdmin } from './support/auth-tokens';
import { signedAs, signedSubmissions } from './support/record-signers';

jest.setTimeout(240_000);

const harness = new PipelineHarness();

beforeAll(async () => {
  await harness.start();
});

afterAll(async () => {
  await harness.stop();
});

async function post(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${harness.intakeUrl}/declarations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await asAdmin()) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function expectCompleteChain(lrn: string): EventEnvelope[] {
  const chain = harness.chain(lrn);
  expect(verifyChain(chain)).toEqual([]);
  const types = chain.sort((a, b) => a.sequence - b.sequence).map((e) => e.type);
  expect(types.slice(0, 5)).toEqual([
    'DeclarationSubmitted',
    'DeclarationAccepted',
    'DeclarationRiskAssessed',
    'DeclarationValued',
    expect.stringMatching(/^Declaration(Held|Released)$/),
  ]);
  return chain;
}

describe('the pipeline over the real broker and store', () => {
  it('takes a batch lodged over HTTP to a final state with intact hash chains', async () => {
    const gen = harness.generator(101, 'EH');
    const declarations = Array.from({ length: 12 }, (_, i) => gen.next(i + 1));
    const answers = await Promise.all(declarations.map(post));
    for (const a of answers) {
      expect(a.status).toBe(202);
      expect(checkMrn(String(a.body.mrn)).valid).toBe(true);
    }
    const pending = await harness.watcher.waitFor(
      declarations.map((d) => d.lrn),
      reachedFinal,
      120_000,
    );
    expect(pending).toEqual([]);
    for (const [i, d] of declarations.entries()) {
      const chain = expectCompleteChain(d.lrn);
      expect(chain[1].mrn).toBe(answers[i].body.mrn);
    }

    // The status page shows the whole timeline across the stages. It is a read model fed by
    // the later stages' topics, so it is polled until it has caught up.
    const mrn = String(answers[0].body.mrn);
    const wanted = [
      'DeclarationSubmitted',
      'DeclarationAccepted',
      'DeclarationRiskAssessed',
      'DeclarationValued',
    ];
    let view: { status: string; history: { type: string }[] } = { status: '', history: [] };
    const caughtUp = () =>
      wanted.every((t) => view.history.some((h) => h.type === t)) &&
      ['held', 'released'].includes(view.status);
    for (let i = 0; i < 75 && !caughtUp(); i++) {
      const res = await fetch(`${harness.intakeUrl}/declarations/${mrn}`, {
        headers: await asAdmin(),
      });
      expect(res.status).toBe(200);
      view = (await res.json()) as typeof view;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(view.history.map((h) => h.type).slice(0, 4)).toEqual(wanted);
    expect(['held', 'released']).toContain(view.status);
    expect(
      (
        await fetch(`${harness.intakeUrl}/declarations/26NL0000000000000J0`, {
          headers: await asAdmin(),
        })
      ).status,
    ).toBe(400);
  });

  it('takes a batch from the topic through, rejecting the invalid and malformed ones without holding up the rest', async () => {
    const gen = harness.generator(202, 'ET');
    const good = Array.from({ length: 15 }, (_, i) => gen.next(i + 1));
    const base = gen.next(99);
    const invalid: Declaration = {
      ...base,
      lrn: `${base.lrn}BAD`,
      invoiceCurrency: 'EURO',
      items: [{ ...base.items[0], grossMass: 'heavy' }],
    };
    const sim = new BorderPostSimulator(harness.producer);
    // The bad ones go first on their partitions' way: the good ones must still pass.
    await harness.producer.send({
      topic: TOPICS.submitted,
      messages: signedSubmissions([{ key: 'MALFORMED-1', value: '{"this is": not json' }]),
    });
    await sim.submit([invalid]);
    await sim.submit(good);

    const pending = await harness.watcher.waitFor(
      [...good.map((d) => d.lrn), invalid.lrn, 'MALFORMED-1'],
      reachedFinal,
      120_000,
    );
    expect(pending).toEqual([]);
    for (const d of good) expectCompleteChain(d.lrn);

    const rejection = harness.events(invalid.lrn).find((o) => o.topic === TOPICS.rejected)!;
    const reasons = (rejection.event.payload as RejectedPayload).reasons;
    expect(reasons.map((r) => r.path)).toEqual(
      expect.arrayContaining([
        'payload.declaration.invoiceCurrency',
        'payload.declaration.items[0].grossMass',
      ]),
    );
    expect(verifyChain(harness.chain(invalid.lrn))).toEqual([]);

    const malformed = harness.events('MALFORMED-1').find((o) => o.topic === TOPICS.rejected)!;
    expect((malformed.event.payload as RejectedPayload).reasons[0].code).toBe('NOT_JSON');
    // The sender is told, on the notifications topic.
    expect(
      harness
        .events(invalid.lrn)
        .some(
          (o) =>
            o.topic === TOPICS.notifications && (o.event.payload as { code: string }).code === '03',
        ),
    ).toBe(true);
  });

  it('answers HTTP 400 listing every failing field path', async () => {
    const gen = harness.generator(303, 'EB');
    const d = gen.next(1);
    const bad = {
      ...d,
      invoiceCurrency: 'XXXX',
      declarant: { id: 'not an eori' },
      items: [{ ...d.items[0], netMass: '-5', unknownField: 1 }],
      extra: true,
    };
    const res = await post(bad);
    expect(res.status).toBe(400);
    const paths = (res.body.reasons as { path: string }[]).map((r) => r.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'invoiceCurrency',
        'declarant.id',
        'items[0].netMass',
        'items[0].unknownField',
        'extra',
      ]),
    );
  });

  it('gives the same MRN to a resubmission and refuses the same LRN with other content', async () => {
    const gen = harness.generator(404, 'ED');
    const d = gen.next(1);
    const first = await post(d);
    expect(first.status).toBe(202);
    expect(await harness.watcher.waitFor([d.lrn], reachedFinal, 60_000)).toEqual([]);
    const again = await post(d);
    expect(again.status).toBe(200);
    expect(again.body.mrn).toBe(first.body.mrn);
    const changed = await post({ ...d, incotermPlace: 'ELSEWHERE' });
    expect(changed.status).toBe(409);
  });

  it('dead-letters a record a stage cannot process, with its origin and the real error, and keeps going', async () => {
    const admin = harness.kafka.admin();
    await admin.connect();
    const before = await admin.fetchTopicOffsets(dlqTopic('risk'));
    await admin.disconnect();
    // A sound envelope of a type risk does not read, on risk's input topic.
    const stray = firstEvent({
      type: 'SomethingElse',
      schemaVersion: 1,
      lrn: `DLQ${Date.now()}`,
      producer: 'e2e@1',
      payload: {},
    });
    const sent = await harness.producer.send({
      topic: TOPICS.accepted,
      messages: signedAs('svc-intake', TOPICS.accepted, [
        { key: stray.lrn, value: JSON.stringify(stray) },
      ]),
    });
    const gen = harness.generator(505, 'EQ');
    const after = gen.next(1);
    expect((await post(after)).status).toBe(202);
    expect(await harness.watcher.waitFor([after.lrn], reachedFinal, 60_000)).toEqual([]);

    const consumer = harness.kafka.consumer({ groupId: `e2e-dlq-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: dlqTopic('risk'), fromBeginning: true });
    const found = await new Promise<Record<string, string>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no dead letter within 30 s')), 30_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const start = before.find((p) => p.partition === partition)?.offset ?? '0';
          if (BigInt(message.offset) < BigInt(start) || message.key?.toString() !== stray.lrn)
            return;
          clearTimeout(timer);
          resolve(
            Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
            ),
          );
        },
      });
    });
    await consumer.disconnect();
    expect(found['dlq-origin-topic']).toBe(TOPICS.accepted);
    expect(found['dlq-origin-partition']).toBe(String(sent[0].partition));
    expect(found['dlq-origin-offset']).toBe(sent[0].baseOffset);
    // Refused at the door: the signer policy knows no such type on the topic.
    expect(found['dlq-error-code']).toBe('SIGNER_NOT_ALLOWED');
    expect(found['dlq-error']).toMatch(
      /SomethingElse is not an event type of customs\.declarations\.accepted\.v1/,
    );
  });
});
