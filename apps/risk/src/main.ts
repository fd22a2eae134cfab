import 'reflect-metadata';
import { bootstrapService } from '@customs/platform';
import { RiskModule } from './risk.module';

void bootstrapService('risk', RiskModule).catch((error) => {
  console.error(`risk failed to start: ${(error as Error).message}`);
  process.exit(1);
});
