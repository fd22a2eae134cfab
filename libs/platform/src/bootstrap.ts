import {
  INestApplication,
  Logger,
  Type,
  ValidationPipe,
  VersioningType,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ServiceConfig } from '@customs/config';
import { KafkaTransport, parseBrokers } from '@customs/messaging';
import { RethrowRpcFilter } from './rethrow-rpc.filter';
import { SERVICE_VERSION } from './service-version';
import { SERVICE_CONFIG } from './tokens';

/**
 * Starts one service: HTTP API (versioned: /x and /v1/x) and the Kafka consumer that
 * drives its `@EventPattern` handlers. SIGTERM stops consuming, commits, leaves the group.
 */
export async function bootstrapService(
  service: string,
  module: Type<unknown>,
): Promise<INestApplication> {
  const logger = new Logger(service);
  const app = await NestFactory.create(module, { bufferLogs: false });
  const config = app.get<ServiceConfig>(SERVICE_CONFIG);
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: [VERSION_NEUTRAL, '1'] });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.enableShutdownHooks();
  const microservice = app.connectMicroservice(
    {
      strategy: new KafkaTransport({
        service,
        version: SERVICE_VERSION,
        brokers: parseBrokers(config.KAFKA_BROKERS),
        groupId: `customs-${service}`,
        transactionalId: `customs-${service}-${config.REPLICA_ID}`,
      }),
    },
    { inheritAppConfig: false },
  );
  microservice.useGlobalFilters(new RethrowRpcFilter());
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.HTTP_HOST);
  logger.log(
    `${service}@${SERVICE_VERSION} listening on http://${config.HTTP_HOST}:${config.httpPort}`,
  );
  return app;
}
