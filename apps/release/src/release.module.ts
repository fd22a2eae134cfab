import { Module } from '@nestjs/common';
import { PlatformModule, STORE_CONNECTION } from '@customs/platform';
import {
  AccountRepository,
  MongoAccountRepository,
  MongoReleaseRecordRepository,
  ReleaseRecordRepository,
} from '@customs/persistence';
import { Connection } from 'mongoose';
import { ReleaseDecisionService } from './decision/release-decision.service';
import { ReleaseInputsHandler } from './decision/release-inputs.handler';

@Module({
  imports: [PlatformModule.forService('release')],
  controllers: [ReleaseInputsHandler],
  providers: [
    ReleaseDecisionService,
    {
      provide: ReleaseRecordRepository,
      inject: [STORE_CONNECTION],
      useFactory: (c: Connection) => new MongoReleaseRecordRepository(c),
    },
    {
      provide: AccountRepository,
      inject: [STORE_CONNECTION],
      useFactory: (c: Connection) => new MongoAccountRepository(c),
    },
  ],
})
export class ReleaseModule {}
