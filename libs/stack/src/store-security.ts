import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SERVICE_PRINCIPAL } from '@customs/contracts';
import { stackPaths } from './stack-paths';

/**
 * Logins of the local store. FerretDB (with the stack's patch) requires SCRAM-SHA-256 on
 * every command: its administrator is created on the store's first start, then one user per
 * service database. FerretDB authenticates but does not authorise per database (it has no
 * roles), so a service's login keeps strangers out but not another service; MongoDB in
 * compose and Kubernetes enforces readWrite on the service's own database.
 */
export const STORE_ADMIN = 'store-admin';

/** Service users, each in its own database (its authSource). */
export const STORE_USERS: Record<string, { user: string; db: string }> = Object.fromEntries(
  (['intake', 'risk', 'valuation', 'release'] as const).map((s) => [
    s,
    { user: SERVICE_PRINCIPAL[s], db: `customs_${s}` },
  ]),
);

export function storeAuthDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(stackPaths(env).ferretData), 'store-auth');
}

const credentialsOf = (env: NodeJS.ProcessEnv) => join(storeAuthDir(env), 'credentials.json');

export function readStoreCredentials(
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> | null {
  const file = credentialsOf(env);
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)
    : null;
}

/** Passwords of the administrator and the service users (created once, 0600). */
export function ensureStoreCredentials(env: NodeJS.ProcessEnv = process.env): {
  users: Record<string, string>;
  adminPasswordFile: string;
} {
  const users = readStoreCredentials(env) ?? {};
  let changed = false;
  for (const name of [STORE_ADMIN, ...Object.values(STORE_USERS).map((u) => u.user)])
    if (!users[name]) {
      users[name] = randomBytes(24).toString('base64url');
      changed = true;
    }
  const dir = storeAuthDir(env);
  const adminPasswordFile = join(dir, 'admin.password');
  if (changed || !existsSync(adminPasswordFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${credentialsOf(env)}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, credentialsOf(env));
    writeFileSync(adminPasswordFile, users[STORE_ADMIN], { mode: 0o600 });
  }
  return { users, adminPasswordFile };
}

/**
 * The local store's URL for `user` (the administrator by default), with the password from
 * the stack's credentials; null when the stack has none (never started).
 */
export function localMongoUrl(
  user: string = STORE_ADMIN,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  const password = readStoreCredentials(env)?.[user];
  if (!password) return null;
  const authSource =
    user === STORE_ADMIN ? 'admin' : Object.values(STORE_USERS).find((u) => u.user === user)?.db;
  const port = env.CUSTOMS_MONGO_PORT ?? '27017';
  return `mongodb://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/?authSource=${authSource}&authMechanism=SCRAM-SHA-256`;
}

/**
 * Local tools and tests: MONGO_URL defaults to the local store's administrator when the
 * operator has not set one (a real deployment sets MONGO_URL with its own credentials).
 */
export function defaultMongoUrlToLocal(env: NodeJS.ProcessEnv = process.env): void {
  if (env.MONGO_URL) return;
  const url = localMongoUrl(STORE_ADMIN, env);
  if (url) env.MONGO_URL = url;
}
