import { Module } from '@nestjs/common';
import { PlatformModule, STORE_CONNECTION } from '@customs/platform';
import {
  AccountRepository,
  MongoAccountRepository,
  MongoNotificationRepository,
  MongoReleaseRecordRepository,
  NotificationRepository,
  ReleaseRecordRepository,
} from '@customs/persistence';
import { Connection } from 'mongoose';
import { AccountEventsHandler } from './accounts/account-events.handler';
import { ReleaseDecisionService } from './decision/release-decision.service';
import { ReleaseInputsHandler } from './decision/release-inputs.handler';
import { ExternalInputsService } from './inputs/external-inputs.service';
import { NotificationsController } from './notifications/notifications.controller';
import { NotificationsHandler } from './notifications/notifications.handler';
import { CorrectionsController } from './officer/corrections.controller';
import { OfficerActionsController } from './officer/officer-actions.controller';
import { WorkQueuesController } from './officer/work-queues.controller';
import { PaymentsController } from './payments/payments.controller';

@Module({
  imports: [PlatformModule.forService('release')],
  controllers: [
    ReleaseInputsHandler,
    NotificationsHandler,
    AccountEventsHandler,
    WorkQueuesController,
    OfficerActionsController,
    PaymentsController,
    NotificationsController,
    CorrectionsController,
  ],
  providers: [
    ReleaseDecisionService,
    ExternalInputsService,
    {
      provide: ReleaseRecordRepository,
      inject: [STORE_CONNECTION],
      useFactory: (c: Connection) => new MongoReleaseRecordRepository(c),
    },
    {
      provide: AccountRepository,
      inject: [STORE_CONNECTION],
      useFactory: async (c: Connection) => {
        const repo = new MongoAccountRepository(c);
        // The unique indexes make movements atomic and idempotent: build them before any.
        await repo.init();
        return repo;
      },
    },
    {
      provide: NotificationRepository,
      inject: [STORE_CONNECTION],
      useFactory: async (c: Connection) => {
        const repo = new MongoNotificationRepository(c);
        await repo.init();
        return repo;
      },
    },
  ],
})
export class ReleaseModule {}
