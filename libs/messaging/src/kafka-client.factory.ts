import { readFileSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { Kafka, KafkaConfig, logLevel, SASLOptions } from 'kafkajs';

// kafkajs logs through our logger so that lines land in one format.
function logCreator(context: string) {
  const logger = new Logger(context);
  return () =>
    ({ level, log }: { level: logLevel; log: { message: string; [k: string]: unknown } }) => {
      const { message, ...rest } = log;
      const text = `${message} ${JSON.stringify({ broker: rest.broker, error: rest.error })}`;
      if (level === logLevel.ERROR) logger.error(text);
      else if (level === logLevel.WARN) logger.warn(text);
      else logger.debug?.(text);
    };
}

/**
 * Security from the environment: KAFKA_SSL=true for TLS; KAFKA_SASL_MECHANISM
 * (plain | scram-sha-256 | scram-sha-512) with KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD,
 * or KAFKA_SASL_PASSWORD_FILE (a mounted secret; the password never sits in the environment).
 */
export function kafkaSecurityFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const ssl = env.KAFKA_SSL === 'true';
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (!mechanism) return { ssl };
  if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(mechanism)) {
    throw new Error(
      `KAFKA_SASL_MECHANISM=${mechanism}: expected plain, scram-sha-256 or scram-sha-512`,
    );
  }
  let password = env.KAFKA_SASL_PASSWORD;
  if (!password && env.KAFKA_SASL_PASSWORD_FILE) {
    try {
      password = readFileSync(env.KAFKA_SASL_PASSWORD_FILE, 'utf8').trim();
    } catch (error) {
      throw new Error(
        `KAFKA_SASL_PASSWORD_FILE=${env.KAFKA_SASL_PASSWORD_FILE}: cannot be read (${(error as Error).message})`,
      );
    }
  }
  if (!env.KAFKA_SASL_USERNAME || !password) {
    throw new Error(
      'KAFKA_SASL_MECHANISM is set: KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE) are required',
    );
  }
  const sasl = { mechanism, username: env.KAFKA_SASL_USERNAME, password } as SASLOptions;
  return { ssl, sasl };
}

/**
 * A client with the environment's security, or with `security` given by the caller (the
 * CLI's local defaults: the local stack's credentials of the tool's principal).
 */
export function createKafka(
  clientId: string,
  brokers: string[],
  quiet = false,
  security: Pick<KafkaConfig, 'ssl' | 'sasl'> = kafkaSecurityFromEnv(),
): Kafka {
  return new Kafka({
    clientId,
    brokers,
    ...security,
    logLevel: quiet ? logLevel.NOTHING : logLevel.WARN,
    logCreator: logCreator(`kafka:${clientId}`),
    retry: { initialRetryTime: 200, retries: 10 },
  });
}

export function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}
