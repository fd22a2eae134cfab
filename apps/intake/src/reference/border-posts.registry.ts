import { BorderPostRegistry } from '@customs/domain';
import { runtimeMode } from '@customs/platform';
import { loadSeedBorderPosts } from '@customs/reference-data';

/**
 * The border posts intake accepts declarations for: the shipped registry, plus the e2e
 * runs' throw-away posts (`BP-E2E-<run>`) outside production mode only.
 */
export function intakeBorderPosts(env: NodeJS.ProcessEnv = process.env): BorderPostRegistry {
  return new BorderPostRegistry(loadSeedBorderPosts(), {
    allowTestPosts: runtimeMode(env) !== 'production',
  });
}
