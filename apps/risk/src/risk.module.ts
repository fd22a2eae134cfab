import { Module } from '@nestjs/common';
import { PlatformModule, STORE_CONNECTION } from '@customs/platform';
import {
  MongoProcessedEventRepository,
  MongoReferenceVersionRepository,
  MongoRiskAssessmentRecordRepository,
  ProcessedEventRepository,
  ReferenceVersionRepository,
  RiskAssessmentRecordRepository,
} from '@customs/persistence';
import { Connection } from 'mongoose';
import { AcceptedHandler } from './assessment/accepted.handler';
import { RiskAssessmentService } from './assessment/risk-assessment.service';
import { RiskReferenceService } from './reference/risk-reference.service';
import { RulesetsController } from './rulesets/rulesets.controller';
import { RulesetsService } from './rulesets/rulesets.service';
import { StatisticsController } from './statistics/statistics.controller';
import { StatisticsService } from './statistics/statistics.service';

@Module({
  imports: [PlatformModule.forService('risk')],
  controllers: [AcceptedHandler, RulesetsController, StatisticsController],
  providers: [
    RiskAssessmentService,
    RiskReferenceService,
    RulesetsService,
    StatisticsService,
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
      provide: RiskAssessmentRecordRepository,
      inject: [STORE_CONNECTION],
      useFactory: (c: Connection) => new MongoRiskAssessmentRecordRepository(c),
    },
  ],
})
export class RiskModule {}
