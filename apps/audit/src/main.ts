import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadCheckpointerConfig } from '@customs/config';
import { SERVICE_VERSION } from '@customs/platform';
import { AuditModule } from './audit.module';

/**
 * The checkpointer: follows every audited partition and publishes signed Merkle tree heads
 * (docs/audit.md). HTTP only for health. SIGTERM stops following and flushes the heads cut.
 */
async function main(): Promise<void> {
  const config = loadCheckpointerConfig();
  const app = await NestFactory.create(AuditModule.forConfig(config), { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  await app.listen(config.httpPort, config.HTTP_HOST);
  logger.log(
    `audit@${SERVICE_VERSION} listening on http://${config.HTTP_HOST}:${config.httpPort}`,
    'bootstrap',
  );
}

void main().catch((error) => {
  console.error(`audit failed to start: ${(error as Error).message}`);
  process.exit(1);
});
