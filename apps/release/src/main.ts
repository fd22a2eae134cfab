import 'reflect-metadata';
import { bootstrapService } from '@customs/platform';
import { ACCOUNTS_GROUP } from './accounts/account-events.handler';
import { NOTIFICATIONS_GROUP } from './notifications/notifications.handler';
import { ReleaseModule } from './release.module';

void bootstrapService('release', ReleaseModule, {
  handlerGroups: [NOTIFICATIONS_GROUP, ACCOUNTS_GROUP],
}).catch((error) => {
  console.error(`release failed to start: ${(error as Error).message}`);
  process.exit(1);
});
