import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaSecurityFromEnv, parseBrokers } from './kafka-client.factory';

describe('Kafka security from the environment', () => {
  it('is plaintext by default', () => {
    expect(kafkaSecurityFromEnv({})).toEqual({ ssl: false });
  });

  it('takes TLS and SCRAM credentials', () => {
    expect(
      kafkaSecurityFromEnv({
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }),
    ).toEqual({ ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
  });

  it('refuses an unknown mechanism and missing credentials, naming them', () => {
    expect(() => kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: 'kerberos' })).toThrow(
      /KAFKA_SASL_MECHANISM=kerberos/,
    );
    expect(() =>
      kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }),
    ).toThrow(/KAFKA_SASL_PASSWORD/);
  });

  it('parses broker lists', () => {
    expect(parseBrokers(' a:9092, b:9093 ,')).toEqual(['a:9092', 'b:9093']);
  });

  it('reads the password from KAFKA_SASL_PASSWORD_FILE, and names the file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sasl-'));
    const file = join(dir, 'password');
    writeFileSync(file, 's3cret\n');
    expect(
      kafkaSecurityFromEnv({
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'svc-risk',
        KAFKA_SASL_PASSWORD_FILE: file,
      }),
    ).toEqual({
      ssl: false,
      sasl: { mechanism: 'scram-sha-512', username: 'svc-risk', password: 's3cret' },
    });
    expect(() =>
      kafkaSecurityFromEnv({
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'svc-risk',
        KAFKA_SASL_PASSWORD_FILE: join(dir, 'missing'),
      }),
    ).toThrow(/KAFKA_SASL_PASSWORD_FILE=.*missing: cannot be read/);
  });
});
