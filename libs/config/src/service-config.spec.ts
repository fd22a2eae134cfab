import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, loadServiceConfig } from './service-config';

describe('loadServiceConfig', () => {
  it('gives local defaults', () => {
    const c = loadServiceConfig('risk', {});
    expect(c.KAFKA_BROKERS).toBe('127.0.0.1:9092');
    expect(c.mongoDb).toBe('customs_risk');
    expect(c.httpPort).toBe(3001);
    expect(c.KAFKA_PARTITIONS).toBe(6);
  });

  it('reads and converts values', () => {
    const c = loadServiceConfig('intake', {
      KAFKA_PARTITIONS: '12',
      HTTP_PORT: '8080',
      MONGO_DB: 'x',
    });
    expect(c.KAFKA_PARTITIONS).toBe(12);
    expect(c.httpPort).toBe(8080);
    expect(c.mongoDb).toBe('x');
  });

  it('fails fast naming every bad value', () => {
    try {
      loadServiceConfig('intake', {
        KAFKA_PARTITIONS: 'many',
        MONGO_URL: 'http://x',
        VALUATION_BASIS: 'XYZ',
      });
      throw new Error('expected a ConfigurationError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigurationError);
      const msg = (e as Error).message;
      expect(msg).toMatch(/KAFKA_PARTITIONS/);
      expect(msg).toMatch(/MONGO_URL/);
      expect(msg).toMatch(/VALUATION_BASIS/);
    }
  });

  it('takes a store login with its password from a file, authenticated on its own database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mongo-'));
    writeFileSync(join(dir, 'pw'), 'p4ss\n');
    const c = loadServiceConfig('risk', {
      MONGO_USERNAME: 'svc-risk',
      MONGO_PASSWORD_FILE: join(dir, 'pw'),
    });
    expect(c.mongoAuth).toEqual({
      username: 'svc-risk',
      password: 'p4ss',
      authSource: 'customs_risk',
    });
    expect(loadServiceConfig('risk', {}).mongoAuth).toBeUndefined();
    expect(() => loadServiceConfig('risk', { MONGO_USERNAME: 'svc-risk' })).toThrow(
      /MONGO_USERNAME and MONGO_PASSWORD_FILE go together/,
    );
    expect(() =>
      loadServiceConfig('risk', {
        MONGO_USERNAME: 'svc-risk',
        MONGO_PASSWORD_FILE: join(dir, 'no'),
      }),
    ).toThrow(/MONGO_PASSWORD_FILE=.*cannot be read/);
  });
});
