import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AcceptedPayload,
  computeEventHash,
  Declaration,
  EventEnvelope,
  RejectedPayload,
  TOPICS,
} from '@customs/contracts';
import { checkMrn } from '@customs/domain';
import { OutcomeWatcher, submittedRecord } from '@customs/simulation';
import { PipelineHarness, reachedFinal } from './support/pipeline.harness';
import { amendmentsWatcher } from './support/intake-amendments.watcher';
import { asAdmin } from './support/auth-tokens';
import { signedSubmissions } from './support/record-signers';

jest.setTimeout(120_000);

const harness = new PipelineHarness();
let requests: OutcomeWatcher;
const root = join(__dirname, '..');

beforeAll(async () => {
  await harness.start();
  requests = amendmentsWatcher(harness.kafka);
  await requests.start();
});

afterAll(async () => {
  await requests?.stop().catch(() => undefined);
  await harness.stop();
});

type Answer = { status: number; body: Record<string, unknown> };

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${harness.intakeUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await asAdmin()), ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const onTopic = (lrn: string, topic: string): EventEnvelope[] =>
  harness
    .events(lrn)
    .filter((o) => o.topic === topic)
    .map((o) => o.event);

/** Polls the status page (a read model fed by the later stages) until `done`. */
async function statusOf(mrn: string, done: (s: string) => boolean): Promise<string> {
  let status = '';
  for (let i = 0; i < 75; i++) {
    const res = await fetch(`${harness.intakeUrl}/declarations/${mrn}`, {
      headers: await asAdmin(),
    });
    if (res.status === 200) status = ((await res.json()) as { status: string }).status;
    if (done(status)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return status;
}

describe('intake: idempotent lodgement, amendment, reference data', () => {
  it('gives 50 concurrent identical submissions one MRN and one acceptance', async () => {
    const d = harness.generator(501, 'IC').next(1);
    const answers = await Promise.all(Array.from({ length: 50 }, () => post('/declarations', d)));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(49);
    const mrns = new Set(answers.map((a) => a.body.mrn));
    expect(mrns.size).toBe(1);
    const [mrn] = [...mrns] as string[];
    expect(checkMrn(mrn).valid).toBe(true);

    const acceptedSeen = (outcomes: { topic: string }[]) =>
      outcomes.some((o) => o.topic === TOPICS.accepted);
    expect(await harness.watcher.waitFor([d.lrn], acceptedSeen, 30_000)).toEqual([]);
    // Anything late (a second submission decided after the first) would show within this.
    await new Promise((r) => setTimeout(r, 3000));
    const accepted = onTopic(d.lrn, TOPICS.accepted);
    expect(accepted).toHaveLength(1);
    expect(accepted[0].mrn).toBe(mrn);
    expect(onTopic(d.lrn, TOPICS.submitted)).toHaveLength(1);
    expect(onTopic(d.lrn, TOPICS.rejected)).toHaveLength(0);
    // Once accepted, a resubmission says so.
    const again = await post('/declarations', d);
    expect(again).toMatchObject({
      status: 200,
      body: { mrn, status: 'accepted', duplicate: true },
    });
  });

  it('decides a chunk from the topic as one after the other: first of an LRN wins, malformed and invalid rejected among good ones', async () => {
    const gen = harness.generator(503, 'CH');
    const [d1, d2] = [gen.next(1), gen.next(2)];
    const changed: Declaration = {
      ...d1,
      items: d1.items.map((item, i) =>
        i === 0 ? { ...item, description: `${item.description} (other)` } : item,
      ),
    };
    const invalid = { ...gen.next(3), invoiceCurrency: 'EURO' } as Declaration;
    const brokenKey = `BROKEN-${Date.now().toString(36).toUpperCase()}`;
    const records = [
      submittedRecord(d1),
      { key: brokenKey, value: '{"this is": not json' },
      submittedRecord(d2),
      // The same declaration again under another event id: a resubmission, nothing more.
      submittedRecord(d1),
      // The same declarant and LRN with another content: a conflict.
      submittedRecord(changed),
      submittedRecord(invalid),
    ];
    // One partition, in one send: the records arrive together, in this order.
    await harness.producer.send({
      topic: TOPICS.submitted,
      messages: signedSubmissions(records.map((r) => ({ ...r, partition: 0 }))),
    });
    const conflictId = (JSON.parse(records[4].value) as EventEnvelope).eventId;
    const decided = (o: { topic: string }[]) =>
      o.some((x) => x.topic === TOPICS.accepted || x.topic === TOPICS.rejected);
    expect(
      await harness.watcher.waitFor(
        [d1.lrn],
        (o) =>
          o.some((x) => x.topic === TOPICS.accepted) && o.some((x) => x.topic === TOPICS.rejected),
        30_000,
      ),
    ).toEqual([]);
    expect(
      await harness.watcher.waitFor([d2.lrn, invalid.lrn, brokenKey], decided, 30_000),
    ).toEqual([]);
    // Anything late (a second acceptance of d1) would show within this.
    await new Promise((r) => setTimeout(r, 2000));

    const [accepted] = onTopic(d1.lrn, TOPICS.accepted);
    expect(onTopic(d1.lrn, TOPICS.accepted)).toHaveLength(1);
    expect(accepted.causationId).toBe((JSON.parse(records[0].value) as EventEnvelope).eventId);
    const rejected = onTopic(d1.lrn, TOPICS.rejected);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].causationId).toBe(conflictId);
    expect((rejected[0].payload as RejectedPayload).reasons.map((r) => r.code)).toEqual([
      'DUPLICATE_LRN_CONFLICT',
    ]);
    expect(onTopic(d2.lrn, TOPICS.accepted)).toHaveLength(1);
    const invalidReasons = (onTopic(invalid.lrn, TOPICS.rejected)[0].payload as RejectedPayload)
      .reasons;
    expect(invalidReasons.map((r) => r.path)).toContain('payload.declaration.invoiceCurrency');
    const broken = onTopic(brokenKey, TOPICS.rejected);
    expect(broken).toHaveLength(1);
    expect((broken[0].payload as RejectedPayload).reasons[0].code).toBe('NOT_JSON');
  });

  it('scopes an Idempotency-Key to the declarant and refuses its reuse for another declaration', async () => {
    const gen = harness.generator(502, 'IK');
    const d1 = gen.next(1);
    let d2 = gen.next(2);
    for (let i = 3; d2.declarant.id === d1.declarant.id; i++) d2 = gen.next(i);
    const key = `idem-${Date.now()}-${process.pid}`;
    const first = await post('/declarations', d1, { 'Idempotency-Key': key });
    expect(first.status).toBe(202);
    const retry = await post('/declarations', d1, { 'Idempotency-Key': key });
    expect(retry.status).toBe(200);
    expect(retry.body.mrn).toBe(first.body.mrn);

    const reuse = await post(
      '/declarations',
      { ...d2, declarant: d1.declarant, importer: d1.importer },
      {
        'Idempotency-Key': key,
      },
    );
    expect(reuse.status).toBe(409);
    expect(reuse.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_CONFLICT', mrn: first.body.mrn });
    // Another declarant's key space is its own.
    const other = await post('/declarations', d2, { 'Idempotency-Key': key });
    expect(other.status).toBe(202);
    expect(other.body.mrn).not.toBe(first.body.mrn);

    const badKey = await post('/declarations', gen.next(50), { 'Idempotency-Key': 'has spaces' });
    expect(badKey.status).toBe(400);
    expect((badKey.body.reasons as { path: string }[])[0].path).toBe('headers.idempotency-key');
  });

  it('amends and invalidates before release, and refuses both after release with a reason', async () => {
    const gen = harness.generator(503, 'IA');
    const declarations = Array.from({ length: 14 }, (_, i) => gen.next(i + 1));
    const answers = await Promise.all(declarations.map((d) => post('/declarations', d)));
    answers.forEach((a) => expect(a.status).toBe(202));
    expect(
      await harness.watcher.waitFor(
        declarations.map((d) => d.lrn),
        reachedFinal,
        60_000,
      ),
    ).toEqual([]);
    const finalTopic = (d: Declaration) =>
      harness.events(d.lrn).find((o) => o.topic === TOPICS.held || o.topic === TOPICS.released)!;
    const held = declarations.filter((d) => finalTopic(d).topic === TOPICS.held);
    const released = declarations.filter((d) => finalTopic(d).topic === TOPICS.released);
    expect(held.length).toBeGreaterThan(0);
    expect(released.length).toBeGreaterThan(0);
    const mrnOf = (d: Declaration) => String(answers[declarations.indexOf(d)].body.mrn);

    // Released (or refused): too late, whatever the change.
    const done = released[0];
    const doneMrn = mrnOf(done);
    const finalStatus = await statusOf(doneMrn, (s) => s === 'released' || s === 'refused');
    expect(['released', 'refused']).toContain(finalStatus);
    const late = await post(`/declarations/${doneMrn}/amendments`, {
      ...done,
      incotermPlace: 'AMENDED',
    });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe(
      finalStatus === 'released' ? 'DECLARATION_RELEASED' : 'DECLARATION_REFUSED',
    );
    expect(String(late.body.message)).toContain(doneMrn);
    const lateInvalidation = await post(`/declarations/${doneMrn}/invalidation`, {
      reason: 'goods not imported',
      declarantId: done.declarant.id,
    });
    expect(lateInvalidation.status).toBe(409);

    // Held: not released yet, so it may change.
    const open = held[0];
    const mrn = mrnOf(open);
    expect(await statusOf(mrn, (s) => s === 'held')).toBe('held');
    const amended: Declaration = { ...open, incotermPlace: 'AMENDED PLACE' };
    const amendment = await post(`/declarations/${mrn}/amendments`, amended);
    expect(amendment).toMatchObject({ status: 202, body: { mrn, version: 2 } });
    expect((await post(`/declarations/${mrn}/amendments`, amended)).status).toBe(200);
    const identity = await post(`/declarations/${mrn}/amendments`, {
      ...amended,
      lrn: `${open.lrn}X`,
    });
    expect(identity.status).toBe(400);
    expect((identity.body.reasons as { path: string }[]).map((r) => r.path)).toEqual(['lrn']);
    const invalid = await post(`/declarations/${mrn}/amendments`, {
      ...amended,
      invoiceCurrency: 'EURO',
    });
    expect(invalid.status).toBe(400);
    expect((invalid.body.reasons as { path: string }[]).map((r) => r.path)).toContain(
      'invoiceCurrency',
    );

    // The request is on its topic, self-contained and hashed, naming the acceptance as cause.
    expect(await requests.waitFor([open.lrn], (o) => o.length > 0, 15_000)).toEqual([]);
    const request = requests.outcomes.get(open.lrn)![0].event;
    expect(request).toMatchObject({
      type: 'DeclarationAmendmentRequested',
      mrn,
      sequence: 1,
      prevHash: null,
      causationId: onTopic(open.lrn, TOPICS.accepted)[0].eventId,
      eventId: amendment.body.eventId,
    });
    expect(computeEventHash(request)).toBe(request.hash);
    expect(
      (request.payload as { amendment: { declaration: Declaration } }).amendment.declaration
        .incotermPlace,
    ).toBe('AMENDED PLACE');

    const notTheDeclarant = await post(`/declarations/${mrn}/invalidation`, {
      reason: 'lodged twice',
      declarantId: 'NL999999999',
    });
    expect(notTheDeclarant.status).toBe(400);
    const invalidation = await post(`/declarations/${mrn}/invalidation`, {
      reason: 'lodged twice',
      declarantId: open.declarant.id,
    });
    expect(invalidation).toMatchObject({ status: 202, body: { version: 3 } });
    const afterInvalidation = await post(`/declarations/${mrn}/amendments`, {
      ...amended,
      incotermPlace: 'AGAIN',
    });
    expect(afterInvalidation.status).toBe(409);
    expect(afterInvalidation.body.code).toBe('INVALIDATION_PENDING');
    const view = (await (
      await fetch(`${harness.intakeUrl}/declarations/${mrn}`, { headers: await asAdmin() })
    ).json()) as {
      version: number;
      changes: { kind: string }[];
    };
    expect(view.version).toBe(3);
    expect(view.changes.map((c) => c.kind)).toEqual(['amendment', 'invalidation']);
    const typo = await post(`/declarations/${mrn}/invalidation`, {
      reason: 'x',
      declarantId: 'NL1',
      extra: 1,
    });
    expect(typo.status).toBe(400);
  });

  it('judges a declaration by a nomenclature version imported with `reference import`', async () => {
    const gen = harness.generator(504, 'IN');
    const base = gen.next(1);
    const lodge = (code: string, n: number) =>
      post('/declarations', {
        ...base,
        lrn: `${base.lrn}-${n}`,
        items: [{ ...base.items[0], commodityCode: code }],
        invoiceTotal: base.items[0].invoiceAmount,
      });
    // An 8-digit line under 870380, which the seed already splits (its other lines keep
    // their status). Pick one the nomenclature in force does not have.
    let code = '';
    for (let n = 0; n < 10 && !code; n++) {
      const candidate = `870380${String(11 + Math.floor(Math.random() * 78)).padStart(2, '0')}`;
      if (candidate === '87038090') continue;
      const before = await lodge(candidate, 100 + n);
      if (before.status === 400) {
        expect((before.body.reasons as { path: string }[]).map((r) => r.path)).toContain(
          'items[0].commodityCode',
        );
        code = candidate;
      }
    }
    expect(code).not.toBe('');

    const dir = mkdtempSync(join(tmpdir(), 'nomenclature-'));
    const file = join(dir, 'national.csv');
    writeFileSync(
      file,
      `code,description,parent,validFrom,validTo\n${code},Electric cars (e2e line),870380,2022-01-01,\n`,
    );
    const version = `e2e-${Date.now().toString(36)}`;
    const effectiveFrom = new Date(Date.now() - 30_000).toISOString();
    const imported = spawnSync(
      process.execPath,
      [
        join(root, 'dist/apps/cli/src/main.js'),
        'reference',
        'import',
        'nomenclature',
        file,
        '--version',
        version,
        '--effective-from',
        effectiveFrom,
        '--json',
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      kind: 'nomenclature',
      version,
      outcome: 'created',
    });

    // Intake refreshes its catalog every few seconds.
    let after: Answer = { status: 0, body: {} };
    let lrn = '';
    for (let n = 0; n < 40 && after.status !== 202; n++) {
      lrn = `${base.lrn}-${200 + n}`;
      after = await lodge(code, 200 + n);
      if (after.status !== 202) await new Promise((r) => setTimeout(r, 500));
    }
    expect(after.status).toBe(202);
    expect(
      await harness.watcher.waitFor(
        [lrn],
        (o) => o.some((x) => x.topic === TOPICS.accepted),
        20_000,
      ),
    ).toEqual([]);
    const accepted = onTopic(lrn, TOPICS.accepted)[0];
    expect((accepted.payload as AcceptedPayload).acceptance.referenceData.nomenclature).toMatch(
      new RegExp(`\\+${version}$`),
    );

    // An HS file needs a version id: the command names the flag.
    const hsFile = join(dir, 'hs.csv');
    writeFileSync(hsFile, 'section,hscode,description,parent,level\nXVII,87,Vehicles,TOTAL,2\n');
    const hs = spawnSync(
      process.execPath,
      [join(root, 'dist/apps/cli/src/main.js'), 'reference', 'import', 'nomenclature', hsFile],
      { cwd: root, encoding: 'utf8' },
    );
    expect(hs.status).not.toBe(0);
    expect(hs.stderr).toContain('--version is required');
  });
});
