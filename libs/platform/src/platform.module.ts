import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { loadServiceConfig } from '@customs/config';
import { connectStore } from '@customs/persistence';
import {
  createKafka,
  KafkaPublisher,
  loadKeyRegistry,
  loadSigner,
  parseBrokers,
  requireTopics,
} from '@customs/messaging';
import { findPrincipal, SERVICE_PRINCIPAL, servicePrincipals, topicsOf } from '@customs/contracts';
import { Admin, Kafka } from 'kafkajs';
import { KeyRegistry, RecordSigner } from '@customs/contracts';
import { Connection } from 'mongoose';
import { AsyncApiController } from './asyncapi.controller';
import {
  AuthGuard,
  IdentityThrottlerGuard,
  JwtVerifier,
  loadAuthConfig,
  loadHttpLimits,
  Public,
} from './auth';
import { HealthController, TransportHealthHolder } from './health.controller';
import { MetricsController } from './observability/metrics.controller';
import { ServiceMetrics } from './observability/service-metrics';
import { stopTracing } from './observability/tracing';
import {
  KAFKA_ADMIN,
  KAFKA_PUBLISHER,
  KAFKA_TRANSPORT_HEALTH,
  RECORD_SIGNING,
  SERVICE_CONFIG,
  SERVICE_METRICS,
  STORE_CONNECTION,
} from './tokens';

const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

/** The service's record-signing key and the registry it verifies consumed records with. */
export interface RecordSigning {
  signer: RecordSigner;
  registry: KeyRegistry;
}

/** Service `x` signs as principal `svc-x` (DESIGN.md "Trust"). */
export function loadRecordSigning(
  service: string,
  env: NodeJS.ProcessEnv = process.env,
): RecordSigning {
  return { signer: loadSigner(`svc-${service}`, env), registry: loadKeyRegistry(env) };
}

// Authentication: the decorators and ownership rules the app controllers use (issue 8).
export * from './auth';

// Probes, scrapes and API documents are for anyone (the guard denies unannotated routes).
for (const controller of [HealthController, MetricsController, AsyncApiController])
  Public()(controller);

/**
 * What every service needs: validated configuration, its own database, the contract topics
 * (created if missing), a publisher for records that do not come from a consumed one,
 * structured logs, metrics and health.
 */
@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  constructor(
    @Inject(STORE_CONNECTION) private readonly connection: Connection,
    @Inject(KAFKA_PUBLISHER) private readonly publisher: KafkaPublisher,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
  ) {}

  static forService(service: string): DynamicModule {
    const topicsOfService = (name: string) =>
      topicsOf(
        findPrincipal(
          servicePrincipals(),
          SERVICE_PRINCIPAL[name as keyof typeof SERVICE_PRINCIPAL],
        ),
      );
    const config = loadServiceConfig(service);
    const limits = loadHttpLimits();
    return {
      module: PlatformModule,
      imports: [
        // Validated once more through @nestjs/config, so ConfigService users see the same values.
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          validate: (env) => ({ ...loadServiceConfig(service, env) }),
        }),
        TerminusModule.forRoot({ logger: false }),
        ThrottlerModule.forRoot({
          // 'default': the headers are then the plain Retry-After and X-RateLimit-*.
          throttlers: [{ name: 'default', limit: limits.rateLimit, ttl: limits.rateWindowMs }],
          errorMessage: `rate limit exceeded: at most ${limits.rateLimit} requests per ${limits.rateWindowMs / 1000} s for one identity`,
        }),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            base: { service },
            // Health probes and scrapes every few seconds are noise.
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
          },
        }),
      ],
      controllers: [HealthController, MetricsController, AsyncApiController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        // Read at start: a service that cannot sign or verify records does not start.
        { provide: RECORD_SIGNING, useFactory: () => loadRecordSigning(service) },
        // Read at start: without a usable public key the service does not start (fail closed).
        { provide: JwtVerifier, useFactory: () => new JwtVerifier(loadAuthConfig()) },
        // Order matters: the throttler counts per identity, which the auth guard sets.
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: IdentityThrottlerGuard },
        { provide: SERVICE_METRICS, useValue: new ServiceMetrics(service) },
        { provide: KAFKA_TRANSPORT_HEALTH, useValue: new TransportHealthHolder() },
        {
          provide: STORE_CONNECTION,
          useFactory: () => connectStore(config.MONGO_URL, config.mongoDb, config.mongoAuth),
        },
        {
          provide: KAFKA_CLIENT,
          useFactory: () =>
            createKafka(`${service}-${config.REPLICA_ID}`, parseBrokers(config.KAFKA_BROKERS)),
        },
        {
          provide: KAFKA_ADMIN,
          inject: [KAFKA_CLIENT],
          useFactory: async (kafka: Kafka) => {
            const admin = kafka.admin();
            await admin.connect();
            await requireTopics(admin, topicsOfService(service));
            return admin;
          },
        },
        {
          provide: KAFKA_PUBLISHER,
          inject: [KAFKA_CLIENT, RECORD_SIGNING, KAFKA_ADMIN],
          useFactory: async (kafka: Kafka, signing: RecordSigning) => {
            const producer = kafka.producer({
              idempotent: true,
              maxInFlightRequests: 1,
              retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30000 },
            });
            await producer.connect();
            return new KafkaPublisher(producer, signing.signer);
          },
        },
      ],
      exports: [
        SERVICE_CONFIG,
        RECORD_SIGNING,
        STORE_CONNECTION,
        KAFKA_PUBLISHER,
        SERVICE_METRICS,
        KAFKA_TRANSPORT_HEALTH,
        KAFKA_ADMIN,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
    await stopTracing();
  }
}
