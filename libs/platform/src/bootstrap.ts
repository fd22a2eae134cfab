import {
  INestApplication,
  Type,
  ValidationPipe,
  VersioningType,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { ServiceConfig } from '@customs/config';
import { KafkaTransport, parseBrokers } from '@customs/messaging';
import { addressRateLimit, bodyDepthLimit, forbiddenBodyKeys, loadHttpLimits } from './auth';
import { TransportHealthHolder } from './health.controller';
import { ServiceMetrics } from './observability/service-metrics';
import { startTracing } from './observability/tracing';
import { RethrowRpcFilter } from './rethrow-rpc.filter';
import { SERVICE_VERSION } from './service-version';
import { RecordSigning } from './platform.module';
import { KAFKA_TRANSPORT_HEALTH, RECORD_SIGNING, SERVICE_CONFIG, SERVICE_METRICS } from './tokens';

/**
 * Starts one service: HTTP API (versioned: /x and /v1/x, OpenAPI at /api-docs), the Kafka
 * consumer that drives its `@EventPattern` handlers, JSON logs, metrics. SIGTERM stops
 * consuming, commits, leaves the group, then closes the store.
 */
export interface BootstrapOptions {
  /** Handler groups (`@EventPattern(topic, { group })`) consumed apart from the decisions. */
  handlerGroups?: string[];
}

export async function bootstrapService(
  service: string,
  module: Type<unknown>,
  options: BootstrapOptions = {},
): Promise<INestApplication> {
  startTracing(service, SERVICE_VERSION);
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const config = app.get<ServiceConfig>(SERVICE_CONFIG);
  const limits = loadHttpLimits();
  if (limits.trustProxyHops > 0) app.set('trust proxy', limits.trustProxyHops);
  // First of all: requests per address, before the body is read and before authentication,
  // so failed-auth traffic is limited too.
  app.use(addressRateLimit(limits));
  // Bodies over the limit are refused (413) before they are parsed or reach a controller.
  app.useBodyParser('json', { limit: limits.bodyLimitBytes });
  app.useBodyParser('urlencoded', { limit: limits.bodyLimitBytes, extended: false });
  app.use(bodyDepthLimit());
  app.use(forbiddenBodyKeys());
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: [VERSION_NEUTRAL, '1'] });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  // Registered on the app and inherited by the Kafka side: a microservice's own global
  // filters must be set before its initialisation, which connectMicroservice already ran.
  app.useGlobalFilters(new RethrowRpcFilter(app.get(HttpAdapterHost).httpAdapter));
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`customs ${service} API`)
      .setVersion(SERVICE_VERSION)
      .setDescription(`HTTP API of the ${service} service`)
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('api-docs', app, document, { jsonDocumentUrl: 'api-docs.json' });

  // One consumer for the handlers that decide, and one per handler group the service names
  // (a read model that should never delay its decisions), each in its own consumer group.
  const transports = [undefined, ...(options.handlerGroups ?? [])].map((group) => {
    const name = group ? `${service}-${group}` : service;
    const transport = new KafkaTransport({
      service,
      version: SERVICE_VERSION,
      brokers: parseBrokers(config.KAFKA_BROKERS),
      groupId: `customs-${name}`,
      transactionalId: `customs-${name}-${config.REPLICA_ID}`,
      partitionsConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
      handlerGroup: group,
      observer: app.get<ServiceMetrics>(SERVICE_METRICS),
      ...app.get<RecordSigning>(RECORD_SIGNING),
    });
    app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
    return transport;
  });
  app.get<TransportHealthHolder>(KAFKA_TRANSPORT_HEALTH).transport = {
    // Ready when every consumer is.
    health: () => {
      const all = transports.map((t) => t.health());
      return {
        consuming: all.every((h) => h.consuming),
        detail: all.map((h) => h.detail).join('; '),
      };
    },
  };
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.HTTP_HOST);
  logger.log(
    `${service}@${SERVICE_VERSION} listening on http://${config.HTTP_HOST}:${config.httpPort}`,
    'bootstrap',
  );
  return app;
}
