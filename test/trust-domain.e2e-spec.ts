import { signedSubmissions } from './support/record-signers';
import {
  CURRENT_SCHEMA_VERSION,
  Declaration,
  EVENT_TYPES,
  EventEnvelope,
  firstEvent,
  HeldPayload,
  RejectedPayload,
  ReleasedPayload,
  SubmittedPayload,
  TOPICS,
} from '@customs/contracts';
import { connectStore, MongoAccountRepository } from '@customs/persistence';
import { SERVICE_PORTS } from '@customs/stack';
import { Connection } from 'mongoose';
import { creditRecord, openingRecord } from '../apps/cli/src/accounts/account-events.builder';
import {
  publishAccountEvents,
  publishSeedAccounts,
} from '../apps/cli/src/accounts/accounts.publisher';
import { asAdmin, asBorderPost, asDeclarant } from './support/auth-tokens';
import { PipelineHarness } from './support/pipeline.harness';
import {
  NotificationItem,
  NotificationsPage,
  ReleaseApiClient,
} from './support/release-api.client';

/**
 * Domain authorisation (issue 14, item 5) against the real services: whose guarantee may
 * secure a declaration, that no refusal tells a balance to anyone but its holder, that
 * accounts exist only once opened on customs.accounts.v1, typed border posts, forbidden
 * JSON keys, and the per-address rate limit that runs before authentication.
 */
jest.setTimeout(180_000);

const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const RUN = Date.now().toString(36).toUpperCase();
/** This run's border post (a BP-TRUST- test post: accepted outside production mode only). */
const POST = `BP-TRUST-${RUN}`;
/** Low enough to reach in a test, high enough for the rest of this spec's calls to intake. */
const ADDRESS_LIMIT = 200;

const harness = new PipelineHarness();
const release = new ReleaseApiClient();
const intakeUrl = `http://127.0.0.1:${SERVICE_PORTS.intake}`;
let store: Connection;
let accounts: MongoAccountRepository;

beforeAll(async () => {
  await Promise.all([
    harness.runner.start('intake', {
      env: { HTTP_ADDRESS_RATE_LIMIT: String(ADDRESS_LIMIT), HTTP_RATE_WINDOW_SECONDS: '60' },
    }),
    harness.runner.start('risk'),
    harness.runner.start('valuation'),
    harness.runner.start('release'),
  ]);
  await publishSeedAccounts(harness.kafka);
  await harness.producer.connect();
  await harness.watcher.start();
  store = await connectStore(MONGO_URL, process.env.RELEASE_MONGO_DB ?? 'customs_release');
  accounts = new MongoAccountRepository(store);
});

afterAll(async () => {
  await store?.close().catch(() => undefined);
  await harness.stop();
});

/** A green-lane declaration (furniture, no rule, no price band) by `declarant`. */
function declaration(lrn: string, declarant: string, guaranteeReference?: string): Declaration {
  return {
    lrn,
    declarationType: 'import',
    procedureCode: '4000',
    declarant: { id: declarant, name: 'Trust e2e', country: 'NL' },
    importer: { id: declarant, name: 'Trust e2e', country: 'NL' },
    officeOfLodgement: 'NL000396',
    borderPost: POST,
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
    ...(guaranteeReference ? { guaranteeReference } : {}),
    items: [
      {
        itemNumber: 1,
        commodityCode: '940360',
        description: 'Wooden bedroom furniture',
        originCountry: 'US',
        quantity: '10',
        unit: 'NAR',
        netMass: '300.0',
        grossMass: '320.0',
        invoiceAmount: '12000.00',
        documents: [{ code: 'N935', reference: `INV-${lrn}` }],
      },
    ],
  };
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function post(
  path: string,
  body: string,
  auth: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${intakeUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body,
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Lodges as the declarant itself; the MRN. */
async function lodge(d: Declaration): Promise<string> {
  const a = await post('/declarations', JSON.stringify(d), await asDeclarant(d.declarant.id));
  expect(a.status).toBe(202);
  return a.body.mrn as string;
}

async function outcome(lrn: string): Promise<EventEnvelope> {
  const pending = await harness.watcher.waitFor(
    [lrn],
    (o) => o.some((x) => x.topic === TOPICS.held || x.topic === TOPICS.released),
    90_000,
  );
  expect(pending).toEqual([]);
  return harness.events(lrn).find((x) => x.topic === TOPICS.held || x.topic === TOPICS.released)!
    .event;
}

/** The notifications about `mrn` in a feed, once there are some. */
async function feed(
  recipient: string,
  kind: 'declarant' | 'border-post',
  auth: Record<string, string>,
  mrn: string,
) {
  // The feed of a seed trader is long on a used stack: read it all, page by page.
  const all = async () => {
    const items: NotificationItem[] = [];
    for (let after = 0; ;) {
      const page = await release.get<NotificationsPage>(
        `/notifications?recipient=${encodeURIComponent(recipient)}&kind=${kind}&after=${after}&limit=500`,
        auth,
      );
      if (page.status !== 200) return page;
      items.push(...page.body.items);
      if (page.body.items.length < 500) return { ...page, body: { ...page.body, items } };
      after = page.body.nextCursor;
    }
  };
  const page = await release.until(
    `notifications about ${mrn} for ${kind} ${recipient}`,
    all,
    (a) => a.status === 200 && a.body.items.some((n) => n.mrn === mrn && n.code !== '01'),
    60_000,
  );
  return page.body.items.filter((n) => n.mrn === mrn);
}

const debitOf = async (accountId: string, mrn: string) =>
  (await accounts.history(accountId)).filter((e) => e.movementId === `release/${mrn}/debit`);

describe("another trader's guarantee", () => {
  it('is refused: held for payment, never debited, and no balance in any answer or notification', async () => {
    // NL100000038 holds GUA-NL100000038; GUA-NL100000039 is NL100000039's.
    const foreign = 'GUA-NL100000039';
    const before = await accounts.get(foreign);
    expect(before?.openedBy).toBeDefined();
    const d = declaration(`TD-${RUN}-FOREIGN`, 'NL100000038', foreign);
    const mrn = await lodge(d);

    const held = await outcome(d.lrn);
    expect(held.type).toBe(EVENT_TYPES.held);
    const r = (held.payload as HeldPayload).release;
    // Risk may also pick it for a documentary check (random selection): payment it waits
    // for in any case, since the foreign guarantee secures nothing.
    expect(r.waitingFor).toContain('payment');
    expect(r.reasons).toEqual(['guarantee-not-authorised']);
    expect(r.account).toBeUndefined();
    expect(await debitOf(foreign, mrn)).toEqual([]);

    const balance = (await accounts.get(foreign))!.balance;
    const declarantFeed = await feed(
      'NL100000038',
      'declarant',
      await asDeclarant('NL100000038'),
      mrn,
    );
    const postFeed = await feed(POST, 'border-post', await asBorderPost(POST), mrn);
    for (const list of [declarantFeed, postFeed]) {
      // One held notice: 54 when it waits for payment only; when risk also drew a control
      // (random selection), release sends the control's code (05, 06) with the same reason.
      const notices = list.filter((x) => x.code !== '01');
      expect(notices).toHaveLength(1);
      const [n] = notices;
      expect(['54', '05', '06']).toContain(n.code);
      if (n.code === '54')
        expect(n.text).toBe(
          `Declaration ${mrn} held: waiting for payment (the named account may not be used by this declarant)`,
        );
      else
        expect(n.text).toMatch(
          new RegExp(
            `^Declaration ${mrn} held: waiting for .*payment \\(the named account may not be used by this declarant\\)$`,
          ),
        );
      expect(JSON.stringify(n)).not.toContain(balance);
    }
    // The status page the declarant reads tells no figure of the account either.
    const status = await fetch(`${intakeUrl}/declarations/${mrn}`, {
      headers: await asDeclarant('NL100000038'),
    });
    const text = await status.text();
    expect(text).not.toContain(balance);
    expect(text).not.toMatch(/"available"/);
  });

  it('secures on the account of the trader a representative is authorised for (seed: NL900000001 for GUA-NL100000001)', async () => {
    const d = {
      ...declaration(`TD-${RUN}-AGENT`, 'NL900000001', 'GUA-NL100000001'),
      importer: { id: 'NL100000001', name: 'Principal', country: 'NL' },
    };
    const mrn = await lodge(d);
    const released = await outcome(d.lrn);
    expect(released.type).toBe(EVENT_TYPES.released);
    expect((released.payload as ReleasedPayload).release).toMatchObject({
      securedBy: 'guarantee',
      debtFinal: false,
      account: { id: 'GUA-NL100000001' },
    });
    expect(await debitOf('GUA-NL100000001', mrn)).toHaveLength(1);
  });

  it('shows the figures of a short account to its holder only', async () => {
    const id = `GUA-TRUST-${RUN}`;
    await publishAccountEvents(harness.kafka, [
      openingRecord(
        {
          accountId: id,
          holder: 'NL100000036',
          kind: 'guarantee',
          currency: 'EUR',
          openingBalance: '50.00',
          authorisedDeclarants: [],
        },
        new Date().toISOString(),
      ),
    ]);
    await release.until(
      `release opened ${id}`,
      async () => ({ status: 200, body: await accounts.get(id) }),
      (a) => a.body?.openedBy !== undefined,
      30_000,
    );
    const d = declaration(`TD-${RUN}-SHORT`, 'NL100000036', id);
    const mrn = await lodge(d);
    const held = await outcome(d.lrn);
    expect((held.payload as HeldPayload).release.reasons).toEqual(['insufficient-balance']);

    const own = await feed('NL100000036', 'declarant', await asDeclarant('NL100000036'), mrn);
    const theirs = await feed(POST, 'border-post', await asBorderPost(POST), mrn);
    // The held notice: 15 (insufficient guarantee balance), or the code of a control that
    // random selection drew as well (05, 06), with the same account sentence.
    const heldNotice = (list: NotificationItem[]) => {
      const notices = list.filter((n) => n.code !== '01');
      expect(notices).toHaveLength(1);
      expect(['15', '05', '06']).toContain(notices[0].code);
      return notices[0].text;
    };
    expect(heldNotice(own)).toMatch(/has 50(\.00)?, needs /);
    const atPost = heldNotice(theirs);
    expect(atPost).toMatch(/insufficient balance on guarantee account/);
    expect(atPost).not.toMatch(/50\.00|has 50|needs/);

    // A credit is an event too, applied once however often it is written.
    const credit = creditRecord(
      { accountId: id, amount: '1000.00', reference: `TOPUP-${RUN}` },
      new Date().toISOString(),
    );
    await publishAccountEvents(harness.kafka, [credit]);
    await publishAccountEvents(harness.kafka, [credit]);
    const credited = await release.until(
      `credit on ${id}`,
      async () => ({ status: 200, body: await accounts.get(id) }),
      (a) => a.body?.balance === '1050',
      30_000,
    );
    expect(credited.body?.balance).toBe('1050');
  });

  it('an account written straight into the store secures nothing (not opened on the log)', async () => {
    const id = `GUA-STORE-${RUN}`;
    await accounts.createIfMissing({
      id,
      kind: 'guarantee',
      balance: '1000000.00',
      currency: 'EUR',
      appliedEventIds: [],
      holder: 'NL100000035',
      authorisedDeclarants: [],
    });
    const d = declaration(`TD-${RUN}-STORE`, 'NL100000035', id);
    const mrn = await lodge(d);
    const held = await outcome(d.lrn);
    expect((held.payload as HeldPayload).release.reasons).toEqual(['account-not-found']);
    expect(await debitOf(id, mrn)).toEqual([]);
  });
});

describe('border posts and forbidden keys', () => {
  it('refuses a declaration naming a border post that is not in the registry', async () => {
    const d = { ...declaration(`TD-${RUN}-NOPOST`, 'NL100000034'), borderPost: 'NL-NOWHERE-1' };
    const a = await post('/declarations', JSON.stringify(d), await asAdmin());
    expect(a.status).toBe(400);
    expect(a.body.reasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'UNKNOWN_BORDER_POST', path: 'borderPost' }),
      ]),
    );
  });

  it('refuses __proto__, constructor and prototype keys in an HTTP body with 400 naming the path', async () => {
    const good = JSON.stringify(declaration(`TD-${RUN}-PROTO`, 'NL100000034'));
    const cases: [string, string[]][] = [
      [`{"__proto__":{"admin":true},${good.slice(1)}`, ['__proto__']],
      [
        good.replace('"declarant":{', '"declarant":{"__proto__":{"id":"NL999999999"},'),
        ['declarant.__proto__'],
      ],
      [
        good.replace('"items":[{', '"items":[{"constructor":{"prototype":{}},'),
        ['items[0].constructor'],
      ],
    ];
    for (const [body, paths] of cases) {
      const a = await post('/declarations', body, await asAdmin());
      expect({ status: a.status, paths: a.body.paths }).toEqual({ status: 400, paths });
    }
    // The same keys on the other endpoints too (release's payments adapter).
    const pay = await fetch(`http://127.0.0.1:${SERVICE_PORTS.release}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await asAdmin()) },
      body: '{"mrn":"X","__proto__":{"amount":"1"}}',
    });
    expect(pay.status).toBe(400);
    // Nothing was polluted in this process or, judging by a good lodgement, in intake.
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect((await post('/declarations', good, await asAdmin())).status).toBe(202);
  });

  it('rejects a declaration submitted over Kafka with a __proto__ key, naming the path', async () => {
    const d = JSON.parse(
      // Lodged at a local border post and signed with its key, as a post would send it.
      JSON.stringify({
        ...declaration(`TD-${RUN}-KPROTO`, 'NL100000034'),
        borderPost: 'NL-RTM-MAASVLAKTE',
      }).replace('"declarant":{', '"declarant":{"__proto__":{"id":"NL999999999"},'),
    ) as Declaration;
    const event = firstEvent<SubmittedPayload>({
      type: EVENT_TYPES.submitted,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      lrn: d.lrn,
      producer: 'trust-e2e',
      payload: { declaration: d, channel: 'kafka' },
    });
    await harness.producer.send({
      topic: TOPICS.submitted,
      messages: signedSubmissions([{ key: d.lrn, value: JSON.stringify(event) }]),
    });
    const pending = await harness.watcher.waitFor(
      [d.lrn],
      (o) => o.some((x) => x.topic === TOPICS.rejected || x.topic === TOPICS.accepted),
      60_000,
    );
    expect(pending).toEqual([]);
    const rejected = harness.events(d.lrn).find((x) => x.topic === TOPICS.rejected);
    expect((rejected?.event.payload as RejectedPayload).reasons).toEqual([
      expect.objectContaining({
        code: 'FORBIDDEN_KEY',
        path: 'payload.declaration.declarant.__proto__',
      }),
    ]);
  });
});

describe('per-address rate limit', () => {
  // Last: it spends this address's window at intake.
  it('answers 429 with Retry-After before authentication and before the body is parsed', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < ADDRESS_LIMIT + 5 && !statuses.includes(429); i++)
      statuses.push((await fetch(`${intakeUrl}/declarations/NOPE`)).status);
    // Failed authentication is counted: 401 until the window is spent, then 429.
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
    expect(statuses.length).toBeLessThanOrEqual(ADDRESS_LIMIT + 1);

    const unparsable = await post('/declarations', '{not json', await asAdmin());
    expect(unparsable.status).toBe(429); // not 400: the body was never read
    expect(Number(unparsable.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(String(unparsable.body.message)).toMatch(/rate limit exceeded for this address/);
    // A valid token does not lift it: the address is limited before anyone is authenticated.
    const authenticated = await fetch(`${intakeUrl}/declarations/NOPE`, {
      headers: await asAdmin(),
    });
    expect(authenticated.status).toBe(429);
    // Other services keep their own count.
    expect((await fetch(`http://127.0.0.1:${SERVICE_PORTS.release}/health/live`)).status).toBe(200);
  });
});
