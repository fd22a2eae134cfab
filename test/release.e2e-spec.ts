import { committedPast } from './support/group-offsets';
import { testKafka } from './support/test-kafka';
import { randomUUID } from 'node:crypto';
import { Connection } from 'mongoose';
import {
  ControlResultPayload,
  Declaration,
  dlqTopic,
  EVENT_TYPES,
  sealEnvelope,
  EventEnvelope,
  hasValidHash,
  HeldPayload,
  OfficerDecisionPayload,
  ReleasedPayload,
  RiskAssessedPayload,
  TOPICS,
} from '@customs/contracts';
import { debit, mrnCheckDigit, verifyChain } from '@customs/domain';
import { connectStore, MongoAccountRepository } from '@customs/persistence';
import { OutcomeWatcher } from '@customs/simulation';
import { externalInputRecord } from '../apps/release/src/inputs/external-input.factory';
import { PipelineHarness } from './support/pipeline.harness';
import { NotificationItem, ReleaseApiClient } from './support/release-api.client';
import { DeadLetterReader } from './support/release-dlq.reader';
import { asAdmin, asOfficer } from './support/auth-tokens';
import { signedAs } from './support/record-signers';

jest.setTimeout(120_000);

const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const RUN = Date.now().toString(36).toUpperCase();
/** A border post of this run only, so its notification feed holds this run's and nothing else. */
const BORDER_POST = `BP-E2E-${RUN}`;
const OFFICER = 'officer.e2e';

const harness = new PipelineHarness();
const api = new ReleaseApiClient();
/** The officers' and payment systems' topics, to see the inputs the API publishes. */
const inputs = new OutcomeWatcher(testKafka('e2e-release-inputs'), [
  TOPICS.controlResults,
  TOPICS.payments,
]);
const deadLetters = new DeadLetterReader(harness.kafka, dlqTopic('release'));

beforeAll(async () => {
  await Promise.all([harness.start(), inputs.start(), deadLetters.start()]);
});

afterAll(async () => {
  await inputs.stop().catch(() => undefined);
  await deadLetters.stop().catch(() => undefined);
  await harness.stop();
});

/**
 * Declarations whose lane and amounts the seed reference data fix: chapter 93 (arms) is
 * red by rule ARMS-93; heading 9403 (furniture) has no rule and no reference price band, so
 * it is green unless randomly selected. Both unit values stay clear of valuation alerts.
 */
function declaration(kind: 'red' | 'green', lrn: string): Declaration {
  const red = kind === 'red';
  // Trader 39 holds guarantee account GUA-NL100000039 (seed); the AEOF trader has no account.
  const trader = red ? 'NL100000039' : 'NL000000000000001';
  return {
    lrn,
    declarationType: 'import',
    procedureCode: '4000',
    declarant: { id: trader, name: 'E2E trader', country: 'NL' },
    importer: { id: trader, name: 'E2E trader', country: 'NL' },
    officeOfLodgement: 'NL000396',
    borderPost: BORDER_POST,
    transportMode: '1',
    dispatchCountry: 'US',
    destinationCountry: 'NL',
    invoiceCurrency: 'EUR',
    invoiceTotal: '12000.00',
    incoterm: 'CIF',
    incotermPlace: 'ROTTERDAM',
    costs: {},
    relatedParty: false,
    valuationMethod: 1,
    ...(red ? { guaranteeReference: 'GUA-NL100000039' } : {}),
    items: [
      {
        itemNumber: 1,
        commodityCode: red ? '930320' : '940360',
        description: red ? 'Sporting shotguns' : 'Wooden bedroom furniture',
        originCountry: 'US',
        quantity: '10',
        unit: 'NAR',
        netMass: red ? '35.0' : '300.0',
        grossMass: red ? '40.0' : '320.0',
        invoiceAmount: '12000.00',
        documents: [{ code: 'N935', reference: `INV-${lrn}` }],
      },
    ],
  };
}

async function lodge(d: Declaration): Promise<string> {
  lodged.push(d.lrn);
  const res = await fetch(`${harness.intakeUrl}/declarations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await asAdmin()) },
    body: JSON.stringify(d),
  });
  const body = (await res.json()) as { mrn: string };
  expect(res.status).toBe(202);
  return body.mrn;
}

const topicEvents = (lrn: string, topic: string): EventEnvelope[] =>
  harness
    .events(lrn)
    .filter((o) => o.topic === topic)
    .map((o) => o.event);

async function waitForEvent(lrn: string, topic: string, count = 1): Promise<EventEnvelope[]> {
  const pending = await harness.watcher.waitFor(
    [lrn],
    () => topicEvents(lrn, topic).length >= count,
    60_000,
  );
  expect(pending).toEqual([]);
  return topicEvents(lrn, topic).sort((a, b) => a.sequence - b.sequence);
}

/** The border post's feed from cursor 0, once it holds `count` notifications about `mrn`. */
async function feedAbout(mrn: string, count: number): Promise<NotificationItem[]> {
  const page = await api.until(
    `${count} notifications about ${mrn}`,
    () => api.notifications(BORDER_POST, 0, 500),
    (a) => a.body.items.filter((n) => n.mrn === mrn).length >= count,
  );
  return page.body.items.filter((n) => n.mrn === mrn);
}

/** Waits until release's consumer group has committed past `offset` of a partition. */
const releasePast = (topic: string, partition: number, offset: number) =>
  committedPast(harness.kafka, 'customs-release', topic, partition, offset);

let redMrn = '';
let greenMrn = '';
/** Every LRN this run lodged to BORDER_POST. */
const lodged: string[] = [];

describe('release: officers, payments and notifications over the real broker and store', () => {
  it('holds a red-lane declaration, takes both controls through the officer API and releases it', async () => {
    const d = declaration('red', `RL-${RUN}-1`);
    redMrn = await lodge(d);

    const [held] = await waitForEvent(d.lrn, TOPICS.held);
    expect((held.payload as HeldPayload).risk.channel).toBe('red');
    expect((held.payload as HeldPayload).release.waitingFor).toEqual([
      'documentary-check',
      'physical-inspection',
    ]);

    // Both work queues list it, filtered by border post and office.
    for (const queue of ['documentary-checks', 'inspections'] as const) {
      const page = await api.workQueue(queue, { borderPost: BORDER_POST, office: 'NL000396' });
      expect(page.status).toBe(200);
      expect(page.body.items.map((i) => i.mrn)).toEqual([redMrn]);
    }
    expect((await api.workQueue('inspections', { borderPost: 'BP-NOWHERE' })).body.items).toEqual(
      [],
    );
    expect((await api.workQueue('inspections', { limit: '501' })).status).toBe(400);

    // Bad input is refused with the fields named; unknown and inapplicable are 404 and 409.
    const bad = await api.post<{ message: string[] }>(
      `/declarations/${redMrn}/controls`,
      { control: 'x-ray', outcome: 'not-conform', extra: 1 },
      { 'x-officer-id': OFFICER },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.message.join('\n')).toMatch(/control must be one of/);
    expect(bad.body.message.join('\n')).toMatch(/findings/);
    expect(bad.body.message.join('\n')).toMatch(/property extra should not exist/);
    // The acting officer is the token's subject: no token is 401, naming another is 403.
    const anonymous = await new ReleaseApiClient(api.baseUrl, async () => ({})).post<{
      message: string;
    }>(`/declarations/${redMrn}/controls`, { control: 'documentary-check', outcome: 'conform' });
    expect(anonymous.status).toBe(401);
    const impostor = await api.post<{ message: string }>(
      `/declarations/${redMrn}/controls`,
      { control: 'documentary-check', outcome: 'conform', officerId: 'chief.e2e' },
      { ...(await asOfficer(OFFICER)), 'x-officer-id': OFFICER },
    );
    expect(impostor.status).toBe(403);
    expect(impostor.body.message).toMatch(/officerId 'chief.e2e' is not the authenticated officer/);
    const first17 = `26NL${`E2E${RUN}`.padEnd(12, '0').slice(0, 12)}A`;
    const unknown = `${first17}${mrnCheckDigit(first17)}`;
    const notFound = await api.post(
      `/declarations/${unknown}/controls`,
      { control: 'documentary-check', outcome: 'conform' },
      { 'x-officer-id': OFFICER },
    );
    expect(notFound.status).toBe(404);
    const early = await api.post(
      `/declarations/${redMrn}/decision`,
      { decision: 'release', grounds: ['seen'] },
      { 'x-officer-id': OFFICER },
    );
    expect(early.status).toBe(409);

    // The documentary check: the hold narrows to the inspection.
    const doc = await api.post<{ eventId: string }>(
      `/declarations/${redMrn}/controls`,
      { control: 'documentary-check', outcome: 'conform' },
      { 'x-officer-id': OFFICER, 'idempotency-key': `doc-${RUN}` },
    );
    expect(doc.status).toBe(202);
    const holds = await waitForEvent(d.lrn, TOPICS.held, 2);
    expect((holds[1].payload as HeldPayload).release.waitingFor).toEqual(['physical-inspection']);
    expect(holds[1].causationId).toBe(doc.body.eventId);
    const docs = await api.workQueue('documentary-checks', { borderPost: BORDER_POST });
    expect(docs.body.items).toEqual([]);
    // A retry with the same idempotency key is the same event, taken once.
    const retried = await api.post<{ eventId: string; duplicate: boolean }>(
      `/declarations/${redMrn}/controls`,
      { control: 'documentary-check', outcome: 'conform' },
      { 'x-officer-id': OFFICER, 'idempotency-key': `doc-${RUN}` },
    );
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ eventId: doc.body.eventId, duplicate: true });
    // Without the key, a second documentary check is no longer pending.
    const again = await api.post(
      `/declarations/${redMrn}/controls`,
      { control: 'documentary-check', outcome: 'conform' },
      { 'x-officer-id': OFFICER },
    );
    expect(again.status).toBe(409);

    // The inspection (identity in the body this time): released on the guarantee account.
    const inspection = await api.post<{ eventId: string }>(`/v1/declarations/${redMrn}/controls`, {
      control: 'physical-inspection',
      outcome: 'conform',
      officerId: 'inspector.e2e',
    });
    expect(inspection.status).toBe(202);
    const [released] = await waitForEvent(d.lrn, TOPICS.released);
    const release = (released.payload as ReleasedPayload).release;
    expect(release).toMatchObject({
      status: 'released',
      securedBy: 'guarantee',
      debtFinal: false,
      account: { id: 'GUA-NL100000039', kind: 'guarantee' },
    });
    expect(release.grounds).toEqual([
      'channel red',
      `documentary-check conform (officer ${OFFICER})`,
      'physical-inspection conform (officer inspector.e2e)',
    ]);
    expect(released.causationId).toBe(inspection.body.eventId);

    // The officers' inputs are events carrying their identity, one-event records keyed by MRN.
    // (The retried, the refused and the invalid requests published nothing.)
    expect(await inputs.waitFor([d.lrn], (o) => o.length >= 2, 10_000)).toEqual([]);
    const controls = inputs.outcomes.get(d.lrn)!.map((o) => o.event);
    expect(controls.map((e) => (e.payload as ControlResultPayload).officerId).sort()).toEqual([
      'inspector.e2e',
      OFFICER,
    ]);
    for (const e of controls) {
      expect(hasValidHash(e)).toBe(true);
      expect(e).toMatchObject({ mrn: redMrn, sequence: 1, prevHash: null });
    }
    // The chain is intact, its holds and release caused by those inputs (causes outside it).
    expect(verifyChain(harness.chain(d.lrn), new Set(controls.map((e) => e.eventId)))).toEqual([]);
    expect(verifyChain(harness.chain(d.lrn)).map((p) => p.code)).toEqual([
      'UNKNOWN_CAUSE',
      'UNKNOWN_CAUSE',
    ]);

    // The account was debited once, by the duties, in the release service's ledger.
    const totalToPay = (released.payload as ReleasedPayload).valuation.totalToPay;
    expect(release.account?.debited).toBe(totalToPay);
    const connection = await connectStore(MONGO_URL, 'customs_release');
    try {
      const ledger = await new MongoAccountRepository(connection).history('GUA-NL100000039');
      const ours = ledger.filter((e) => e.movementId === `release/${redMrn}/debit`);
      expect(ours).toEqual([
        expect.objectContaining({ movementKind: 'debit', amount: totalToPay }),
      ]);
    } finally {
      await connection.close();
    }

    // Nothing changes a final decision.
    const late = await api.post(
      `/declarations/${redMrn}/controls`,
      { control: 'physical-inspection', outcome: 'not-conform', findings: 'too late' },
      { 'x-officer-id': OFFICER },
    );
    expect(late.status).toBe(409);
  });

  it('holds a green-lane declaration without an account for payment and releases it once paid', async () => {
    // Random selection may still pick a green candidate for control (a few per cent for an
    // AEOF trader): three candidates, and the first that risk left green is followed.
    const candidates = [1, 2, 3].map((i) => declaration('green', `GL-${RUN}-${i}`));
    const mrns = await Promise.all(candidates.map(lodge));
    const lanes = await Promise.all(
      candidates.map(async (d) => {
        const [assessed] = await waitForEvent(d.lrn, TOPICS.riskAssessed);
        return (assessed.payload as RiskAssessedPayload).risk.channel;
      }),
    );
    const index = lanes.indexOf('green');
    expect(index).toBeGreaterThanOrEqual(0);
    const d = candidates[index];
    greenMrn = mrns[index];

    const [held] = await waitForEvent(d.lrn, TOPICS.held);
    const heldPayload = held.payload as HeldPayload;
    expect(heldPayload.release.waitingFor).toEqual(['payment']);
    const totalToPay = heldPayload.valuation.totalToPay;
    expect(Number(totalToPay)).toBeGreaterThan(0);

    const wrongCurrency = await api.post<{ message: string[] }>('/payments', {
      mrn: greenMrn,
      amount: totalToPay,
      currency: 'USD',
      kind: 'payment',
      reference: `PAY-${RUN}-X`,
    });
    expect(wrongCurrency.status).toBe(400);
    expect(wrongCurrency.body.message.join()).toMatch(/^currency/);
    const badAmount = await api.post<{ message: string[] }>('/payments', {
      mrn: greenMrn,
      amount: 12.5,
      currency: 'EUR',
      kind: 'cash',
      reference: `PAY-${RUN}-Y`,
    });
    expect(badAmount.status).toBe(400);
    expect(badAmount.body.message.join('\n')).toMatch(/amount must be a positive decimal string/);
    expect(badAmount.body.message.join('\n')).toMatch(/kind must be one of/);

    const payment = {
      mrn: greenMrn,
      amount: totalToPay,
      currency: 'EUR',
      kind: 'payment',
      reference: `PAY-${RUN}`,
    };
    const paid = await api.post<{ eventId: string }>('/payments', payment);
    expect(paid.status).toBe(202);
    // The payment system retries: same reference, same event, counted once.
    const retry = await api.post<{ eventId: string }>('/payments', payment);
    expect([200, 202]).toContain(retry.status);
    expect(retry.body.eventId).toBe(paid.body.eventId);

    const [released] = await waitForEvent(d.lrn, TOPICS.released);
    expect((released.payload as ReleasedPayload).release).toMatchObject({
      status: 'released',
      securedBy: 'payment',
      debtFinal: true,
      grounds: ['channel green'],
    });
    expect(released.causationId).toBe(paid.body.eventId);
    expect(await inputs.waitFor([d.lrn], (o) => o.length >= 1, 10_000)).toEqual([]);
    const payments = inputs.outcomes.get(d.lrn)!.map((o) => o.event);
    expect(new Set(payments.map((e) => e.eventId))).toEqual(new Set([paid.body.eventId]));
    expect(payments[0]).toMatchObject({ type: 'PaymentReceived', mrn: greenMrn, sequence: 1 });
    expect(verifyChain(harness.chain(d.lrn), new Set([paid.body.eventId]))).toEqual([]);

    // Another copy of the same payment further on the topic (a payment system resending it)
    // changes nothing and republishes nothing: once release has committed past it, there is
    // still one release and the chain has no second link 6.
    const [sent] = await harness.producer.send({
      topic: TOPICS.payments,
      // Resent by the bank's payment system, with its own key.
      messages: signedAs('pay-local-bank', TOPICS.payments, [
        { key: greenMrn, value: JSON.stringify(payments[0]) },
      ]),
    });
    await releasePast(TOPICS.payments, sent.partition, Number(sent.baseOffset));
    await new Promise((r) => setTimeout(r, 500));
    expect(topicEvents(d.lrn, TOPICS.released)).toHaveLength(1);
    expect(verifyChain(harness.chain(d.lrn), new Set([paid.body.eventId]))).toEqual([]);

    const after = await api.post('/payments', { ...payment, reference: `PAY-${RUN}-2` });
    expect(after.status).toBe(409);
  });

  it('refuses a red-lane declaration on an officer decision after a not-conform check', async () => {
    const d = declaration('red', `RL-${RUN}-2`);
    const mrn = await lodge(d);
    await waitForEvent(d.lrn, TOPICS.held);
    const check = await api.post(
      `/declarations/${mrn}/controls`,
      { control: 'documentary-check', outcome: 'not-conform', findings: 'no import licence' },
      { 'x-officer-id': OFFICER },
    );
    expect(check.status).toBe(202);
    const holds = await waitForEvent(d.lrn, TOPICS.held, 2);
    expect((holds[1].payload as HeldPayload).release.waitingFor).toEqual([
      'physical-inspection',
      'officer-decision',
    ]);
    const refusal = await api.post<{ eventId: string }>(
      `/declarations/${mrn}/decision`,
      { decision: 'refuse', grounds: ['no import licence for firearms'] },
      { 'x-officer-id': 'chief.e2e' },
    );
    expect(refusal.status).toBe(202);
    const [refused] = await waitForEvent(d.lrn, TOPICS.released);
    expect((refused.payload as ReleasedPayload).release).toMatchObject({
      status: 'refused',
      decidedBy: 'chief.e2e',
      grounds: ['no import licence for firearms', 'refused by officer chief.e2e'],
    });
    expect(refused.causationId).toBe(refusal.body.eventId);
    const codes = (await feedAbout(mrn, 4)).map((n) => n.code);
    expect(codes).toEqual(['01', '05', '52', '53']);
    const late = await api.post(
      `/declarations/${mrn}/decision`,
      { decision: 'release', grounds: ['changed my mind'] },
      { 'x-officer-id': 'chief.e2e' },
    );
    expect(late.status).toBe(409);
  });

  it('takes a control result and a decision for one declaration from one chunk, in order, once', async () => {
    const d = declaration('red', `RL-${RUN}-3`);
    const mrn = await lodge(d);
    const [held] = await waitForEvent(d.lrn, TOPICS.held);
    // Both inputs in one produce request: consecutive offsets of the MRN's partition, which
    // release reads as one chunk; the decision must see the state the check left.
    const input = <P>(type: string, payload: P) =>
      externalInputRecord<P>({
        topic: TOPICS.controlResults,
        type,
        mrn,
        lrn: d.lrn,
        payload,
        producer: 'e2e@test',
        occurredAt: new Date().toISOString(),
        about: held,
      });
    const chunk = [
      input<ControlResultPayload>(EVENT_TYPES.controlResult, {
        control: 'documentary-check',
        outcome: 'not-conform',
        findings: 'licence missing',
        officerId: OFFICER,
      }),
      input<OfficerDecisionPayload>(EVENT_TYPES.officerDecision, {
        decision: 'refuse',
        grounds: ['no licence'],
        officerId: 'chief.e2e',
      }),
    ];
    const send = () =>
      harness.producer.send({
        topic: TOPICS.controlResults,
        // As release's officer API publishes them.
        messages: signedAs(
          'svc-release',
          TOPICS.controlResults,
          chunk.map((r) => ({ key: mrn, value: JSON.stringify(r.value) })),
        ),
      });
    const [first] = await send();

    const holds = await waitForEvent(d.lrn, TOPICS.held, 2);
    expect(holds[1].causationId).toBe(chunk[0].value.eventId);
    expect((holds[1].payload as HeldPayload).release.waitingFor).toEqual([
      'physical-inspection',
      'officer-decision',
    ]);
    const [refused] = await waitForEvent(d.lrn, TOPICS.released);
    expect(refused.causationId).toBe(chunk[1].value.eventId);
    expect(refused.prevHash).toBe(holds[1].hash);
    expect((refused.payload as ReleasedPayload).release).toMatchObject({
      status: 'refused',
      decidedBy: 'chief.e2e',
    });
    const ids = new Set(chunk.map((r) => r.value.eventId));
    expect(verifyChain(harness.chain(d.lrn), ids)).toEqual([]);
    expect((await feedAbout(mrn, 4)).map((n) => n.code)).toEqual(['01', '05', '52', '53']);

    // Release's record keeps each input's outputs under where it was read (topic/partition/offset).
    const connection = await connectStore(MONGO_URL, 'customs_release');
    try {
      const stored = await connection
        .collection<{ _id: string; outbox: { inputId: string; source: string }[] }>(
          'release_records',
        )
        .findOne({ _id: mrn });
      const base = Number(first.baseOffset);
      expect(stored?.outbox.slice(-2)).toEqual([
        expect.objectContaining({
          inputId: chunk[0].value.eventId,
          source: `${TOPICS.controlResults}/${first.partition}/${base}`,
        }),
        expect.objectContaining({
          inputId: chunk[1].value.eventId,
          source: `${TOPICS.controlResults}/${first.partition}/${base + 1}`,
        }),
      ]);
    } finally {
      await connection.close();
    }

    // The same two inputs again further on (a client resending them): once release has
    // committed past them, no new link and no new notification.
    const [again] = await send();
    await releasePast(TOPICS.controlResults, again.partition, Number(again.baseOffset) + 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(topicEvents(d.lrn, TOPICS.held)).toHaveLength(2);
    expect(topicEvents(d.lrn, TOPICS.released)).toHaveLength(1);
    expect(new Set(topicEvents(d.lrn, TOPICS.notifications).map((e) => e.eventId)).size).toBe(
      topicEvents(d.lrn, TOPICS.notifications).length,
    );
    expect(verifyChain(harness.chain(d.lrn), ids)).toEqual([]);
  });

  it('dead-letters an unknown event type on the controls topic, naming it', async () => {
    const lrn = `BOGUS-${RUN}`;
    const bogus = sealEnvelope({
      eventId: randomUUID(),
      type: 'ControlResultForged',
      schemaVersion: 1,
      mrn: redMrn,
      lrn,
      sequence: 1,
      occurredAt: new Date().toISOString(),
      producer: 'e2e@test',
      correlationId: randomUUID(),
      causationId: null,
      prevHash: null,
      payload: { decision: 'release' },
    });
    await harness.producer.send({
      topic: TOPICS.controlResults,
      messages: signedAs('svc-release', TOPICS.controlResults, [
        { key: redMrn, value: JSON.stringify(bogus) },
      ]),
    });
    const letter = await deadLetters.waitFor((l) => l.value.includes(lrn), 30_000);
    // Refused at the door, even signed by release: the signer policy knows no such type.
    expect(letter?.headers).toMatchObject({
      'dlq-origin-topic': TOPICS.controlResults,
      'dlq-error-code': 'SIGNER_NOT_ALLOWED',
    });
    expect(letter?.headers['dlq-error']).toMatch(/ControlResultForged is not an event type/);
  });

  it('lets the border post read its notifications for both, in order, and re-read them from 0', async () => {
    // Red: accepted, held for inspection (documents and goods), held for the inspection,
    // released on the guarantee with the debt not final. Green: accepted, awaiting
    // payment, cleared.
    // Every notification the run's declarations sent the border post, as seen on the topic
    // (once each has reached its hold or release: the notifications share its transaction).
    const final = (o: { topic: string }[]) =>
      o.some((x) => x.topic === TOPICS.held || x.topic === TOPICS.released);
    expect(await harness.watcher.waitFor(lodged, final, 60_000)).toEqual([]);
    const published = [
      ...new Map(
        lodged
          .flatMap((lrn) => topicEvents(lrn, TOPICS.notifications))
          .filter((e) => (e.payload as { recipient: string }).recipient === BORDER_POST)
          .map((e) => [e.eventId, e]),
      ).values(),
    ];
    await api.until(
      'the feed holds every notification published to the border post',
      () => api.notifications(BORDER_POST, 0, 500),
      (a) => a.body.items.length >= published.length,
    );

    const red = await feedAbout(redMrn, 4);
    expect(red.map((n) => n.code)).toEqual(['01', '05', '05', '08']);
    const green = await feedAbout(greenMrn, 3);
    expect(green.map((n) => n.code)).toEqual(['01', '51', '09']);

    const whole = (await api.notifications(BORDER_POST, 0, 500)).body;
    expect(whole.items.map((n) => n.eventId).sort()).toEqual(
      published.map((e) => e.eventId).sort(),
    );
    for (const n of whole.items) {
      expect(n.envelope.payload).toMatchObject({ recipient: BORDER_POST, code: n.code });
      expect(hasValidHash(n.envelope)).toBe(true);
    }
    const cursors = whole.items.map((n) => n.cursor);
    expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(whole.nextCursor).toBe(cursors[cursors.length - 1]);

    // Page by page after the cursor gives the same feed as one read; re-reading gives it again.
    const paged: NotificationItem[] = [];
    let cursor = 0;
    for (;;) {
      const page = (await api.notifications(BORDER_POST, cursor, 2)).body;
      if (page.items.length === 0) {
        expect(page.nextCursor).toBe(cursor);
        break;
      }
      paged.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(paged.map((n) => n.eventId)).toEqual(whole.items.map((n) => n.eventId));
    expect((await api.notifications(BORDER_POST, 0, 500)).body).toEqual(whole);

    expect((await api.get('/notifications')).status).toBe(400);
    expect((await api.get(`/notifications?recipient=${BORDER_POST}&after=-1`)).status).toBe(400);
  });
});

describe('account movements against the real store', () => {
  const db = `customs_release_e2e_accounts_${RUN}`;
  let connections: Connection[] = [];

  afterAll(async () => {
    await connections[0]?.dropDatabase().catch(() => undefined);
    await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
  });

  it('never overdraws or double-applies under concurrent debits from several replicas', async () => {
    // Four connections stand for four replicas moving one trader's account at once.
    connections = await Promise.all([1, 2, 3, 4].map(() => connectStore(MONGO_URL, db)));
    const repos = connections.map((c) => new MongoAccountRepository(c));
    await Promise.all(repos.map((r) => r.init()));
    await repos[0].createIfMissing({
      id: 'ACC-RACE',
      kind: 'guarantee',
      balance: '1000.00',
      currency: 'EUR',
      appliedEventIds: [],
      holder: 'NL100000099',
      authorisedDeclarants: [],
    });

    // 40 debits of 30.00 (only 33 fit), each sent twice through different replicas.
    const movement = (i: number) => ({ id: `debit-${i}`, kind: 'debit' as const, amount: '30.00' });
    const attempts = Array.from({ length: 80 }, (_, k) => {
      const i = k % 40;
      return repos[k % 4].applyOnce('ACC-RACE', movement(i), (current) => {
        const r = debit(current, '30.00', movement(i).id);
        return r.outcome === 'applied'
          ? { balance: r.account.balance }
          : { refused: r.outcome === 'refused' ? r.error.code : 'duplicate' };
      });
    });
    const results = await Promise.all(attempts);
    const count = (o: string) => results.filter((r) => r.outcome === o).length;
    expect(count('applied')).toBe(33);
    expect(count('applied') + count('refused') + count('duplicate')).toBe(80);

    const ledger = await repos[1].history('ACC-RACE');
    expect(ledger.map((e) => e.version)).toEqual(Array.from({ length: 34 }, (_, v) => v));
    expect(new Set(ledger.map((e) => e.movementId)).size).toBe(34);
    // Every entry is the previous balance minus its debit: no lost update.
    for (let v = 1; v < ledger.length; v++) {
      expect(Number(ledger[v].balance)).toBeCloseTo(Number(ledger[v - 1].balance) - 30, 2);
    }
    const account = await repos[2].get('ACC-RACE', [ledger[1].movementId, 'never-applied']);
    expect(account?.appliedEventIds).toEqual([ledger[1].movementId]);
    expect(account?.balance).toBe('10');
    expect(account?.version).toBe(33);

    // A movement applied before is a duplicate, whatever replica sees it again.
    const applied = ledger[5].movementId;
    const again = await repos[3].applyOnce(
      'ACC-RACE',
      { id: applied, kind: 'debit', amount: '30.00' },
      () => ({ balance: '0' }),
    );
    expect(again.outcome).toBe('duplicate');
    expect((await repos[0].get('ACC-RACE'))?.balance).toBe('10');
  });
});
