import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { ensureTopics } from '@customs/messaging';
import {
  commandVersion,
  portOpen,
  readPid,
  sleep,
  spawnDetached,
  stopPid,
  waitFor,
} from './process-tools';
import { ensureAuthKeys } from './auth-keys';
import {
  adminClientProperties,
  credentialsFile,
  ensureCredentials,
  KafkaCredentials,
  localKafka,
  localPrincipals,
  localSecurity,
  readCredentials,
  scramEntry,
  securityProperties,
  syncAcls,
  writeCredentials,
} from './kafka-security';
import { ADMIN_PRINCIPAL, BROKER_SUPER_USER, TOPICS } from '@customs/contracts';
import {
  ensureStoreCredentials,
  localMongoUrl,
  STORE_ADMIN,
  storeAuthDir,
  STORE_USERS,
} from './store-security';
import { ensureSigningKeys } from './signing-keys';
import { parsePatches, patchVendorTree } from './ferretdb-patches';
import { StackPaths, stackPaths } from './stack-paths';

export interface StackSettings {
  kafkaPort: number;
  controllerPort: number;
  mongoPort: number;
  partitions: number;
  log: (line: string) => void;
}

export function defaultSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  return {
    kafkaPort: Number(env.CUSTOMS_KAFKA_PORT ?? 9092),
    controllerPort: Number(env.CUSTOMS_KAFKA_CONTROLLER_PORT ?? 9093),
    mongoPort: Number(env.CUSTOMS_MONGO_PORT ?? 27017),
    partitions: Number(env.KAFKA_PARTITIONS ?? 6),
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

export class StackError extends Error {}

/** How long a restart took: to stop, out of service in all, and from start to ready. */
export interface RestartTimes {
  stoppedMs: number;
  downMs: number;
  readyMs: number;
}

function hashFiles(files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

/** Names what is missing in plain words rather than failing later with a stack trace. */
export function checkPrerequisites(): string[] {
  const missing: string[] = [];
  const java = commandVersion('java', ['-version']);
  const major = java ? Number(/version "(\d+)/.exec(java)?.[1] ?? 0) : 0;
  if (!java)
    missing.push(
      'Java 17 or newer (the Kafka broker runs on it): install a JDK 17, e.g. `apt-get install openjdk-17-jdk-headless`',
    );
  else if (major < 17) missing.push(`Java 17 or newer (found Java ${major}): Kafka 4 needs 17`);
  if (!commandVersion('mvn', ['-v']))
    missing.push(
      'Maven (fetches the Kafka broker jars from Maven Central): `apt-get install maven`',
    );
  if (!commandVersion('go', ['version']))
    missing.push(
      'Go 1.24 or newer (builds the embedded FerretDB store): see https://go.dev/doc/install',
    );
  return missing;
}

export class LocalStack {
  readonly paths: StackPaths;

  constructor(
    private readonly settings: StackSettings = defaultSettings(),
    paths?: StackPaths,
  ) {
    this.paths = paths ?? stackPaths();
  }

  private get kafkaPidFile() {
    return join(this.paths.run, 'kafka.pid');
  }
  private get ferretPidFile() {
    return join(this.paths.run, 'ferretdb.pid');
  }

  /** Fetches and builds what is missing (once), starts what is not running, waits for both. */
  async up(): Promise<void> {
    const log = this.settings.log;
    for (const dir of [
      this.paths.cache,
      this.paths.kafkaHome,
      this.paths.ferretData,
      this.paths.logs,
      this.paths.run,
    ])
      mkdirSync(dir, { recursive: true });
    // The local key pair the services verify tokens with (`customs token` signs with it).
    ensureAuthKeys();
    // Each signer's record-signing key, and the registry the consumers verify with.
    // A record-signing key per principal of the table (the admin's too: the admin CLI signs
    // what it publishes, e.g. account openings).
    ensureSigningKeys(localPrincipals().map((p) => p.name));
    const kafkaUp = await portOpen(this.settings.kafkaPort);
    const mongoUp = await portOpen(this.settings.mongoPort);
    if (!kafkaUp || !mongoUp) {
      const missing = checkPrerequisites().filter(
        (m) => (kafkaUp ? !/Java|Maven/.test(m) : true) && (mongoUp ? !/^Go/.test(m) : true),
      );
      if (missing.length > 0)
        throw new StackError(
          `cannot start the local stack; missing:\n  - ${missing.join('\n  - ')}`,
        );
    }
    if (!kafkaUp) {
      this.fetchKafka();
      this.startKafka();
    } else log(`kafka: already answering on 127.0.0.1:${this.settings.kafkaPort}`);
    if (!mongoUp) {
      this.buildFerret();
      this.startFerret();
    } else log(`store: already answering on 127.0.0.1:${this.settings.mongoPort}`);

    await waitFor('Kafka', () => this.kafkaReady(), 120000, join(this.paths.logs, 'kafka.log'));
    await waitFor(
      'FerretDB',
      () => this.storeReady(),
      60000,
      join(this.paths.logs, 'ferretdb.log'),
    );
    await this.provisionStoreUsers();
    await this.provisionPrincipals();
    const created = await this.provisionTopics();
    if (created.length > 0)
      log(
        `kafka: created ${created.length} topics with ${this.settings.partitions} partitions, infinite retention`,
      );
    const acls = await this.provisionAcls();
    await this.waitForAcls();
    if (acls.created + acls.deleted > 0)
      log(
        `kafka: ACLs of ${localPrincipals().length} principals: ${acls.created} created, ${acls.deleted} removed`,
      );
    log(
      `stack up: Kafka 127.0.0.1:${this.settings.kafkaPort}, FerretDB 127.0.0.1:${this.settings.mongoPort}; logs in ${this.paths.logs}`,
    );
  }

  async down(wipe = false): Promise<void> {
    const k = await stopPid(this.kafkaPidFile, 30000);
    const f = await stopPid(this.ferretPidFile);
    this.settings.log(
      `stack down: kafka ${k ? 'stopped' : 'was not running (from here)'}, ferretdb ${f ? 'stopped' : 'was not running (from here)'}`,
    );
    if (wipe) {
      rmSync(this.paths.kafkaHome, { recursive: true, force: true });
      rmSync(this.paths.ferretData, { recursive: true, force: true });
      rmSync(storeAuthDir(), { recursive: true, force: true });
      this.settings.log('stack data wiped');
    }
  }

  /**
   * Stops the broker (SIGTERM: controlled shutdown; SIGKILL: a crash), waits `downMs`, starts
   * it again on the same data directory and waits until it answers: the chaos suite's broker
   * restart. Only a broker this stack started (its pid file) can be restarted.
   */
  async restartKafka(
    opts: { signal?: NodeJS.Signals; downMs?: number } = {},
  ): Promise<RestartTimes> {
    return this.restart(
      'Kafka',
      this.kafkaPidFile,
      opts,
      () => this.startKafka(),
      () => this.kafkaReady(),
      join(this.paths.logs, 'kafka.log'),
    );
  }

  /** The same for the store (FerretDB keeps its SQLite files, so nothing is lost). */
  async restartStore(
    opts: { signal?: NodeJS.Signals; downMs?: number } = {},
  ): Promise<RestartTimes> {
    return this.restart(
      'FerretDB',
      this.ferretPidFile,
      opts,
      () => this.startFerret(),
      () => this.storeReady(),
      join(this.paths.logs, 'ferretdb.log'),
    );
  }

  private async restart(
    what: string,
    pidFile: string,
    opts: { signal?: NodeJS.Signals; downMs?: number },
    start: () => void,
    ready: () => Promise<boolean>,
    logFile: string,
  ): Promise<RestartTimes> {
    if (readPid(pidFile) === null)
      throw new StackError(
        `${what} was not started by this stack (no live pid in ${pidFile}): cannot restart it`,
      );
    const t0 = Date.now();
    await stopPid(pidFile, 30000, opts.signal ?? 'SIGTERM');
    const stoppedMs = Date.now() - t0;
    if (opts.downMs) await sleep(opts.downMs);
    const t1 = Date.now();
    start();
    await waitFor(what, ready, 120000, logFile);
    return { stoppedMs, downMs: Date.now() - t0, readyMs: Date.now() - t1 };
  }

  async status(): Promise<{
    kafka: { pid: number | null; answering: boolean };
    store: { pid: number | null; answering: boolean };
    logs: string;
  }> {
    return {
      kafka: {
        pid: readPid(this.kafkaPidFile),
        answering: await this.kafkaReady().catch(() => false),
      },
      store: {
        pid: readPid(this.ferretPidFile),
        answering: await this.storeReady().catch(() => false),
      },
      logs: this.paths.logs,
    };
  }

  private fetchKafka(): void {
    const pom = join(this.paths.repoRoot, 'deploy', 'kafka', 'pom.xml');
    const marker = join(this.paths.kafkaLibs, `.pom-${hashFiles([pom])}`);
    if (existsSync(marker)) return;
    this.settings.log('kafka: resolving broker jars from Maven Central (once)...');
    rmSync(this.paths.kafkaLibs, { recursive: true, force: true });
    const r = spawnSync(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        pom,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${this.paths.kafkaLibs}`,
        '-DincludeScope=runtime',
      ],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    if (r.status !== 0)
      throw new StackError('mvn could not resolve the Kafka broker jars (see the output above)');
    writeFileSync(marker, new Date().toISOString());
  }

  private buildFerret(): void {
    const dir = join(this.paths.repoRoot, 'deploy', 'ferretdb');
    const sources = ['go.mod', 'go.sum', 'main.go', 'patches.json'].map((f) => join(dir, f));
    const marker = `${this.paths.ferretBinary}.${hashFiles(sources)}`;
    if (existsSync(this.paths.ferretBinary) && existsSync(marker)) return;
    this.settings.log(
      'ferretdb: building the embedded FerretDB v1.24.2 store with Go (once, about a minute)...',
    );
    // Built from a vendored copy so that deploy/ferretdb/patches.json can be applied to
    // FerretDB's sources (Go refuses overlays of files in the module cache).
    const build = join(dirname(this.paths.ferretBinary), 'build');
    rmSync(build, { recursive: true, force: true });
    mkdirSync(build, { recursive: true });
    for (const f of ['go.mod', 'go.sum', 'main.go']) copyFileSync(join(dir, f), join(build, f));
    const go = (args: string[], what: string): void => {
      const r = spawnSync('go', args, { cwd: build, stdio: ['ignore', 'inherit', 'inherit'] });
      if (r.status !== 0) throw new StackError(`${what} failed (see the output above)`);
    };
    go(['mod', 'vendor'], 'go mod vendor of deploy/ferretdb');
    patchVendorTree(
      join(build, 'vendor'),
      parsePatches(readFileSync(join(dir, 'patches.json'), 'utf8')),
    );
    go(['build', '-mod=vendor', '-o', this.paths.ferretBinary, '.'], 'go build of deploy/ferretdb');
    rmSync(build, { recursive: true, force: true }); // the vendor tree is 230 MB
    for (const old of readdirSync(dirname(this.paths.ferretBinary)))
      if (old.startsWith('ferretdb-embedded.')) rmSync(join(dirname(this.paths.ferretBinary), old));
    writeFileSync(marker, new Date().toISOString());
  }

  private startKafka(): void {
    const { kafkaHome, kafkaData, kafkaLibs, logs } = this.paths;
    const formatted = existsSync(join(kafkaData, 'meta.properties'));
    if (formatted && !existsSync(credentialsFile()))
      throw new StackError(
        `the Kafka data in ${kafkaData} was created without broker security (no ${credentialsFile()}); wipe it once with \`customs stack down --wipe\``,
      );
    const creds = ensureCredentials(localPrincipals().map((p) => p.name));
    const props = join(kafkaHome, 'server.properties');
    writeFileSync(
      props,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.bootstrap.servers=127.0.0.1:${this.settings.controllerPort}`,
        ...securityProperties(creds, this.settings.kafkaPort, this.settings.controllerPort),
        `log.dirs=${kafkaData}`,
        `num.partitions=${this.settings.partitions}`,
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=10',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'transaction.state.log.num.partitions=10',
        'group.initial.rebalance.delay.ms=0',
        'auto.create.topics.enable=false',
        'message.max.bytes=10485760',
        '',
      ].join('\n'),
      // It holds the super user's and the controller's passwords.
      { mode: 0o600 },
    );
    writeFileSync(join(kafkaHome, 'admin-client.properties'), adminClientProperties(creds), {
      mode: 0o600,
    });
    const log4j = join(kafkaHome, 'log4j2.properties');
    writeFileSync(
      log4j,
      [
        'rootLogger.level=INFO',
        'rootLogger.appenderRef.file.ref=FILE',
        'appender.file.type=File',
        'appender.file.name=FILE',
        `appender.file.fileName=${join(logs, 'kafka.log')}`,
        'appender.file.layout.type=PatternLayout',
        'appender.file.layout.pattern=[%d] %p %m (%c)%n',
        '',
      ].join('\n'),
    );
    const cp = `${kafkaLibs}/*`;
    const java = ['-cp', cp, `-Dlog4j2.configurationFile=${log4j}`];
    if (!formatted) {
      const uuid = spawnSync('java', [...java, 'kafka.tools.StorageTool', 'random-uuid'], {
        encoding: 'utf8',
      }).stdout.trim();
      // SCRAM users are bootstrapped into the metadata log: the broker's own inter-broker
      // login needs its credential before anything can add one.
      const users = Object.keys(creds.users).filter((u) => u !== 'controller');
      const r = spawnSync(
        'java',
        [
          ...java,
          'kafka.tools.StorageTool',
          'format',
          '--standalone',
          '-t',
          uuid,
          '-c',
          props,
          ...users.flatMap((u) => ['--add-scram', scramEntry(u, creds.users[u])]),
        ],
        { encoding: 'utf8' },
      );
      if (r.status !== 0)
        throw new StackError(`formatting Kafka storage failed: ${r.stderr || r.stdout}`);
      writeCredentials({ ...creds, provisioned: users });
    }
    const heap = process.env.CUSTOMS_KAFKA_HEAP ?? '1g';
    spawnDetached(
      'java',
      [`-Xms${heap}`, `-Xmx${heap}`, '-XX:+UseG1GC', ...java, 'kafka.Kafka', props],
      join(logs, 'kafka.out'),
      this.kafkaPidFile,
    );
    this.settings.log(
      `kafka: starting Apache Kafka (KRaft, 127.0.0.1:${this.settings.kafkaPort}), data in ${kafkaData}`,
    );
  }

  private startFerret(): void {
    const { adminPasswordFile } = ensureStoreCredentials();
    spawnDetached(
      this.paths.ferretBinary,
      [
        '-listen',
        `127.0.0.1:${this.settings.mongoPort}`,
        '-data',
        this.paths.ferretData,
        // Every command needs a SCRAM login; the administrator is created on first start.
        '-admin-user',
        STORE_ADMIN,
        '-admin-password-file',
        adminPasswordFile,
      ],
      join(this.paths.logs, 'ferretdb.log'),
      this.ferretPidFile,
    );
    this.settings.log(
      `ferretdb: starting FerretDB v1.24.2 (SQLite, 127.0.0.1:${this.settings.mongoPort}), data in ${this.paths.ferretData}`,
    );
  }

  /** The super user: only the stack itself administers the broker. */
  private kafka(): Kafka {
    return new Kafka({
      clientId: 'customs-stack',
      brokers: [`127.0.0.1:${this.settings.kafkaPort}`],
      ...localSecurity(BROKER_SUPER_USER, { ...process.env, KAFKA_SASL_MECHANISM: undefined }),
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
  }

  /**
   * Principals added to the table after the broker's storage was formatted get their SCRAM
   * credentials through Kafka's own `kafka-configs` tool, as the super user.
   */
  private async provisionPrincipals(): Promise<void> {
    const creds = ensureCredentials(localPrincipals().map((p) => p.name));
    const missing = Object.keys(creds.users).filter(
      (u) => u !== 'controller' && !creds.provisioned.includes(u),
    );
    if (missing.length === 0) return;
    const java = ['-cp', `${this.paths.kafkaLibs}/*`, '-Dlog4j2.configurationFile=none'];
    for (const user of missing) {
      const r = spawnSync(
        'java',
        [
          ...java,
          'kafka.admin.ConfigCommand',
          '--bootstrap-server',
          `127.0.0.1:${this.settings.kafkaPort}`,
          '--command-config',
          join(this.paths.kafkaHome, 'admin-client.properties'),
          '--alter',
          '--add-config',
          `SCRAM-SHA-512=[password=${creds.users[user]}]`,
          '--entity-type',
          'users',
          '--entity-name',
          user,
        ],
        { encoding: 'utf8' },
      );
      if (r.status !== 0)
        throw new StackError(`adding the Kafka user ${user} failed: ${r.stderr || r.stdout}`);
      const now = readCredentials() as KafkaCredentials;
      writeCredentials({ ...now, provisioned: [...now.provisioned, user] });
      this.settings.log(`kafka: added SCRAM user ${user}`);
    }
  }

  private adminStoreUrl(): string {
    ensureStoreCredentials();
    return localMongoUrl(STORE_ADMIN, {
      ...process.env,
      CUSTOMS_MONGO_PORT: String(this.settings.mongoPort),
    }) as string;
  }

  /** One login per service database (created once; the administrator creates them). */
  private async provisionStoreUsers(): Promise<void> {
    const { users } = ensureStoreCredentials();
    const conn = mongoose.createConnection(this.adminStoreUrl(), {
      serverSelectionTimeoutMS: 5000,
    });
    try {
      await conn.asPromise();
      for (const { user, db } of Object.values(STORE_USERS)) {
        const target = conn.useDb(db, { useCache: false }).db!;
        const info = (await target.command({ usersInfo: user })) as { users?: unknown[] };
        if ((info.users ?? []).length > 0) continue;
        await target.command({ createUser: user, pwd: users[user], roles: [] });
        this.settings.log(`store: created login ${user} for ${db}`);
      }
    } finally {
      await conn.close().catch(() => undefined);
    }
  }

  /**
   * The authorizer applies new ACLs from the metadata log a moment later: wait until the
   * admin principal sees what it may write, so that the first client after `stack up` is
   * not refused.
   */
  private async waitForAcls(): Promise<void> {
    const admin = localKafka(ADMIN_PRINCIPAL, {
      brokers: [`127.0.0.1:${this.settings.kafkaPort}`],
      env: { ...process.env, KAFKA_SASL_MECHANISM: undefined },
    }).admin();
    await admin.connect();
    try {
      await waitFor(
        'the ACLs to take effect',
        async () => (await admin.listTopics()).includes(TOPICS.accounts),
        30000,
      );
    } finally {
      await admin.disconnect();
    }
  }

  private async provisionAcls(): Promise<{ created: number; deleted: number }> {
    const admin = this.kafka().admin();
    await admin.connect();
    try {
      return await syncAcls(admin, localPrincipals());
    } finally {
      await admin.disconnect();
    }
  }

  /** Ready means metadata answers and a transaction coordinator is there (services need both). */
  private async kafkaReady(): Promise<boolean> {
    if (!(await portOpen(this.settings.kafkaPort))) return false;
    const admin = this.kafka().admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return true;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private async storeReady(): Promise<boolean> {
    if (!(await portOpen(this.settings.mongoPort))) return false;
    const conn = mongoose.createConnection(this.adminStoreUrl(), {
      serverSelectionTimeoutMS: 2000,
    });
    try {
      await conn.asPromise();
      await conn.db!.admin().ping();
      return true;
    } finally {
      await conn.close().catch(() => undefined);
    }
  }

  private async provisionTopics(): Promise<string[]> {
    const admin = this.kafka().admin();
    await admin.connect();
    try {
      return await ensureTopics(admin, this.settings.partitions, 1);
    } finally {
      await admin.disconnect();
    }
  }

  /** Log file names, for people reading `stack status`. */
  logFiles(): string[] {
    return existsSync(this.paths.logs)
      ? readdirSync(this.paths.logs).map((f) => join(this.paths.logs, f))
      : [];
  }
}
