import { Module } from '@nestjs/common';
import { PlatformModule, STORE_CONNECTION } from '@customs/platform';
import { MongoProcessedEventRepository, ProcessedEventRepository } from '@customs/persistence';
import { Connection } from 'mongoose';
import { AcceptedHandler } from './assessment/accepted.handler';
import { RiskAssessmentService } from './assessment/risk-assessment.service';

@Module({
  imports: [PlatformModule.forService('risk')],
  controllers: [AcceptedHandler],
  providers: [
    RiskAssessmentService,
    {
      provide: ProcessedEventRepository,
      inject: [STORE_CONNECTION],
      useFactory: (c: Connection) => new MongoProcessedEventRepository(c),
    },
  ],
})
export class RiskModule {}
