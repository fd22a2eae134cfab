import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';

export function commandVersion(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return `${r.stdout}${r.stderr}`.trim();
}

export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readPid(file: string): number | null {
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && pidAlive(pid) ? pid : null;
}

/** Starts a long-lived process detached from this one, output appended to a log file. */
export function spawnDetached(
  cmd: string,
  args: string[],
  logFile: string,
  pidFile: string,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const out = openSync(logFile, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out], env });
  closeSync(out);
  child.unref();
  if (!child.pid) throw new Error(`could not start ${cmd}`);
  writeFileSync(pidFile, String(child.pid));
  return child.pid;
}

/**
 * Stops the process of a pid file (and its process group): `signal` first (SIGTERM for a clean
 * stop, SIGKILL for a crash), SIGKILL after the grace period. False when it was not running.
 */
export async function stopPid(
  pidFile: string,
  graceMs = 20000,
  first: NodeJS.Signals = 'SIGTERM',
): Promise<boolean> {
  const pid = readPid(pidFile);
  if (pid === null) {
    if (existsSync(pidFile)) unlinkSync(pidFile);
    return false;
  }
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s); // the whole process group
    } catch {
      try {
        process.kill(pid, s);
      } catch {
        /* already gone */
      }
    }
  };
  signal(first);
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(200);
  if (pidAlive(pid)) signal('SIGKILL');
  if (existsSync(pidFile)) unlinkSync(pidFile);
  return true;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  logHint?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(500);
  }
  throw new Error(
    `${what} did not answer within ${Math.round(timeoutMs / 1000)} s${logHint ? `; see ${logHint}` : ''}`,
  );
}
