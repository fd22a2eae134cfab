import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { loadServiceConfig } from '@customs/config';
import {
  aclsOf,
  ALL_TOPICS,
  dlqTopic,
  operatorPrincipals,
  servicePrincipals,
  SERVICES,
} from '@customs/contracts';

jest.setTimeout(300_000);

const root = join(__dirname, '..');
const KUSTOMIZE = 'sigs.k8s.io/kustomize/kustomize/v5@v5.7.1';

/** kustomize from PATH, else built once from the Go module proxy (pinned). */
function kustomize(): string {
  if (spawnSync('kustomize', ['version']).status === 0) return 'kustomize';
  const gobin = join(
    execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim() || join(homedir(), 'go'),
    'bin',
    'kustomize',
  );
  if (!existsSync(gobin)) execFileSync('go', ['install', KUSTOMIZE], { stdio: 'inherit' });
  return gobin;
}

// Rendered manifests are untyped YAML: the assertions are the schema.
type Doc = {
  kind: string;
  metadata: { name: string; namespace?: string };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: Record<string, any>;
  data?: Record<string, string>;
};

function render(path: string): Doc[] {
  const yaml = execFileSync(kustomize(), ['build', join(root, path)], { encoding: 'utf8' });
  return (loadAll(yaml) as Doc[]).filter(Boolean);
}

describe('deploy/k8s renders and agrees with the contracts', () => {
  const docs = render('deploy/k8s/overlays/production');
  const of = (kind: string) => docs.filter((d) => d.kind === kind);

  it('provisions exactly the contract topics, alike and kept forever', () => {
    const topics = of('KafkaTopic');
    expect(topics.map((t) => t.spec!.topicName).sort()).toEqual(
      [...ALL_TOPICS, ...SERVICES.map(dlqTopic)].sort(),
    );
    expect(new Set(topics.map((t) => t.spec!.partitions)).size).toBe(1);
    for (const t of topics) {
      expect(String(t.spec!.config['retention.ms'])).toBe('-1');
      expect(String(t.spec!.config['retention.bytes'])).toBe('-1');
      expect(t.spec!.config['cleanup.policy']).toBe('delete');
    }
  });

  it('runs every service non-root with probes, resources, a stable replica id, an autoscaler and a disruption budget', () => {
    const partitions = of('KafkaTopic')[0].spec!.partitions as number;
    for (const service of SERVICES) {
      const deployment = of('Deployment').find((d) => d.metadata.name === service)!;
      expect(deployment).toBeDefined();
      const pod = deployment.spec!.template.spec;
      const container = pod.containers[0];
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.resources.requests.cpu).toBeDefined();
      expect(container.resources.limits.memory).toBeDefined();
      expect(container.env).toEqual(
        expect.arrayContaining([
          { name: 'SERVICE', value: service },
          { name: 'REPLICA_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ]),
      );
      const hpa = of('HorizontalPodAutoscaler').find((h) => h.metadata.name === service)!;
      // More replicas than partitions would sit idle in the consumer group.
      expect(hpa.spec!.maxReplicas).toBeLessThanOrEqual(partitions);
      expect(of('PodDisruptionBudget').some((p) => p.metadata.name === service)).toBe(true);
    }
  });

  it('configures the services with values their own validation accepts, and no secret', () => {
    const config = of('ConfigMap')[0].data!;
    expect(Number(config.KAFKA_PARTITIONS)).toBe(of('KafkaTopic')[0].spec!.partitions);
    expect(Object.keys(config).some((k) => /PASSWORD|SECRET|MONGO_URL/.test(k))).toBe(false);
    for (const service of SERVICES) {
      expect(() =>
        loadServiceConfig(service, { ...config, MONGO_URL: 'mongodb://user:pw@mongo:27017' }),
      ).not.toThrow();
    }
  });

  it("gives every service its own Kafka user, with the principals table's ACLs, and its own store login", () => {
    const users = of('KafkaUser');
    const principals = servicePrincipals();
    // Every service and operator of the table, nothing else (partners are added per site).
    expect(users.map((u) => u.metadata.name).sort()).toEqual(
      [...principals, ...operatorPrincipals()].map((p) => p.name).sort(),
    );
    for (const p of principals) {
      const user = users.find((u) => u.metadata.name === p.name)!;
      expect(user.spec!.authentication).toEqual({ type: 'scram-sha-512' });
      expect(user.spec!.authorization.acls).toHaveLength(aclsOf(p).length);
    }
    for (const service of [...SERVICES, 'audit']) {
      const deployment = of('Deployment').find((d) => d.metadata.name === service)!;
      const env = deployment.spec!.template.spec.containers[0].env as {
        name: string;
        value?: string;
        valueFrom?: { secretKeyRef?: { name: string; key: string } };
      }[];
      const at = (name: string) => env.find((e) => e.name === name);
      expect(at('KAFKA_SASL_USERNAME')?.value).toBe(`svc-${service}`);
      expect(at('KAFKA_SASL_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
        name: `svc-${service}`,
        key: 'password',
      });
      if (service !== 'audit') expect(at('MONGO_USERNAME')?.value).toBe(`svc-${service}`);
    }
  });

  it('builds the image as a non-root user in its final stage', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/\nUSER node\n/);
    expect(dockerfile).toMatch(/AS build/);
  });
});
