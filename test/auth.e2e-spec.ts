import { generateKeyPairSync } from 'node:crypto';
import { Declaration } from '@customs/contracts';
import { mrnCheckDigit } from '@customs/domain';
import { SERVICE_PORTS } from '@customs/stack';
import { mintToken } from '../libs/stack/src/auth-keys';
import {
  asAdmin,
  asAuditor,
  asBorderPost,
  asDeclarant,
  asOfficer,
  asPaymentSystem,
  bearer,
} from './support/auth-tokens';
import { PipelineHarness } from './support/pipeline.harness';

/**
 * Authentication and authorisation of every HTTP API against the real services: the
 * matrix role x endpoint x owner, 401/403, public probes, limits (413, 429, page sizes)
 * and operator payloads that must never reach the store.
 */
jest.setTimeout(180_000);

const RUN = Date.now().toString(36).toUpperCase();
const POST_A = `BP-AUTH-A-${RUN}`;
const POST_B = `BP-AUTH-B-${RUN}`;
/** Intake's rate limit in this spec: low enough to reach, high enough for the matrix. */
const RATE_LIMIT = 100;

const harness = new PipelineHarness();
const url = (service: keyof typeof SERVICE_PORTS, path: string) =>
  `http://127.0.0.1:${SERVICE_PORTS[service]}${path}`;

type Headers = Record<string, string>;
interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: globalThis.Headers;
}

async function call(
  service: keyof typeof SERVICE_PORTS,
  path: string,
  auth: Headers,
  body?: unknown,
): Promise<Answer> {
  const res = await fetch(url(service, path), {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
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

let owned: Declaration;
let mrn: string;
const D1 = () => owned.declarant.id;
const D2 = 'NL999999999';
const unknownMrn = (() => {
  const first17 = `26NL${`AUTH${RUN}`.padEnd(12, '0').slice(0, 12)}A`;
  return `${first17}${mrnCheckDigit(first17)}`;
})();

beforeAll(async () => {
  await Promise.all([
    harness.runner.start('intake', {
      env: { HTTP_RATE_LIMIT: String(RATE_LIMIT), HTTP_RATE_WINDOW_SECONDS: '60' },
    }),
    harness.runner.start('risk'),
    harness.runner.start('valuation'),
    harness.runner.start('release'),
  ]);
  const gen = harness.generator(808, 'AZ');
  owned = { ...gen.next(1), borderPost: POST_A };
  const lodged = await call('intake', '/declarations', await asDeclarant(D1()), owned);
  expect(lodged.status).toBe(202);
  mrn = lodged.body.mrn as string;
  // The status page is a read model: wait until it knows the declaration.
  const poller = await asAuditor(`poller.${RUN}`);
  // Up to 90 s: intake's consumer may first work through other runs' submissions.
  for (let i = 0; i < 360; i++) {
    if ((await call('intake', `/declarations/${mrn}`, poller)).status === 200) break;
    await new Promise((r) => setTimeout(r, 250));
  }
});

afterAll(async () => {
  await harness.stop();
});

describe('authentication', () => {
  it('keeps probes, metrics and API documents public on every service', async () => {
    for (const service of ['intake', 'risk', 'valuation', 'release'] as const) {
      expect((await call(service, '/health/live', {})).status).toBe(200);
      // Ready or not (a rebalance may be under way), the probe answers without a token.
      expect([200, 503]).toContain((await call(service, '/health/ready', {})).status);
      expect((await call(service, '/metrics', {})).status).toBe(200);
      expect((await call(service, '/api-docs.json', {})).status).toBe(200);
      expect((await call(service, '/asyncapi.json', {})).status).toBe(200);
    }
  });

  it('answers 401 with a reason for a missing, foreign, expired or forged token', async () => {
    const foreign = generateKeyPairSync('ed25519').privateKey;
    const claims = { sub: 'OFFICER-X', roles: ['officer'] };
    const cases: [string, Headers, RegExp][] = [
      ['none', {}, /bearer token is required/],
      ['basic', { authorization: 'Basic b2ZmaWNlcjpwdw==' }, /Bearer <JWT>/],
      [
        'foreign key',
        { authorization: `Bearer ${await mintToken(claims, { privateKey: foreign })}` },
        /signature/,
      ],
      ['expired', { authorization: `Bearer ${await mintToken(claims, { ttl: -120 })}` }, /expired/],
      [
        'other audience',
        { authorization: `Bearer ${await mintToken(claims, { audience: 'elsewhere' })}` },
        /aud/,
      ],
      [
        'alg none',
        {
          authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
            JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 60 }),
          ).toString('base64url')}.x`,
        },
        /./,
      ],
    ];
    for (const [what, auth, reason] of cases)
      for (const [service, path] of [
        ['release', '/work-queues/inspections'],
        ['intake', `/declarations/${mrn}`],
        ['risk', '/rulesets'],
      ] as const) {
        const a = await call(service, path, auth);
        expect({ what, path, status: a.status }).toEqual({ what, path, status: 401 });
        expect(String(a.body.message)).toMatch(reason);
        expect(a.headers.get('www-authenticate')).toMatch(/^Bearer /);
      }
  });
});

describe('authorisation: role x endpoint x owner', () => {
  it('reads a declaration: its declarant, its border post, officers, auditors, admins only', async () => {
    const expectations: [string, Headers, number][] = [
      ['owner declarant', await asDeclarant(D1()), 200],
      ['other declarant', await asDeclarant(D2), 403],
      ['its border post', await asBorderPost(POST_A), 200],
      ['other border post', await asBorderPost(POST_B), 403],
      ['officer', await asOfficer(), 200],
      ['auditor', await asAuditor(), 200],
      ['admin', await asAdmin(), 200],
      ['payment system', await asPaymentSystem(), 403],
    ];
    for (const [who, auth, status] of expectations)
      expect({ who, status: (await call('intake', `/declarations/${mrn}`, auth)).status }).toEqual({
        who,
        status,
      });
  });

  it('lodges: a declarant for itself, a border post at its post, an admin; nobody else', async () => {
    const gen = harness.generator(809, 'AY');
    const fresh = (i: number, over: Partial<Declaration> = {}) => ({
      ...gen.next(i),
      borderPost: POST_A,
      ...over,
    });
    const d = fresh(1);
    const refused: [string, Headers, unknown, RegExp][] = [
      ['other declarant', await asDeclarant(D2), d, /declarant.id must be your declarant id/],
      ['other border post', await asBorderPost(POST_B), d, /borderPost must be your border post/],
      ['officer', await asOfficer(), d, /requires the role/],
      ['auditor', await asAuditor(), d, /requires the role/],
      ['payment system', await asPaymentSystem(), d, /requires the role/],
    ];
    for (const [who, auth, body, reason] of refused) {
      const a = await call('intake', '/declarations', auth, body);
      expect({ who, status: a.status }).toEqual({ who, status: 403 });
      expect(String(a.body.message)).toMatch(reason);
    }
    expect(
      (await call('intake', '/declarations', await asDeclarant(d.declarant.id), d)).status,
    ).toBe(202);
    expect(
      (await call('intake', '/declarations', await asBorderPost(POST_A), fresh(2))).status,
    ).toBe(202);
    expect((await call('intake', '/declarations', await asAdmin(), fresh(3))).status).toBe(202);
    expect((await call('intake', '/declarations', {}, fresh(4))).status).toBe(401);
  });

  it('changes a declaration: only its declarant (amendment, invalidation)', async () => {
    const amend = `/declarations/${mrn}/amendments`;
    const invalidate = `/declarations/${mrn}/invalidation`;
    const cases: [string, Headers, string, unknown, number][] = [
      ['other declarant amends', await asDeclarant(D2), amend, { ...owned, lrn: owned.lrn }, 403],
      ['border post amends', await asBorderPost(POST_A), amend, owned, 403],
      ['officer amends', await asOfficer(), amend, owned, 403],
      ['auditor amends', await asAuditor(), amend, owned, 403],
      [
        'other declarant invalidates as itself',
        await asDeclarant(D2),
        invalidate,
        { reason: 'not mine', declarantId: D2 },
        403,
      ],
      [
        'other declarant invalidates naming the owner',
        await asDeclarant(D2),
        invalidate,
        { reason: 'not mine', declarantId: D1() },
        403,
      ],
      [
        'owner names another declarant',
        await asDeclarant(D1()),
        invalidate,
        { reason: 'typo', declarantId: D2 },
        403,
      ],
    ];
    for (const [who, auth, path, body, status] of cases)
      expect({ who, status: (await call('intake', path, auth, body)).status }).toEqual({
        who,
        status,
      });
    // The owner gets through to the service: an unchanged amendment is its 400 (409 once
    // the declaration is released).
    const own = await call('intake', amend, await asDeclarant(D1()), owned);
    expect([400, 409]).toContain(own.status);
  });

  it('gives each notification feed to its recipient; officers, auditors and admins read any', async () => {
    const feed = (r: string) => `/notifications?recipient=${encodeURIComponent(r)}&limit=5`;
    const cases: [string, Headers, string, number][] = [
      ['post reads own', await asBorderPost(POST_A), POST_A, 200],
      ['post reads other post', await asBorderPost(POST_A), POST_B, 403],
      ['post reads a declarant', await asBorderPost(POST_A), D1(), 403],
      ['declarant reads own', await asDeclarant(D1()), D1(), 200],
      ['declarant reads other', await asDeclarant(D1()), D2, 403],
      ['declarant reads a post', await asDeclarant(D1()), POST_A, 403],
      ['officer', await asOfficer(), POST_B, 200],
      ['auditor', await asAuditor(), D2, 200],
      ['admin', await asAdmin(), POST_A, 200],
      ['payment system', await asPaymentSystem(), POST_A, 403],
    ];
    for (const [who, auth, recipient, status] of cases)
      expect({ who, status: (await call('release', feed(recipient), auth)).status }).toEqual({
        who,
        status,
      });
  });

  it('lets only officers record controls and decide, as the token subject', async () => {
    const control = { control: 'documentary-check', outcome: 'conform' };
    const decision = { decision: 'release', grounds: ['seen'] };
    const paths: [string, unknown][] = [
      [`/declarations/${unknownMrn}/controls`, control],
      [`/declarations/${unknownMrn}/decision`, decision],
    ];
    for (const [path, body] of paths) {
      for (const [who, auth] of [
        ['admin', await asAdmin()],
        ['auditor', await asAuditor()],
        ['declarant', await asDeclarant(D1())],
        ['border post', await asBorderPost(POST_A)],
        ['payment system', await asPaymentSystem()],
      ] as const)
        expect({ who, path, status: (await call('release', path, auth, body)).status }).toEqual({
          who,
          path,
          status: 403,
        });
      // An officer passes authorisation: the unknown MRN is the service's 404.
      expect((await call('release', path, await asOfficer('OFFICER-7'), body)).status).toBe(404);
      const impostor = await call(
        'release',
        path,
        { ...(await asOfficer('OFFICER-7')), 'x-officer-id': 'OFFICER-8' },
        body,
      );
      expect(impostor.status).toBe(403);
      expect(String(impostor.body.message)).toMatch(/not the authenticated officer 'OFFICER-7'/);
    }
  });

  it('keeps work queues, rulesets and statistics to officers, auditors, admins; writes to officers', async () => {
    const readers: [string, Headers][] = [
      ['officer', await asOfficer()],
      ['auditor', await asAuditor()],
      ['admin', await asAdmin()],
    ];
    const others: [string, Headers][] = [
      ['declarant', await asDeclarant(D1())],
      ['border post', await asBorderPost(POST_A)],
      ['payment system', await asPaymentSystem()],
    ];
    const reads: [keyof typeof SERVICE_PORTS, string][] = [
      ['release', '/work-queues/documentary-checks?limit=5'],
      ['release', '/v1/work-queues/inspections?limit=5'],
      ['risk', '/rulesets'],
      ['risk', '/statistics'],
    ];
    for (const [service, path] of reads) {
      for (const [who, auth] of readers)
        expect({ who, path, status: (await call(service, path, auth)).status }).toEqual({
          who,
          path,
          status: 200,
        });
      for (const [who, auth] of others)
        expect({ who, path, status: (await call(service, path, auth)).status }).toEqual({
          who,
          path,
          status: 403,
        });
    }
    // Publishing a ruleset: an officer reaches the parser (400 for an empty one); auditors
    // and the rest are refused before it.
    expect((await call('risk', '/rulesets', await asOfficer(), {})).status).toBe(400);
    expect((await call('risk', '/rulesets', await asAdmin(), {})).status).toBe(400);
    for (const [who, auth] of [['auditor', await asAuditor()], ...others] as const)
      expect({ who, status: (await call('risk', '/rulesets', auth, {})).status }).toEqual({
        who,
        status: 403,
      });
  });

  it('takes payments from payment systems and admins only', async () => {
    const payment = {
      mrn: unknownMrn,
      amount: '10.00',
      currency: 'EUR',
      kind: 'payment',
      reference: `PAY-${RUN}`,
    };
    expect((await call('release', '/payments', await asPaymentSystem(), payment)).status).toBe(404);
    expect((await call('release', '/payments', await asAdmin(), payment)).status).toBe(404);
    for (const [who, auth] of [
      ['officer', await asOfficer()],
      ['auditor', await asAuditor()],
      ['declarant', await asDeclarant(D1())],
      ['border post', await asBorderPost(POST_A)],
    ] as const)
      expect({ who, status: (await call('release', '/payments', auth, payment)).status }).toEqual({
        who,
        status: 403,
      });
  });
});

describe('limits and store filters', () => {
  it('refuses a body over the limit with 413 before it is parsed', async () => {
    const huge = JSON.stringify({ ...owned, padding: 'x'.repeat(1100 * 1024) });
    const a = await call('intake', '/declarations', await asAdmin(), huge);
    expect(a.status).toBe(413);
    expect(a.body).toMatchObject({ statusCode: 413 });
  });

  it('limits the rate per identity (429 with Retry-After), not for the others', async () => {
    const noisy = await bearer({ sub: `noisy.${RUN}`, roles: ['auditor'] });
    const statuses: number[] = [];
    // An unknown MRN: authorised, counted, answered 404 until the limit.
    const path = `/declarations/${unknownMrn}`;
    for (let i = 0; i < RATE_LIMIT + 5; i++)
      statuses.push((await call('intake', path, noisy)).status);
    expect(statuses.slice(0, RATE_LIMIT).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(RATE_LIMIT)).toEqual([429, 429, 429, 429, 429]);
    const limited = await call('intake', path, noisy);
    expect(limited.status).toBe(429);
    expect(String(limited.body.message)).toMatch(/rate limit exceeded/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another identity is unaffected.
    const quiet = await bearer({ sub: `quiet.${RUN}`, roles: ['auditor'] });
    expect((await call('intake', path, quiet)).status).toBe(404);
  });

  it('bounds page sizes', async () => {
    const officer = await asOfficer();
    expect(
      (await call('release', `/notifications?recipient=${POST_A}&limit=501`, officer)).status,
    ).toBe(400);
    expect((await call('release', '/work-queues/inspections?limit=501', officer)).status).toBe(400);
    expect((await call('release', '/work-queues/inspections?limit=0', officer)).status).toBe(400);
  });

  it('never lets operator payloads ($ne, $gt, $where) reach the store', async () => {
    const officer = await asOfficer();
    const admin = await asAdmin();
    const enc = encodeURIComponent;
    const queries: [keyof typeof SERVICE_PORTS, string, Headers, number[]][] = [
      ['intake', `/declarations/${enc('{"$ne":null}')}`, admin, [400]],
      ['intake', `/declarations/${enc('{"$gt":""}')}`, admin, [400]],
      ['intake', `/declarations/${enc("'; return true; //")}`, admin, [400]],
      ['release', '/notifications?recipient[$ne]=x', officer, [400]],
      [
        'release',
        `/notifications?recipient=${enc(POST_A)}&$where=${enc('sleep(500)')}`,
        officer,
        [400],
      ],
      ['release', '/notifications?recipient=a&recipient=b', officer, [400]],
      ['release', '/work-queues/inspections?borderPost[$ne]=x', officer, [400]],
      ['release', '/work-queues/inspections?office[$gt]=', officer, [400]],
      ['release', `/work-queues/inspections?cursor=${enc('{"$gt":""}')}`, officer, [400]],
      ['risk', `/rulesets/${enc('{"$ne":null}')}`, officer, [404]],
      ['risk', '/statistics?rulesetVersion[$ne]=x', officer, [400]],
    ];
    for (const [service, path, auth, statuses] of queries) {
      const a = await call(service, path, auth);
      expect({ path, ok: statuses.includes(a.status) }).toEqual({ path, ok: true });
    }
    // A literal operator-looking string is only a string: an empty feed, not everyone's.
    const literal = await call(
      'release',
      `/notifications?recipient=${enc('{"$ne":null}')}`,
      officer,
    );
    expect(literal.status).toBe(200);
    expect(literal.body.items).toEqual([]);

    const bodies: [keyof typeof SERVICE_PORTS, string, Headers, unknown][] = [
      [
        'release',
        '/payments',
        admin,
        { mrn: { $ne: null }, amount: '1.00', currency: 'EUR', kind: 'payment', reference: 'R1' },
      ],
      [
        'release',
        '/payments',
        admin,
        {
          mrn: unknownMrn,
          amount: '1.00',
          currency: 'EUR',
          kind: 'payment',
          reference: 'R2',
          $where: '1',
        },
      ],
      [
        'intake',
        '/declarations',
        admin,
        { ...owned, declarant: { ...owned.declarant, id: { $ne: null } } },
      ],
      ['intake', '/declarations', admin, { ...owned, lrn: { $gt: '' } }],
      [
        'intake',
        `/declarations/${mrn}/invalidation`,
        admin,
        { reason: 'x'.repeat(5), declarantId: { $ne: null } },
      ],
      [
        'release',
        `/declarations/${unknownMrn}/controls`,
        officer,
        { control: { $ne: null }, outcome: 'conform' },
      ],
    ];
    for (const [service, path, auth, body] of bodies) {
      const a = await call(service, path, auth, body);
      expect({ path, status: a.status }).toEqual({ path, status: 400 });
    }
  });
});
