import 'reflect-metadata';
import { bootstrapService } from '@customs/platform';
import { IntakeModule } from './intake.module';
import { TIMELINE_GROUP } from './timeline/timeline.handler';

void bootstrapService('intake', IntakeModule, { handlerGroups: [TIMELINE_GROUP] }).catch(
  (error) => {
    console.error(`intake failed to start: ${(error as Error).message}`);
    process.exit(1);
  },
);
