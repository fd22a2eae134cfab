import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, waitFor } from './process-tools';
import { stackPaths } from './stack-paths';
import { localSecurityEnv } from './kafka-security';
import { localMongoUrl, STORE_USERS } from './store-security';

/** MONGO_URL of a service's own store login, when the local stack has made one. */
function storeEnv(service: string): Record<string, string> {
  const url = localMongoUrl(STORE_USERS[service]?.user ?? '');
  return url ? { MONGO_URL: url } : {};
}
import { SERVICE_PRINCIPAL } from '@customs/contracts';

/** The services' HTTP ports; `audit` is the checkpointer (apps/audit: health only). */
export const SERVICE_PORTS = {
  intake: 3000,
  risk: 3001,
  valuation: 3002,
  release: 3003,
  audit: 3004,
} as const;
export type RunnableService = keyof typeof SERVICE_PORTS;

export interface RunningService {
  /** The replica id (REPLICA_ID), e.g. `risk-0`. */
  name: string;
  service: RunnableService;
  port: number;
  process: ChildProcess;
  logFile: string;
  /** What it was started with, so that a restart is the same replica (same transactional id). */
  options: StartOptions;
}

export interface StartOptions {
  port?: number;
  replica?: string;
  env?: NodeJS.ProcessEnv;
}

/** How a stop went: how long from the signal to the exit, and how the process ended. */
export interface StopResult {
  name: string;
  signal: NodeJS.Signals;
  exitMs: number;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** SIGKILL had to follow because the grace period ran out. */
  forced: boolean;
}

/**
 * Runs the built services (dist/) as child processes, each with its own log file, for the
 * demo, the e2e tests and the benchmark. Ready when /health/ready answers 200.
 */
export class ServiceRunner {
  readonly running: RunningService[] = [];

  constructor(
    private readonly env: NodeJS.ProcessEnv = {},
    private readonly logDir = join(stackPaths().logs, 'services'),
    /** Node options for the services (e.g. --cpu-prof, which NODE_OPTIONS may not carry). */
    private readonly nodeArgs: readonly string[] = [],
  ) {
    mkdirSync(this.logDir, { recursive: true });
  }

  async start(name: RunnableService, opts: StartOptions = {}): Promise<RunningService> {
    const port = opts.port ?? SERVICE_PORTS[name];
    const replica = opts.replica ?? `${name}-0`;
    const logFile = join(this.logDir, `${replica}.log`);
    const out = createWriteStream(logFile, { flags: 'a' });
    const entry = join(stackPaths().repoRoot, 'dist', 'apps', name, 'src', 'main.js');
    const child = spawn(process.execPath, [...this.nodeArgs, entry], {
      env: {
        // Each service connects to the broker as its own principal.
        ...localSecurityEnv(SERVICE_PRINCIPAL[name], { ...process.env, ...this.env, ...opts.env }),
        ...process.env,
        // ... and logs in to the store as its own user.
        ...storeEnv(name),
        ...this.env,
        ...opts.env,
        HTTP_PORT: String(port),
        REPLICA_ID: replica,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    const service: RunningService = {
      name: replica,
      service: name,
      port,
      process: child,
      logFile,
      options: opts,
    };
    this.running.push(service);
    let exited = false;
    child.once('exit', () => (exited = true));
    await waitFor(
      `${replica} (port ${port})`,
      async () => {
        if (exited) throw new Error(`${replica} exited; see ${logFile}`);
        const res = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null);
        return res?.status === 200;
      },
      90000,
      logFile,
    );
    return service;
  }

  async startAll(
    services: RunnableService[] = ['intake', 'risk', 'valuation', 'release'],
  ): Promise<void> {
    await Promise.all(services.map((s) => this.start(s)));
  }

  /** SIGTERM (graceful: commit and leave the group), SIGKILL after the grace period. */
  async stop(
    service: RunningService,
    signal: NodeJS.Signals = 'SIGTERM',
    graceMs = 15000,
  ): Promise<StopResult> {
    const child = service.process;
    const started = Date.now();
    let forced = false;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill(signal);
      await Promise.race([exited, sleep(graceMs)]);
      if (child.exitCode === null && child.signalCode === null) {
        forced = true;
        child.kill('SIGKILL');
        await exited;
      }
    }
    const i = this.running.indexOf(service);
    if (i >= 0) this.running.splice(i, 1);
    return {
      name: service.name,
      signal,
      exitMs: Date.now() - started,
      exitCode: child.exitCode,
      exitSignal: child.signalCode,
      forced,
    };
  }

  /** A crash: SIGKILL, no chance to commit or leave the group. */
  kill(service: RunningService): Promise<StopResult> {
    return this.stop(service, 'SIGKILL');
  }

  /**
   * Starts the same replica again (same REPLICA_ID, so the same transactional ids: the new
   * producers fence the dead one's and abort its open transactions), same port and env.
   */
  restart(service: RunningService): Promise<RunningService> {
    if (this.running.includes(service))
      throw new Error(`${service.name} is still running: stop or kill it first`);
    return this.start(service.service, { ...service.options, replica: service.name });
  }

  /** The running replica of a service (the first, when there are several). */
  find(name: RunnableService | string): RunningService | undefined {
    return (
      this.running.find((s) => s.name === name) ?? this.running.find((s) => s.service === name)
    );
  }

  async stopAll(): Promise<StopResult[]> {
    return Promise.all([...this.running].map((s) => this.stop(s)));
  }
}
