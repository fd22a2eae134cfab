import { Controller, Get, Header, Inject, VERSION_NEUTRAL } from '@nestjs/common';
import { SERVICE_METRICS } from '../tokens';
import { ServiceMetrics } from './service-metrics';

/** Prometheus scrape endpoint. */
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController {
  constructor(@Inject(SERVICE_METRICS) private readonly metrics: ServiceMetrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
