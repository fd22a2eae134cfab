import { Module } from '@nestjs/common';
import { PlatformModule, STORE_CONNECTION } from '@customs/platform';
import { MongoProcessedEventRepository, ProcessedEventRepository } from '@customs/persistence';
import { Connection } from 'mongoose';
import { RiskAssessedHandler } from './assessment/risk-assessed.handler';
import { ValuationService } from './assessment/valuation.service';

@Module({
  imports: [PlatformModule.forService('valuation')],
  controllers: [RiskAssessedHandler],
  providers: [
    ValuationService,
    {
      provide: ProcessedEventRepository,
      inject: [STORE_CONNECTION],
      useFactory: (c: Connection) => new MongoProcessedEventRepository(c),
    },
  ],
})
export class ValuationModule {}
