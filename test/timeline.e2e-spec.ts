import { Connection } from 'mongoose';
import { EventEnvelope } from '@customs/contracts';
import {
  connectStore,
  MongoTimelineRepository,
  TimelineAppend,
  TimelineEntry,
} from '@customs/persistence';
import { BorderPostSimulator } from '@customs/simulation';
import { PipelineHarness, reachedFinal } from './support/pipeline.harness';
import { asAdmin } from './support/auth-tokens';

jest.setTimeout(120_000);

const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';

describe('the timeline store, a chunk at a time (real store)', () => {
  const db = `customs_timeline_e2e_${process.pid}`;
  let connection: Connection;
  let repo: MongoTimelineRepository;

  beforeAll(async () => {
    connection = await connectStore(MONGO_URL, db);
    repo = new MongoTimelineRepository(connection);
  });

  afterAll(async () => {
    await connection?.dropDatabase().catch(() => undefined);
    await connection?.close();
  });

  const head = (mrn: string) => ({ mrn, lrn: `L-${mrn}`, declarantId: 'NL1', borderPost: 'NLRTM' });
  const entry = (
    mrn: string,
    sequence: number,
    type = 'DeclarationRiskAssessed',
  ): TimelineEntry => ({
    eventId: `${mrn}-${sequence}`,
    type,
    sequence,
    occurredAt: '2026-01-01T00:00:00.000Z',
    producer: 'risk@e2e',
    topic: 'customs.declaration.risk-assessed.v1',
    summary: { channel: 'green', score: sequence },
  });
  const add = (mrn: string, sequence: number): TimelineAppend => ({
    head: head(mrn),
    entry: entry(mrn, sequence),
  });

  it('adds each event once: stored timelines, new ones, repeats within the chunk and a redone chunk', async () => {
    // Half the timelines exist already, as lodgement writes them.
    const mrns = Array.from({ length: 40 }, (_, i) => `T${String(i).padStart(3, '0')}`);
    for (const [i, mrn] of mrns.entries())
      if (i % 2 === 0) {
        await repo.append(head(mrn), entry(mrn, 1, 'DeclarationSubmitted'));
        await repo.append(head(mrn), entry(mrn, 2, 'DeclarationAccepted'));
      }
    const chunk = [
      ...mrns.map((m) => add(m, 3)),
      ...mrns.map((m) => add(m, 4)),
      add(mrns[1], 3),
      add(mrns[2], 4),
    ];
    await repo.appendMany(chunk);
    // Redone after a crash between the store write and the Kafka commit.
    await repo.appendMany(chunk);
    for (const [i, mrn] of mrns.entries()) {
      const t = await repo.get(mrn);
      expect(t?.entries.map((e) => e.eventId)).toEqual(
        i % 2 === 0 ? [`${mrn}-1`, `${mrn}-2`, `${mrn}-3`, `${mrn}-4`] : [`${mrn}-3`, `${mrn}-4`],
      );
    }
    expect(await repo.get(mrns[0])).toEqual({
      ...head(mrns[0]),
      entries: [
        entry(mrns[0], 1, 'DeclarationSubmitted'),
        entry(mrns[0], 2, 'DeclarationAccepted'),
        entry(mrns[0], 3),
        entry(mrns[0], 4),
      ],
    });
  });

  it('pushes onto a timeline that was created between its read and its write', async () => {
    // A concurrent writer (lodgement, a former owner of the partition) wins the insert.
    const racing = new MongoTimelineRepository(connection);
    const appends = [add('RACE', 3), add('CALM', 3)];
    await Promise.all([
      repo.appendMany(appends),
      racing.append(head('RACE'), entry('RACE', 1, 'DeclarationSubmitted')),
    ]);
    expect((await repo.get('RACE'))?.entries.map((e) => e.eventId)).toEqual(['RACE-1', 'RACE-3']);
    expect((await repo.get('CALM'))?.entries.map((e) => e.eventId)).toEqual(['CALM-3']);
  });
});

describe("intake's timeline read model over the pipeline", () => {
  const harness = new PipelineHarness();

  beforeAll(async () => {
    await harness.start();
  });

  afterAll(async () => {
    await harness.stop();
  });

  type View = {
    mrn: string;
    status: string;
    history: { eventId: string; type: string; sequence: number }[];
  };

  async function view(mrn: string): Promise<View> {
    const res = await fetch(`${harness.intakeUrl}/declarations/${mrn}`, {
      headers: await asAdmin(),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as View;
  }

  it('ends a burst of declarations with complete timelines, each event once', async () => {
    const gen = harness.generator(909, 'TL');
    const declarations = Array.from({ length: 60 }, (_, i) => gen.next(i + 1));
    await new BorderPostSimulator(harness.producer).submit(declarations);
    const pending = await harness.watcher.waitFor(
      declarations.map((d) => d.lrn),
      reachedFinal,
      90_000,
    );
    expect(pending).toEqual([]);

    for (const d of declarations) {
      const chain: EventEnvelope[] = harness.chain(d.lrn).sort((a, b) => a.sequence - b.sequence);
      const mrn = chain[1]?.mrn;
      expect(mrn).toBeTruthy();
      // A read model: polled until it has caught up with the chain.
      let v = await view(String(mrn));
      for (let i = 0; i < 50 && v.history.length < chain.length; i++) {
        await new Promise((r) => setTimeout(r, 200));
        v = await view(String(mrn));
      }
      expect(v.history.map((h) => h.eventId)).toEqual(chain.map((e) => e.eventId));
      expect(v.history.map((h) => h.type)).toEqual(chain.map((e) => e.type));
      expect(new Set(v.history.map((h) => h.eventId)).size).toBe(v.history.length);
      const last = chain[chain.length - 1].type;
      if (last === 'DeclarationHeld') expect(v.status).toBe('held');
      else expect(last).toBe('DeclarationReleased');
    }
  });
});
