import 'reflect-metadata';
import { bootstrapService } from '@customs/platform';
import { ValuationModule } from './valuation.module';

void bootstrapService('valuation', ValuationModule).catch((error) => {
  console.error(`valuation failed to start: ${(error as Error).message}`);
  process.exit(1);
});
