import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ADMIN_PRINCIPAL, BROKER_SUPER_USER, TOPICS } from '@customs/contracts';
import { ensureTopics } from '@customs/messaging';
import { ensureAuthKeys } from './auth-keys';
import {
  adminClientProperties,
  ensureCredentials,
  localPrincipals,
  localSecurity,
  scramEntry,
  securityProperties,
  syncAcls,
} from './kafka-security';
import { waitFor } from './process-tools';
import { ensureSigningKeys } from './signing-keys';
import { ensureStoreCredentials, STORE_ADMIN, STORE_USERS } from './store-security';

/** uid of `node` in the services' image and of `appuser` in apache/kafka; mongodb's is 999. */
const APP_UID = 1000;
const MONGO_UID = 999;

/**
 * Everything docker-compose needs that must not be in the repository, written once into the
 * secrets volume by its init service (`customs stack compose-secrets --dir /keys`): the token
 * key pair, a record-signing key per principal and the key registry, the broker's SCRAM
 * passwords with its server.properties and a start script that bootstraps them at format
 * time, and the store's logins with MongoDB's init script. Generated from the same
 * principals table as the local stack; kept on later runs (the volume persists).
 */
export function writeComposeSecrets(
  dir: string,
  o: { kafkaHost?: string; kafkaPort?: number; controllerPort?: number } = {},
): string[] {
  const host = o.kafkaHost ?? 'kafka';
  const port = o.kafkaPort ?? 9092;
  const controllerPort = o.controllerPort ?? 9093;
  const env = { ...process.env, CUSTOMS_DATA_DIR: dir };
  const names = localPrincipals().map((p) => p.name);
  ensureAuthKeys(env);
  ensureSigningKeys(names, env);
  const creds = ensureCredentials(names, env);
  const store = ensureStoreCredentials(env);
  const kafkaDir = join(dir, 'kafka');
  const written: string[] = [];
  const write = (file: string, text: string, mode = 0o600) => {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text, { mode });
    chmodSync(file, mode);
    written.push(file);
  };

  const props = join(kafkaDir, 'server.properties');
  write(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.bootstrap.servers=${host}:${controllerPort}`,
      ...securityProperties(creds, port, controllerPort, { listen: '0.0.0.0', advertised: host }),
      'log.dirs=/var/lib/kafka/data',
      'num.partitions=6',
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      'message.max.bytes=10485760',
      '',
    ].join('\n'),
  );
  write(join(kafkaDir, 'admin-client.properties'), adminClientProperties(creds));
  const users = Object.keys(creds.users).filter((u) => u !== 'controller');
  const clusterId = randomBytes(16).toString('base64url');
  // SCRAM users exist only if the storage is formatted with them (the broker's own login
  // needs its credential before anything could add one): format once, then start.
  write(
    join(kafkaDir, 'start.sh'),
    [
      '#!/bin/sh',
      'set -euf',
      'if [ ! -f /var/lib/kafka/data/meta.properties ]; then',
      `  /opt/kafka/bin/kafka-storage.sh format --standalone -t ${clusterId} -c ${props.replace(dir, '/secrets')} \\`,
      ...users.map(
        (u, i) =>
          `    --add-scram '${scramEntry(u, creds.users[u])}'${i < users.length - 1 ? ' \\' : ''}`,
      ),
      'fi',
      `exec /opt/kafka/bin/kafka-server-start.sh ${props.replace(dir, '/secrets')}`,
      '',
    ].join('\n'),
    0o700,
  );
  for (const name of names) write(join(kafkaDir, 'passwords', name), creds.users[name]);

  for (const { user } of Object.values(STORE_USERS))
    write(join(dir, 'store-auth', 'passwords', user), store.users[user]);
  write(join(dir, 'store-auth', 'passwords', STORE_ADMIN), store.users[STORE_ADMIN]);
  // Run by the mongo image on its first start: each service may read and write its own
  // database only.
  write(
    join(dir, 'mongo-init', 'users.js'),
    `${Object.values(STORE_USERS)
      .map(
        ({ user, db }) =>
          `db.getSiblingDB(${JSON.stringify(db)}).createUser({ user: ${JSON.stringify(user)}, pwd: ${JSON.stringify(store.users[user])}, roles: [{ role: 'readWrite', db: ${JSON.stringify(db)} }] });`,
      )
      .join('\n')}\n`,
  );

  // The containers run as their images' users, not root.
  const own = (path: string, uid: number) => {
    chownSync(path, uid, uid);
    if (statSync(path).isDirectory()) for (const f of readdirSync(path)) own(join(path, f), uid);
  };
  if (process.getuid?.() === 0) {
    for (const f of readdirSync(dir)) if (f !== 'mongo-init') own(join(dir, f), APP_UID);
    own(join(dir, 'mongo-init'), MONGO_UID);
  }
  return written;
}

/**
 * After the broker is up (compose's provision service, or an operator once): the contract
 * topics, the ACLs of the principals table, and the demonstration accounts opened on the log
 * are done by `customs stack provision`, which calls this for the broker part.
 */
export async function provisionBroker(
  brokers: string[],
  partitions: number,
  replicationFactor: number,
  log: (line: string) => void,
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'customs-provision',
    brokers,
    ...localSecurity(BROKER_SUPER_USER, { ...process.env, KAFKA_SASL_MECHANISM: undefined }),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await ensureTopics(admin, partitions, replicationFactor);
    log(`kafka: ${created.length} topics created`);
    const acls = await syncAcls(admin, localPrincipals());
    log(`kafka: ACLs ${acls.created} created, ${acls.deleted} removed`);
  } finally {
    await admin.disconnect();
  }
  const asAdmin = new Kafka({
    clientId: 'customs-provision-admin',
    brokers,
    ...localSecurity(ADMIN_PRINCIPAL, { ...process.env, KAFKA_SASL_MECHANISM: undefined }),
    logLevel: logLevel.NOTHING,
  }).admin();
  await asAdmin.connect();
  try {
    await waitFor(
      'the ACLs to take effect',
      async () => (await asAdmin.listTopics()).includes(TOPICS.accounts),
      30000,
    );
  } finally {
    await asAdmin.disconnect();
  }
}
