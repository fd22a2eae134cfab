import { Logger, Module } from '@nestjs/common';
import { PlatformModule, STORE_CONNECTION } from '@customs/platform';
import {
  MongoProcessedEventRepository,
  MongoReferenceVersionRepository,
  ProcessedEventRepository,
  ReferenceVersionRepository,
} from '@customs/persistence';
import { Connection } from 'mongoose';
import { RiskAssessedHandler } from './assessment/risk-assessed.handler';
import { ValuationService } from './assessment/valuation.service';
import { ValuationReferenceResolver } from './reference/valuation-reference.resolver';

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
    {
      provide: ReferenceVersionRepository,
      inject: [STORE_CONNECTION],
      useFactory: (c: Connection) => new MongoReferenceVersionRepository(c),
    },
    {
      provide: ValuationReferenceResolver,
      inject: [ReferenceVersionRepository],
      useFactory: (repository: ReferenceVersionRepository) => {
        const logger = new Logger('ValuationReference');
        return new ValuationReferenceResolver(repository, {
          onProblem: (message) => logger.warn(message),
        });
      },
    },
  ],
})
export class ValuationModule {}
