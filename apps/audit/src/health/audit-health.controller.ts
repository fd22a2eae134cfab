import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { CheckpointerService } from '../checkpoint/checkpointer.service';

/** Liveness: the process answers. Readiness: resumed and following every audited topic. */
@Controller('health')
export class AuditHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly checkpointer: CheckpointerService,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => {
        const indicator = this.indicators.check('checkpointer');
        const h = this.checkpointer.health();
        const detail = { ...h.status, consumer: h.consumer };
        return h.ready ? indicator.up(detail) : indicator.down(detail);
      },
    ]);
  }
}
