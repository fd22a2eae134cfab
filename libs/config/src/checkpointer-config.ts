import { plainToInstance } from 'class-transformer';
import { IsInt, Matches, Max, Min, validateSync } from 'class-validator';
import { ConfigurationError, loadServiceConfig, ServiceConfig } from './service-config';

/** The checkpointer's own settings (apps/audit), on top of every service's. */
export class CheckpointerEnvironment {
  /** A signed head per partition after this many records... */
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  CHECKPOINT_EVERY_RECORDS = 1000;

  /** ...or after this many seconds, when the partition grew. */
  @IsInt()
  @Min(1)
  @Max(86_400)
  CHECKPOINT_INTERVAL_SECONDS = 10;

  /** Follow prefixed copies of the topics (scratch copies, tests) and publish to the prefixed checkpoints topic. */
  @Matches(/^[A-Za-z0-9._-]{0,100}$/, {
    message: 'CHECKPOINT_TOPIC_PREFIX must be letters, digits, . _ -',
  })
  CHECKPOINT_TOPIC_PREFIX = '';
}

export interface CheckpointerConfig extends ServiceConfig, CheckpointerEnvironment {}

const NUMERIC = new Set(['CHECKPOINT_EVERY_RECORDS', 'CHECKPOINT_INTERVAL_SECONDS']);

export function loadCheckpointerConfig(env: NodeJS.ProcessEnv = process.env): CheckpointerConfig {
  const service = loadServiceConfig('audit', env);
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(new CheckpointerEnvironment())) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    raw[key] = NUMERIC.has(key) && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  const instance = plainToInstance(CheckpointerEnvironment, raw);
  const errors = validateSync(instance, { forbidUnknownValues: true });
  if (errors.length > 0)
    throw new ConfigurationError(
      errors.flatMap((e) =>
        Object.values(e.constraints ?? {}).map(
          (m) => `${e.property}=${JSON.stringify(e.value)}: ${m}`,
        ),
      ),
    );
  return { ...service, ...instance };
}
