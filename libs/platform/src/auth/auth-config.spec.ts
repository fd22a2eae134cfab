import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthConfigurationError, loadAuthConfig, loadHttpLimits } from './auth-config';
import { jsonDepth } from './body-depth.middleware';
import { authKeyPaths, LOCAL_JWT_AUDIENCE, LOCAL_JWT_ISSUER } from '../../../stack/src/auth-keys';
import * as local from './local-auth.defaults';

const pem = (type: 'ed25519' | 'ec' | 'rsa') =>
  (type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ed25519')
  ).publicKey.export({ type: 'spki', format: 'pem' }) as string;

describe('loadAuthConfig', () => {
  it('reads a PEM from AUTH_JWT_PUBLIC_KEY and picks the algorithm from the key', () => {
    expect(loadAuthConfig({ AUTH_JWT_PUBLIC_KEY: pem('ed25519') }).algorithm).toBe('EdDSA');
    expect(loadAuthConfig({ AUTH_JWT_PUBLIC_KEY: pem('ec') }).algorithm).toBe('ES256');
    expect(loadAuthConfig({ AUTH_JWT_PUBLIC_KEY: pem('rsa') }).algorithm).toBe('RS256');
  });

  it('accepts a PEM with escaped newlines (one-line environment values)', () => {
    const oneLine = pem('ed25519').replace(/\n/g, '\\n');
    expect(loadAuthConfig({ AUTH_JWT_PUBLIC_KEY: oneLine }).algorithm).toBe('EdDSA');
  });

  it('reads AUTH_JWT_PUBLIC_KEY_FILE, issuer and audience', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'auth-')), 'pub.pem');
    writeFileSync(file, pem('ed25519'));
    const c = loadAuthConfig({
      AUTH_JWT_PUBLIC_KEY_FILE: file,
      AUTH_JWT_ISSUER: 'https://idp.customs.example',
      AUTH_JWT_AUDIENCE: 'customs-api',
      AUTH_CLOCK_TOLERANCE_SECONDS: '5',
    });
    expect(c).toMatchObject({
      keySource: file,
      issuer: 'https://idp.customs.example',
      audience: 'customs-api',
      clockToleranceSeconds: 5,
    });
  });

  it('refuses to start without a usable key, naming the variable (fail closed)', () => {
    expect(() => loadAuthConfig({ AUTH_JWT_PUBLIC_KEY_FILE: '/nonexistent/key.pem' })).toThrow(
      /AUTH_JWT_PUBLIC_KEY_FILE="\/nonexistent\/key.pem": no such file/,
    );
    expect(() => loadAuthConfig({ AUTH_JWT_PUBLIC_KEY: 'not a key' })).toThrow(
      /AUTH_JWT_PUBLIC_KEY: not a PEM public key/,
    );
    const priv = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    // A private key given where the public one belongs: refused, so it is noticed.
    expect(() => loadAuthConfig({ AUTH_JWT_PUBLIC_KEY: priv as string })).toThrow(
      AuthConfigurationError,
    );
    expect(() =>
      loadAuthConfig({ AUTH_JWT_PUBLIC_KEY: pem('ed25519'), AUTH_CLOCK_TOLERANCE_SECONDS: '-1' }),
    ).toThrow(/AUTH_CLOCK_TOLERANCE_SECONDS/);
  });
});

describe('loadHttpLimits', () => {
  it('has bounded defaults', () => {
    expect(loadHttpLimits({})).toEqual({
      bodyLimitBytes: 1024 * 1024,
      rateLimit: 6000,
      addressRateLimit: 60000,
      rateWindowMs: 60000,
      trustProxyHops: 0,
    });
  });

  it('reads sizes with units and the rate limit', () => {
    expect(
      loadHttpLimits({
        HTTP_BODY_LIMIT: '512kb',
        HTTP_RATE_LIMIT: '20',
        HTTP_RATE_WINDOW_SECONDS: '10',
      }),
    ).toEqual({
      bodyLimitBytes: 512 * 1024,
      rateLimit: 20,
      addressRateLimit: 60000,
      rateWindowMs: 10000,
      trustProxyHops: 0,
    });
    expect(loadHttpLimits({ HTTP_BODY_LIMIT: '2MB' }).bodyLimitBytes).toBe(2 * 1024 * 1024);
  });

  it('names every bad value', () => {
    expect(() =>
      loadHttpLimits({
        HTTP_BODY_LIMIT: 'huge',
        HTTP_RATE_LIMIT: '0',
        HTTP_RATE_WINDOW_SECONDS: 'x',
      }),
    ).toThrow(/HTTP_BODY_LIMIT[\s\S]*HTTP_RATE_LIMIT[\s\S]*HTTP_RATE_WINDOW_SECONDS/);
    expect(() => loadHttpLimits({ HTTP_BODY_LIMIT: '1000gb' })).toThrow(/HTTP_BODY_LIMIT/);
  });
});

describe('bodyDepthLimit', () => {
  it('measures depth without recursion, and stops early', () => {
    expect(jsonDepth('x')).toBe(0);
    expect(jsonDepth({ a: [1, { b: 2 }] })).toBe(3);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonDepth(deep)).toBe(100_000);
    expect(jsonDepth(deep, 64)).toBe(65);
  });
});

describe('production mode (CUSTOMS_ENV=production)', () => {
  const prod = { CUSTOMS_ENV: 'production' };

  it('stops the service when the issuer or the audience is missing, naming each variable', () => {
    const withKey = { ...prod, AUTH_JWT_PUBLIC_KEY: pem('ed25519') };
    expect(() => loadAuthConfig({ ...withKey, AUTH_JWT_AUDIENCE: 'customs-api' })).toThrow(
      /AUTH_JWT_ISSUER is required in production/,
    );
    expect(() => loadAuthConfig({ ...withKey, AUTH_JWT_ISSUER: 'https://idp' })).toThrow(
      /AUTH_JWT_AUDIENCE is required in production/,
    );
    try {
      loadAuthConfig(prod);
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(AuthConfigurationError);
      expect((e as AuthConfigurationError).problems.map((p) => p.split(' ')[0])).toEqual([
        'AUTH_JWT_PUBLIC_KEY',
        'AUTH_JWT_ISSUER',
        'AUTH_JWT_AUDIENCE',
      ]);
    }
  });

  it('starts with all three given, and never takes the local defaults', () => {
    const c = loadAuthConfig({
      ...prod,
      AUTH_JWT_PUBLIC_KEY: pem('ed25519'),
      AUTH_JWT_ISSUER: 'https://idp.customs.example',
      AUTH_JWT_AUDIENCE: 'customs-api',
    });
    expect(c).toMatchObject({ issuer: 'https://idp.customs.example', audience: 'customs-api' });
  });

  it('outside production the local issuer and audience still apply', () => {
    const c = loadAuthConfig({ AUTH_JWT_PUBLIC_KEY: pem('ed25519') });
    expect(c).toMatchObject({ issuer: 'customs-local', audience: 'customs-clearance' });
    expect(
      loadAuthConfig({ CUSTOMS_ENV: 'local', AUTH_JWT_PUBLIC_KEY: pem('ed25519') }).issuer,
    ).toBe('customs-local');
  });

  it('refuses an unknown CUSTOMS_ENV rather than treating it as not production', () => {
    expect(() =>
      loadAuthConfig({ CUSTOMS_ENV: 'prod', AUTH_JWT_PUBLIC_KEY: pem('ed25519') }),
    ).toThrow(/CUSTOMS_ENV="prod": expected production or local/);
  });

  it("keeps the local defaults equal to the local stack's (duplicated so production code does not import it)", () => {
    expect([local.LOCAL_JWT_ISSUER, local.LOCAL_JWT_AUDIENCE]).toEqual([
      LOCAL_JWT_ISSUER,
      LOCAL_JWT_AUDIENCE,
    ]);
    for (const env of [
      {},
      { CUSTOMS_DATA_DIR: '/data/x' },
      { XDG_CACHE_HOME: '/c' },
      { CUSTOMS_CACHE_DIR: '/k' },
    ])
      expect(local.localJwtPublicKeyFile(env)).toBe(authKeyPaths(env).publicKey);
  });
});
