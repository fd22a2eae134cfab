import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * What a service falls back to outside production mode: the local stack's issuer, audience
 * and public key file. Duplicated from libs/stack (auth-keys.ts, stack-paths.ts) on purpose:
 * production code must not import the developer tooling. A spec checks the two agree.
 */
export const LOCAL_JWT_ISSUER = 'customs-local';
export const LOCAL_JWT_AUDIENCE = 'customs-clearance';

/** `<data dir>/auth/jwt-public.pem`, the data dir as libs/stack's stackPaths() finds it. */
export function localJwtPublicKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  const cache =
    env.CUSTOMS_CACHE_DIR ??
    join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'customs-clearance');
  const data = env.CUSTOMS_DATA_DIR ?? join(cache, 'data');
  return join(data, 'auth', 'jwt-public.pem');
}

export type RuntimeMode = 'local' | 'production';

/**
 * `CUSTOMS_ENV=production` marks a production deployment: nothing falls back to the local
 * stack's issuer, audience or key. Not NODE_ENV: the image sets NODE_ENV=production for
 * every container, the local docker-compose stack included, and libraries read it too.
 * Unset or `local`: the local defaults apply. Anything else is refused (a typo must not
 * silently mean "not production").
 */
export function runtimeMode(env: NodeJS.ProcessEnv = process.env): RuntimeMode {
  const v = env.CUSTOMS_ENV;
  if (v === undefined || v === '' || v === 'local') return 'local';
  if (v === 'production') return 'production';
  throw new Error(`CUSTOMS_ENV=${JSON.stringify(v)}: expected production or local (or unset)`);
}
