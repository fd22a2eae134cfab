import { BorderPostRegistryData } from '@customs/domain';
import seed from './seed-border-posts.json';

/**
 * The border posts of the local deployment (the three the simulator and the principals
 * table know), and the id prefixes the e2e specs give their own throw-away posts
 * (`BP-E2E-<run>`), which are honoured only outside production mode.
 */
export function loadSeedBorderPosts(): BorderPostRegistryData {
  return {
    version: seed.version,
    borderPosts: seed.borderPosts.map((p) => ({ ...p })),
    localTestPrefixes: [...seed.localTestPrefixes],
  };
}
