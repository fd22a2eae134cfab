import 'reflect-metadata';
import { bootstrapService } from '@customs/platform';
import { IntakeModule } from './intake.module';

void bootstrapService('intake', IntakeModule).catch((error) => {
  console.error(`intake failed to start: ${(error as Error).message}`);
  process.exit(1);
});
