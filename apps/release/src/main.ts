import 'reflect-metadata';
import { bootstrapService } from '@customs/platform';
import { ReleaseModule } from './release.module';

void bootstrapService('release', ReleaseModule).catch((error) => {
  console.error(`release failed to start: ${(error as Error).message}`);
  process.exit(1);
});
