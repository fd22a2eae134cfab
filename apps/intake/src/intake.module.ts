import { Module } from '@nestjs/common';
import { BorderPostRegistry } from '@customs/domain';
import { PlatformModule, STORE_CONNECTION } from '@customs/platform';
import {
  DeclarationVersionRepository,
  IdempotencyKeyRepository,
  LodgementRepository,
  MongoDeclarationVersionRepository,
  MongoIdempotencyKeyRepository,
  MongoLodgementRepository,
  MongoProcessedEventRepository,
  MongoReferenceVersionRepository,
  MongoTimelineRepository,
  ProcessedEventRepository,
  ReferenceVersionRepository,
  TimelineRepository,
} from '@customs/persistence';
import { Connection } from 'mongoose';
import { AmendmentService } from './amendment/amendment.service';
import { AmendmentsTopicProvisioner } from './amendment/amendment.topic';
import { AmendmentsController } from './amendment/amendments.controller';
import { DeclarationsController } from './lodgement/declarations.controller';
import { DeclarationValidator } from './lodgement/declaration.validator';
import { LodgementService } from './lodgement/lodgement.service';
import { SubmittedHandler } from './lodgement/submitted.handler';
import { intakeBorderPosts } from './reference/border-posts.registry';
import { NomenclatureCatalog } from './reference/nomenclature.catalog';
import { TimelineHandler } from './timeline/timeline.handler';

@Module({
  imports: [PlatformModule.forService('intake')],
  controllers: [DeclarationsController, AmendmentsController, SubmittedHandler, TimelineHandler],
  providers: [
    DeclarationValidator,
    LodgementService,
    AmendmentService,
    AmendmentsTopicProvisioner,
    { provide: BorderPostRegistry, useFactory: () => intakeBorderPosts() },
    {
      provide: NomenclatureCatalog,
      inject: [ReferenceVersionRepository],
      useFactory: (r: ReferenceVersionRepository) => new NomenclatureCatalog(r),
    },
    {
      provide: ReferenceVersionRepository,
      inject: [STORE_CONNECTION],
      useFactory: (c: Connection) => new MongoReferenceVersionRepository(c),
    },
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
      provide: IdempotencyKeyRepository,
      inject: [STORE_CONNECTION],
      useFactory: (c: Connection) => new MongoIdempotencyKeyRepository(c),
    },
    {
      provide: DeclarationVersionRepository,
      inject: [STORE_CONNECTION],
      useFactory: (c: Connection) => new MongoDeclarationVersionRepository(c),
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
