import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Admin,
  Kafka,
  KafkaConfig,
  logLevel,
  ResourcePatternTypes,
} from 'kafkajs';
import {
  aclsOf,
  AclGrant,
  allPrincipals,
  BROKER_SUPER_USER,
  PartnerRegistry,
  PrincipalSpec,
} from '@customs/contracts';
import { kafkaSecurityFromEnv } from '@customs/messaging';
import { stackPaths } from './stack-paths';

/**
 * Partners of the local stack: the border posts the simulator and the tests lodge for, and
 * one payment system. A real administration lists its own (see `customs stack principals`).
 */
export const LOCAL_PARTNERS: PartnerRegistry = {
  borderPosts: [
    'NL-RTM-MAASVLAKTE',
    'NL-AMS-SCHIPHOL',
    'NL-VNL-VENLO',
    'NL-RTM-01',
    'FR-BP-CALAIS',
    'GBDOV',
  ],
  paymentSystems: ['LOCAL-BANK'],
};

export const localPrincipals = (): PrincipalSpec[] => allPrincipals(LOCAL_PARTNERS);

/** The SCRAM mechanism of the local broker (the strongest Kafka offers). */
export const LOCAL_SASL_MECHANISM = 'scram-sha-512';
/** The controller listener's own user (PLAIN: KRaft controllers cannot use SCRAM). */
export const CONTROLLER_USER = 'controller';

export interface KafkaCredentials {
  /** SCRAM passwords by principal, generated once per data directory. */
  users: Record<string, string>;
  /** Principals whose SCRAM credentials the broker has (at format time or added since). */
  provisioned: string[];
}

export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(stackPaths(env).kafkaHome, 'credentials.json');
}

export function readCredentials(env: NodeJS.ProcessEnv = process.env): KafkaCredentials | null {
  const file = credentialsFile(env);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as KafkaCredentials;
}

export function writeCredentials(creds: KafkaCredentials, env: NodeJS.ProcessEnv = process.env) {
  const file = credentialsFile(env);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Passwords for every principal, the super user and the controller (new ones added). */
export function ensureCredentials(
  names: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): KafkaCredentials {
  const creds = readCredentials(env) ?? { users: {}, provisioned: [] };
  let changed = false;
  for (const name of [BROKER_SUPER_USER, CONTROLLER_USER, ...names])
    if (!creds.users[name]) {
      creds.users[name] = randomBytes(24).toString('base64url');
      changed = true;
    }
  if (changed || !existsSync(credentialsFile(env))) writeCredentials(creds, env);
  return creds;
}

/**
 * How a local tool connects as `principal`: the operator's KAFKA_SASL_* variables when set
 * (a real cluster), otherwise the local stack's generated credentials.
 */
export function localSecurity(
  principal: string,
  env: NodeJS.ProcessEnv = process.env,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (env.KAFKA_SASL_MECHANISM) return kafkaSecurityFromEnv(env);
  const creds = readCredentials(env);
  const password = creds?.users[principal];
  if (!password)
    throw new Error(
      `no local Kafka credentials for ${principal} in ${credentialsFile(env)}: run \`customs stack up\` (or set KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)`,
    );
  return {
    ssl: env.KAFKA_SSL === 'true',
    sasl: { mechanism: LOCAL_SASL_MECHANISM, username: principal, password },
  };
}

/** The KAFKA_SASL_* variables a service process is started with, for its principal. */
export function localSecurityEnv(
  principal: string,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  if (env.KAFKA_SASL_MECHANISM) return {};
  const sec = localSecurity(principal, env) as { sasl: { username: string; password: string } };
  return {
    KAFKA_SASL_MECHANISM: LOCAL_SASL_MECHANISM,
    KAFKA_SASL_USERNAME: sec.sasl.username,
    KAFKA_SASL_PASSWORD: sec.sasl.password,
  };
}

/** A kafkajs client of the local stack (or the configured brokers) as `principal`. */
export function localKafka(
  principal: string,
  opts: { clientId?: string; brokers?: string[]; env?: NodeJS.ProcessEnv; quiet?: boolean } = {},
): Kafka {
  const env = opts.env ?? process.env;
  return new Kafka({
    clientId: opts.clientId ?? `customs-${principal}`,
    brokers: opts.brokers ?? (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    ...localSecurity(principal, env),
    logLevel: opts.quiet === false ? logLevel.WARN : logLevel.NOTHING,
    retry: { initialRetryTime: 200, retries: 10 },
  });
}

/** A `--add-scram` argument of `kafka-storage format` / `kafka-configs --add-config`. */
export function scramEntry(name: string, password: string): string {
  return `SCRAM-SHA-512=[name=${name},password=${password}]`;
}

/**
 * The listener, authentication and authorisation part of server.properties: SASL/SCRAM on
 * the client listener (also inter-broker, as the super user), PLAIN on the controller
 * listener, KRaft's StandardAuthorizer with no access unless an ACL grants it.
 */
export function securityProperties(
  creds: KafkaCredentials,
  kafkaPort: number,
  controllerPort: number,
  /** Where it listens and what it tells clients (a container: 0.0.0.0 and its service name). */
  hosts: { listen: string; advertised: string } = { listen: '127.0.0.1', advertised: '127.0.0.1' },
): string[] {
  const su = BROKER_SUPER_USER;
  const q = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return [
    `listeners=SASL_PLAINTEXT://${hosts.listen}:${kafkaPort},CONTROLLER://${hosts.listen}:${controllerPort}`,
    `advertised.listeners=SASL_PLAINTEXT://${hosts.advertised}:${kafkaPort}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
    'inter.broker.listener.name=SASL_PLAINTEXT',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    'sasl.mechanism.controller.protocol=PLAIN',
    'listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512',
    `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${su}" password="${q(creds.users[su])}";`,
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    `listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${CONTROLLER_USER}" password="${q(creds.users[CONTROLLER_USER])}" user_${CONTROLLER_USER}="${q(creds.users[CONTROLLER_USER])}";`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found=false',
    `super.users=User:${su};User:${CONTROLLER_USER}`,
  ];
}

/** The client properties of the super user, for Kafka's own command-line tools. */
export function adminClientProperties(creds: KafkaCredentials): string {
  return [
    'security.protocol=SASL_PLAINTEXT',
    'sasl.mechanism=SCRAM-SHA-512',
    `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${BROKER_SUPER_USER}" password="${creds.users[BROKER_SUPER_USER]}";`,
    '',
  ].join('\n');
}

const RESOURCE: Record<AclGrant['resource'], AclResourceTypes> = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  'transactional-id': AclResourceTypes.TRANSACTIONAL_ID,
};
const OPERATION: Record<AclGrant['operations'][number], AclOperationTypes> = {
  READ: AclOperationTypes.READ,
  WRITE: AclOperationTypes.WRITE,
  DESCRIBE: AclOperationTypes.DESCRIBE,
  DESCRIBE_CONFIGS: AclOperationTypes.DESCRIBE_CONFIGS,
  DELETE: AclOperationTypes.DELETE,
};
const PATTERN = {
  literal: ResourcePatternTypes.LITERAL,
  prefixed: ResourcePatternTypes.PREFIXED,
};

interface AclEntry {
  resourceType: AclResourceTypes;
  resourceName: string;
  resourcePatternType: ResourcePatternTypes;
  principal: string;
  host: string;
  operation: AclOperationTypes;
  permissionType: AclPermissionTypes;
}

const entryKey = (a: AclEntry) =>
  [
    a.resourceType,
    a.resourceName,
    a.resourcePatternType,
    a.principal,
    a.host,
    a.operation,
    a.permissionType,
  ].join('|');

export function aclEntries(principals: readonly PrincipalSpec[]): AclEntry[] {
  return principals.flatMap((p) =>
    aclsOf(p).flatMap((g) =>
      g.operations.map((op) => ({
        resourceType: RESOURCE[g.resource],
        resourceName: g.name,
        resourcePatternType: PATTERN[g.pattern],
        principal: `User:${p.name}`,
        host: '*',
        operation: OPERATION[op],
        permissionType: AclPermissionTypes.ALLOW,
      })),
    ),
  );
}

/**
 * Makes the broker's ACLs those of the table: creates what is missing and deletes, for the
 * principals of the table, what the table no longer grants. ACLs of other principals are
 * left alone (an operator's own).
 */
export async function syncAcls(
  admin: Admin,
  principals: readonly PrincipalSpec[],
): Promise<{ created: number; deleted: number }> {
  const wanted = aclEntries(principals);
  const wantedKeys = new Set(wanted.map(entryKey));
  const names = new Set(principals.map((p) => `User:${p.name}`));
  const described = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  const existing: AclEntry[] = described.resources.flatMap((r) =>
    r.acls.map((a) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      resourcePatternType: r.resourcePatternType,
      principal: a.principal,
      host: a.host,
      operation: a.operation,
      permissionType: a.permissionType,
    })),
  );
  const existingKeys = new Set(existing.map(entryKey));
  const missing = wanted.filter((a) => !existingKeys.has(entryKey(a)));
  const stale = existing.filter((a) => names.has(a.principal) && !wantedKeys.has(entryKey(a)));
  if (missing.length > 0) await admin.createAcls({ acl: missing });
  if (stale.length > 0) await admin.deleteAcls({ filters: stale });
  return { created: missing.length, deleted: stale.length };
}
