import express from 'express';
import request from 'supertest';
import { addressRateLimit } from './address-rate-limit.middleware';
import { loadHttpLimits } from './auth-config';
import { forbiddenBodyKeys } from './body-depth.middleware';

/** The order bootstrap installs: address limit, body parser, key check, then "auth". */
function app(limit: number) {
  const parsed: string[] = [];
  const a = express();
  a.use(addressRateLimit({ addressRateLimit: limit, rateWindowMs: 60_000 }));
  a.use((req, _res, next) => {
    parsed.push(req.path);
    next();
  });
  a.use(express.json());
  a.use(forbiddenBodyKeys());
  // Every request fails authentication, as an attacker's would.
  a.use((_req, res) => res.status(401).json({ statusCode: 401 }));
  return { a, parsed };
}

describe('per-address rate limit, before parsing and authentication', () => {
  it('limits failed-auth traffic: 429 with Retry-After once the address used its window', async () => {
    const { a } = app(3);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await request(a).get('/declarations/x')).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await request(a).get('/declarations/x');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.body).toMatchObject({
      statusCode: 429,
      message: 'rate limit exceeded for this address: at most 3 requests per 60 s',
    });
  });

  it('answers 429 without reading the body', async () => {
    const { a, parsed } = app(1);
    await request(a).post('/x').set('content-type', 'application/json').send('{"a":1}');
    const refused = await request(a)
      .post('/x')
      .set('content-type', 'application/json')
      .send('{not json');
    expect(refused.status).toBe(429); // not 400: the parser never ran
    expect(parsed).toEqual(['/x']);
  });

  it('reads its limit from the environment, validated', () => {
    expect(loadHttpLimits({})).toMatchObject({ addressRateLimit: 60000, rateWindowMs: 60000 });
    expect(
      loadHttpLimits({ HTTP_ADDRESS_RATE_LIMIT: '50', HTTP_RATE_WINDOW_SECONDS: '10' }),
    ).toMatchObject({ addressRateLimit: 50, rateWindowMs: 10000 });
    expect(() => loadHttpLimits({ HTTP_ADDRESS_RATE_LIMIT: '0' })).toThrow(
      /HTTP_ADDRESS_RATE_LIMIT="0": an integer from 1/,
    );
    expect(loadHttpLimits({ HTTP_TRUST_PROXY: '1' }).trustProxyHops).toBe(1);
    expect(() => loadHttpLimits({ HTTP_TRUST_PROXY: 'yes' })).toThrow(/HTTP_TRUST_PROXY/);
  });
});

describe('forbidden keys in an HTTP body', () => {
  const post = (raw: string) =>
    request(app(100).a).post('/declarations').set('content-type', 'application/json').send(raw);

  it('refuses __proto__ sent as raw JSON (an own property after parsing), naming the path', async () => {
    const r = await post('{"lrn":"L1","declarant":{"__proto__":{"id":"NL2"}}}');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'request body has keys that are not allowed: declarant.__proto__',
      paths: ['declarant.__proto__'],
    });
  });

  it('refuses constructor and prototype anywhere, and lets ordinary bodies through', async () => {
    const r = await post('{"items":[{"constructor":{"prototype":{}}}],"prototype":1}');
    expect(r.status).toBe(400);
    // An object's own keys first, then what is nested in it.
    expect(r.body.paths).toEqual(['prototype', 'items[0].constructor']);
    expect((await post('{"lrn":"constructor","items":[]}')).status).toBe(401);
  });
});
