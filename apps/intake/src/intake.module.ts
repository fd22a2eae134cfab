import { Module } from '@nestjs/common';
import { PlatformModule, STORE_CONNECTION } from '@customs/platform';
import {
  LodgementRepository,
  MongoLodgementRepository,
  MongoProcessedEventRepository,
  MongoTimelineRepository,
  ProcessedEventRepository,
  TimelineRepository,
} from '@customs/persistence';
import { Connection } from 'mongoose';
import { DeclarationsController } from './lodgement/declarations.controller';
import { DeclarationValidator } from './lodgement/declaration.validator';
import { LodgementService } from './lodgement/lodgement.service';
import { SubmittedHandler } from './lodgement/submitted.handler';
import { TimelineHandler } from './timeline/timeline.handler';

@Module({
  imports: [PlatformModule.forService('intake')],
  controllers: [DeclarationsController, SubmittedHandler, TimelineHandler],
  providers: [
    DeclarationValidator,
    LodgementService,
    {
      provide: LodgementRepository,
      inject: [STORE_CONNECTION],
      useFactory: async (c: Connection) => {
        const repo = new MongoLodgementRepository(c);
        await repo.init();
        return repo;
      },
    },
    {
      provide: ProcessedEventRepository,
      inject: [STORE_CONNECTION],
      useFactory: (c: Connection) => new MongoProcessedEventRepository(c),
    },
    {
      provide: TimelineRepository,
      inject: [STORE_CONNECTION],
      useFactory: (c: Connection) => new MongoTimelineRepository(c),
    },
  ],
})
export class IntakeModule {}
