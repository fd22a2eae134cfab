import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { plainToInstance } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';

/**
 * Configuration shared by every service, from the environment. Local defaults match the
 * embedded stack (`customs stack up`); a bad value stops the process with its name.
 */
export class ServiceEnvironment {
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, {
    message: 'KAFKA_BROKERS must be host:port[,host:port...]',
  })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsInt()
  @Min(1)
  @Max(1000)
  KAFKA_PARTITIONS = 6;

  @IsInt()
  @Min(1)
  @Max(5)
  KAFKA_REPLICATION_FACTOR = 1;

  /**
   * Partitions a replica handles at once (each with its own transactional producer; batches
   * of one partition number, i.e. of the same declarations, one at a time). The store's
   * round trips dominate a handler, so overlapping partitions raises throughput (bench: 64 ->
   * 95 declarations/s with 3).
   */
  @IsInt()
  @Min(1)
  @Max(64)
  KAFKA_PARTITIONS_CONCURRENTLY = 3;

  @Matches(/^mongodb(\+srv)?:\/\/\S+$/, { message: 'MONGO_URL must be a mongodb:// URL' })
  MONGO_URL = 'mongodb://127.0.0.1:27017';

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,38}$/, { message: 'MONGO_DB must be a database name' })
  MONGO_DB?: string;

  /**
   * The service's store login, with its password from a mounted secret (MONGO_PASSWORD_FILE)
   * rather than in MONGO_URL; authenticated against the service's own database.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'MONGO_USERNAME must be a user name' })
  MONGO_USERNAME?: string;

  @IsOptional()
  @IsString()
  MONGO_PASSWORD_FILE?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT?: number;

  @IsString()
  HTTP_HOST = '127.0.0.1';

  /** Stable identity of this replica: the transactional id derives from it (zombie fencing). */
  @Matches(/^[A-Za-z0-9_.-]{1,100}$/, { message: 'REPLICA_ID must be letters, digits, _ . -' })
  REPLICA_ID = hostname().replace(/[^A-Za-z0-9_.-]/g, '-') || 'local';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug'])
  LOG_LEVEL = 'info';

  /** National currency of the administration (ISO 4217). */
  @Matches(/^[A-Z]{3}$/, { message: 'NATIONAL_CURRENCY must be an ISO 4217 code' })
  NATIONAL_CURRENCY = 'EUR';

  /** Valuation basis: CIF (transport and insurance to the border included, EU) or FOB (US). */
  @IsIn(['CIF', 'FOB'])
  VALUATION_BASIS: 'CIF' | 'FOB' = 'CIF';
}

export interface ServiceConfig extends ServiceEnvironment {
  service: string;
  mongoDb: string;
  httpPort: number;
  /** The store login from MONGO_USERNAME / MONGO_PASSWORD_FILE, if given. */
  mongoAuth?: { username: string; password: string; authSource: string };
}

const DEFAULT_PORTS: Record<string, number> = {
  intake: 3000,
  risk: 3001,
  valuation: 3002,
  release: 3003,
  audit: 3004,
};
const NUMERIC = new Set([
  'KAFKA_PARTITIONS',
  'KAFKA_REPLICATION_FACTOR',
  'KAFKA_PARTITIONS_CONCURRENTLY',
  'HTTP_PORT',
]);

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

export function loadServiceConfig(
  service: string,
  env: NodeJS.ProcessEnv = process.env,
): ServiceConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(new ServiceEnvironment())) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    raw[key] = NUMERIC.has(key) && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  for (const key of ['MONGO_DB', 'HTTP_PORT', 'MONGO_USERNAME', 'MONGO_PASSWORD_FILE']) {
    const value = env[key];
    if (value !== undefined && value !== '')
      raw[key] = NUMERIC.has(key) && /^\d+$/.test(value) ? Number(value) : value;
  }
  const instance = plainToInstance(ServiceEnvironment, raw);
  const errors = validateSync(instance, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigurationError(
      errors.flatMap((e) =>
        Object.values(e.constraints ?? {}).map(
          (m) => `${e.property}=${JSON.stringify(e.value)}: ${m}`,
        ),
      ),
    );
  }
  const mongoDb = instance.MONGO_DB ?? `customs_${service}`;
  return {
    ...instance,
    service,
    mongoDb,
    httpPort: instance.HTTP_PORT ?? DEFAULT_PORTS[service] ?? 0,
    mongoAuth: storeLogin(instance, mongoDb),
  };
}

function storeLogin(env: ServiceEnvironment, db: string): ServiceConfig['mongoAuth'] {
  if (!env.MONGO_USERNAME && !env.MONGO_PASSWORD_FILE) return undefined;
  if (!env.MONGO_USERNAME || !env.MONGO_PASSWORD_FILE)
    throw new ConfigurationError([
      'MONGO_USERNAME and MONGO_PASSWORD_FILE go together (the store login and its password file)',
    ]);
  let password: string;
  try {
    password = readFileSync(env.MONGO_PASSWORD_FILE, 'utf8').trim();
  } catch (error) {
    throw new ConfigurationError([
      `MONGO_PASSWORD_FILE=${JSON.stringify(env.MONGO_PASSWORD_FILE)}: cannot be read (${(error as Error).message})`,
    ]);
  }
  return { username: env.MONGO_USERNAME, password, authSource: db };
}
