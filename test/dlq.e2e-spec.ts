import { testKafka } from './support/test-kafka';
import { dlqTopic, EventEnvelope, TOPICS } from '@customs/contracts';
import { BorderPostSimulator, OutcomeWatcher } from '@customs/simulation';
import { ServiceRunner } from '@customs/stack';
import { readDeadLetters } from '../apps/cli/src/dlq/dlq.reader';
import { redrive } from '../apps/cli/src/dlq/dlq.redriver';
import { PipelineHarness } from './support/pipeline.harness';
import { signedAs } from './support/record-signers';

jest.setTimeout(240_000);

/**
 * A real transient failure: valuation deployed with the wrong NATIONAL_CURRENCY (GBP while
 * the exchange rates are in EUR) refuses every declaration with a ValuationError, so the
 * risk-assessed records go to its DLQ. Once redeployed with EUR, `dlq redrive` re-injects
 * them: each is valued exactly once, and a second redrive re-injects nothing.
 */
const kafka = testKafka('e2e-dlq');
const harness = new PipelineHarness();
const runner = new ServiceRunner();
const watcher = new OutcomeWatcher(kafka, [
  TOPICS.accepted,
  TOPICS.rejected,
  TOPICS.valued,
  TOPICS.held,
  TOPICS.released,
]);
const producer = kafka.producer({ idempotent: true });

beforeAll(async () => {
  await Promise.all([
    runner.start('intake'),
    runner.start('risk'),
    runner.start('release'),
    runner.start('valuation', { env: { NATIONAL_CURRENCY: 'GBP' } }),
  ]);
  await producer.connect();
  await watcher.start();
});

afterAll(async () => {
  await watcher.stop().catch(() => undefined);
  await producer.disconnect().catch(() => undefined);
  await runner.stopAll();
});

const of = (lrn: string, topic: string) =>
  (watcher.outcomes.get(lrn) ?? []).filter((o) => o.topic === topic).map((o) => o.event);

describe('dlq redrive', () => {
  it('re-injects a dead letter once, processes it once, and never re-drives it again', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const dlqEnd = new Map(
      (await admin.fetchTopicOffsets(dlqTopic('valuation'))).map((o) => [
        o.partition,
        BigInt(o.high),
      ]),
    );
    await admin.disconnect();

    const gen = harness.generator(404, 'DLQ');
    const declarations = Array.from({ length: 3 }, (_, i) => gen.next(i + 1));
    await new BorderPostSimulator(producer).submit(declarations);
    const lrns = declarations.map((d) => d.lrn);
    expect(
      await watcher.waitFor(lrns, (o) => o.some((x) => x.topic !== TOPICS.valued), 60_000),
    ).toEqual([]);
    const accepted = lrns.filter((l) => of(l, TOPICS.accepted).length > 0);
    expect(accepted.length).toBeGreaterThan(0);
    const mrns = new Set(accepted.map((l) => of(l, TOPICS.accepted)[0].mrn!));

    // Misconfigured valuation dead-letters them (not retryable: a ValuationError).
    let letters: Awaited<ReturnType<typeof readDeadLetters>> = [];
    for (let i = 0; i < 60 && letters.length < mrns.size; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      letters = (await readDeadLetters(kafka, 'valuation', dlqEnd)).filter((d) =>
        mrns.has(d.key ?? ''),
      );
    }
    expect(letters).toHaveLength(mrns.size);
    for (const d of letters) {
      expect(d.origin?.topic).toBe(TOPICS.riskAssessed);
      expect(d.errorCode).toBe('CURRENCY_MISMATCH');
      expect(d.error).toMatch(/national currency is GBP/);
      expect(d.redriven).toBe(false);
    }
    for (const l of accepted) expect(of(l, TOPICS.valued)).toEqual([]);

    // Redeployed with the right currency (same replica id).
    await runner.stop(runner.find('valuation')!);
    await runner.start('valuation');

    // One of them is also re-sent by hand meanwhile (an operator's copy at another offset):
    // processOnce must keep it to one decision when the redrive brings a third copy.
    const first = letters[0];
    await producer.send({
      topic: TOPICS.riskAssessed,
      // The operator's copy is signed as risk's output was (a plain copy would be refused).
      messages: signedAs('svc-risk', TOPICS.riskAssessed, [{ key: first.key, value: first.value }]),
    });
    const firstLrn = (JSON.parse(first.value!.toString('utf8')) as EventEnvelope).lrn;
    expect(
      await watcher.waitFor([firstLrn], (o) => o.some((x) => x.topic === TOPICS.valued), 60_000),
    ).toEqual([]);

    const dry = await redrive(kafka, 'valuation', { dryRun: true });
    const ours = (r: { reinjected: { key: string | null }[] }) =>
      r.reinjected.filter((i) => mrns.has(i.key ?? ''));
    expect(ours(dry)).toHaveLength(mrns.size);

    const once = await redrive(kafka, 'valuation', { waitMs: 8000 });
    expect(ours(once)).toHaveLength(mrns.size);
    expect(once.failedAgain.filter((f) => mrns.has(f.key ?? ''))).toEqual([]);
    expect(
      await watcher.waitFor(
        accepted,
        (o) => o.some((x) => x.topic === TOPICS.held || x.topic === TOPICS.released),
        60_000,
      ),
    ).toEqual([]);
    await new Promise((r) => setTimeout(r, 3000));
    for (const l of accepted) {
      const valued = new Set(of(l, TOPICS.valued).map((e) => e.eventId));
      expect({ lrn: l, valued: valued.size }).toEqual({ lrn: l, valued: 1 });
      // No exact duplicate record either: the re-sent copies produced nothing.
      expect(of(l, TOPICS.valued)).toHaveLength(1);
    }

    // Behind the cursor now: listed as re-driven, and a second redrive re-injects nothing.
    const after = (await readDeadLetters(kafka, 'valuation', dlqEnd)).filter((d) =>
      mrns.has(d.key ?? ''),
    );
    expect(after.every((d) => d.redriven)).toBe(true);
    const again = await redrive(kafka, 'valuation');
    expect(again.reinjected).toEqual([]);
  });
});
