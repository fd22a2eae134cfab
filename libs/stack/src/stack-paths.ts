import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where the local stack keeps jars, binaries, data and logs: outside the git tree. */
export interface StackPaths {
  repoRoot: string;
  cache: string;
  kafkaLibs: string;
  kafkaHome: string;
  kafkaData: string;
  ferretBinary: string;
  ferretData: string;
  logs: string;
  run: string;
}

export function stackPaths(env: NodeJS.ProcessEnv = process.env): StackPaths {
  const repoRoot = resolve(
    __dirname,
    '..',
    '..',
    '..',
    ...(__dirname.includes(`${'/'}dist${'/'}`) ? ['..'] : []),
  );
  const cache =
    env.CUSTOMS_CACHE_DIR ??
    join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'customs-clearance');
  const data = env.CUSTOMS_DATA_DIR ?? join(cache, 'data');
  return {
    repoRoot,
    cache,
    kafkaLibs: join(cache, 'kafka', 'libs'),
    kafkaHome: join(data, 'kafka'),
    kafkaData: join(data, 'kafka', 'log-dirs'),
    ferretBinary: join(cache, 'ferretdb', 'ferretdb-embedded'),
    ferretData: join(data, 'ferretdb'),
    logs: join(data, 'logs'),
    run: join(data, 'run'),
  };
}
