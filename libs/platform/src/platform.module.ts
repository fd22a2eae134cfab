import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { loadServiceConfig, ServiceConfig } from '@customs/config';
import { connectStore } from '@customs/persistence';
import { createKafka, ensureTopics, KafkaPublisher, parseBrokers } from '@customs/messaging';
import { Connection } from 'mongoose';
import { HealthController } from './health.controller';
import { KAFKA_PUBLISHER, SERVICE_CONFIG, STORE_CONNECTION } from './tokens';

/**
 * What every service needs: validated configuration, its own database, the contract topics
 * (created if missing) and a publisher for records that do not come from a consumed one.
 */
@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  constructor(
    @Inject(STORE_CONNECTION) private readonly connection: Connection,
    @Inject(KAFKA_PUBLISHER) private readonly publisher: KafkaPublisher,
  ) {}

  static forService(service: string): DynamicModule {
    return {
      module: PlatformModule,
      controllers: [HealthController],
      providers: [
        { provide: SERVICE_CONFIG, useFactory: () => loadServiceConfig(service) },
        {
          provide: STORE_CONNECTION,
          inject: [SERVICE_CONFIG],
          useFactory: (config: ServiceConfig) => connectStore(config.MONGO_URL, config.mongoDb),
        },
        {
          provide: KAFKA_PUBLISHER,
          inject: [SERVICE_CONFIG],
          useFactory: async (config: ServiceConfig) => {
            const kafka = createKafka(
              `${service}-publisher-${config.REPLICA_ID}`,
              parseBrokers(config.KAFKA_BROKERS),
            );
            const admin = kafka.admin();
            await admin.connect();
            try {
              await ensureTopics(admin, config.KAFKA_PARTITIONS, config.KAFKA_REPLICATION_FACTOR);
            } finally {
              await admin.disconnect();
            }
            const producer = kafka.producer({
              idempotent: true,
              maxInFlightRequests: 1,
              retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30000 },
            });
            await producer.connect();
            return new KafkaPublisher(producer);
          },
        },
      ],
      exports: [SERVICE_CONFIG, STORE_CONNECTION, KAFKA_PUBLISHER],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
