import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { CheckpointerConfig } from '@customs/config';
import { CHECKPOINTER_CONFIG, HEAD_KEYS, loadHeadKeys } from './checkpoint/head-keys';
import { CheckpointerService } from './checkpoint/checkpointer.service';
import { AuditHealthController } from './health/audit-health.controller';

@Module({})
export class AuditModule {
  static forConfig(config: CheckpointerConfig): DynamicModule {
    return {
      module: AuditModule,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            base: { service: 'audit' },
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
          },
        }),
      ],
      controllers: [AuditHealthController],
      providers: [
        { provide: CHECKPOINTER_CONFIG, useValue: config },
        // Read at start: without a signing key the service does not start.
        { provide: HEAD_KEYS, useFactory: () => loadHeadKeys() },
        CheckpointerService,
      ],
    };
  }
}
