import { Controller, Get, Inject, VERSION_NEUTRAL } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Admin } from 'kafkajs';
import { Connection } from 'mongoose';
import { KAFKA_ADMIN, KAFKA_TRANSPORT_HEALTH, STORE_CONNECTION } from './tokens';

/** Filled by bootstrap once the Kafka transport exists. */
export class TransportHealthHolder {
  transport?: { health(): { consuming: boolean; detail: string } };
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms),
    ),
  ]);

/**
 * Liveness: the process answers. Readiness: the store answers a ping, the broker answers
 * metadata, and the consumer is in its group and heartbeating. Orchestrators route traffic
 * (and border posts their submissions) only to ready replicas.
 */
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(STORE_CONNECTION) private readonly connection: Connection,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(KAFKA_TRANSPORT_HEALTH) private readonly transport: TransportHealthHolder,
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
      async () => {
        const store = this.indicators.check('store');
        try {
          await withTimeout(this.connection.db!.admin().ping(), 3000, 'store');
          return store.up();
        } catch (error) {
          return store.down({ message: (error as Error).message });
        }
      },
      async () => {
        const broker = this.indicators.check('broker');
        try {
          const cluster = await withTimeout(this.admin.describeCluster(), 3000, 'broker');
          return broker.up({ brokers: cluster.brokers.length });
        } catch (error) {
          return broker.down({ message: (error as Error).message });
        }
      },
      async () => {
        const consumer = this.indicators.check('consumer');
        const h = this.transport.transport?.health() ?? {
          consuming: false,
          detail: 'transport not started',
        };
        return h.consuming
          ? consumer.up({ detail: h.detail })
          : consumer.down({ detail: h.detail });
      },
    ]);
  }
}
