import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { writeComposeSecrets } from './compose-secrets';
import { localPrincipals } from './kafka-security';

describe('writeComposeSecrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compose-secrets-'));
  const files = writeComposeSecrets(dir);
  const read = (...p: string[]) => readFileSync(join(dir, ...p), 'utf8');

  it('bootstraps a SCRAM user for every principal of the table at format time', () => {
    const start = read('kafka', 'start.sh');
    for (const p of localPrincipals())
      expect(start).toContain(`--add-scram 'SCRAM-SHA-512=[name=${p.name},password=`);
    expect(start).toContain("--add-scram 'SCRAM-SHA-512=[name=kafka-admin,");
    expect(start).toMatch(
      /exec \/opt\/kafka\/bin\/kafka-server-start\.sh \/secrets\/kafka\/server\.properties/,
    );
    const props = read('kafka', 'server.properties');
    expect(props).toContain('listeners=SASL_PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093');
    expect(props).toContain('advertised.listeners=SASL_PLAINTEXT://kafka:9092');
    expect(props).toContain('allow.everyone.if.no.acl.found=false');
    expect(props).toContain(
      'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    );
  });

  it('gives each service readWrite on its own database only, and keeps passwords on a rerun', () => {
    const users = read('mongo-init', 'users.js');
    for (const s of ['intake', 'risk', 'valuation', 'release'])
      expect(users).toContain(
        `db.getSiblingDB("customs_${s}").createUser({ user: "svc-${s}", pwd: "${read('store-auth', 'passwords', `svc-${s}`)}", roles: [{ role: 'readWrite', db: "customs_${s}" }] });`,
      );
    const before = read('kafka', 'passwords', 'svc-risk');
    writeComposeSecrets(dir);
    expect(read('kafka', 'passwords', 'svc-risk')).toBe(before);
    expect(files.length).toBeGreaterThan(10);
  });

  it('holds every file docker-compose.yml points the services at', () => {
    const compose = load(
      readFileSync(join(__dirname, '..', '..', '..', 'docker-compose.yml'), 'utf8'),
    ) as { services: Record<string, { environment?: Record<string, string> }> };
    for (const name of ['intake', 'risk', 'valuation', 'release', 'audit']) {
      const env = compose.services[name].environment!;
      expect(env.KAFKA_SASL_USERNAME).toBe(`svc-${name}`);
      for (const key of [
        'KAFKA_SASL_PASSWORD_FILE',
        'CUSTOMS_SIGNING_KEY_FILE',
        'CUSTOMS_KEY_REGISTRY_FILE',
        'AUTH_JWT_PUBLIC_KEY_FILE',
        ...(name === 'audit' ? [] : ['MONGO_PASSWORD_FILE']),
      ])
        expect([name, key, existsSync(env[key].replace(/^\/keys/, dir))]).toEqual([
          name,
          key,
          true,
        ]);
    }
  });
});
