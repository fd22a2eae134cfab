import { ADMIN_PRINCIPAL } from '@customs/contracts';
import { localSecurity } from '@customs/stack';
import { Command } from 'commander';
import { SERVICES } from '@customs/contracts';
import { createKafka, parseBrokers } from '@customs/messaging';
import { DeadLetter, readDeadLetters } from '../dlq/dlq.reader';
import { formatRedriveReport, redrive } from '../dlq/dlq.redriver';

interface DlqOptions {
  service?: string;
  brokers?: string;
  json?: boolean;
}

function serviceOption(value: string | undefined, required: boolean): string[] {
  if (value === undefined) {
    if (required) throw new Error(`--service is required: one of ${SERVICES.join(', ')}`);
    return [...SERVICES];
  }
  if (!(SERVICES as readonly string[]).includes(value))
    throw new Error(`--service ${value}: not a service; expected one of ${SERVICES.join(', ')}`);
  return [value];
}

const kafkaFrom = (o: DlqOptions) =>
  createKafka(
    `customs-dlq-${process.pid}`,
    parseBrokers(o.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
    true,
    localSecurity(ADMIN_PRINCIPAL),
  );

function formatLetters(letters: DeadLetter[]): string {
  if (letters.length === 0) return '  (empty)';
  return letters
    .map(
      (d) =>
        `  ${d.topic}[${d.partition}]@${d.offset} ${d.redriven ? 'redriven' : 'pending '} ` +
        `${d.origin ? `${d.origin.topic}[${d.origin.partition}]@${d.origin.offset}` : '(no origin)'} ` +
        `key ${d.key ?? '(none)'}${d.redriveCount ? ` redrive-count ${d.redriveCount}` : ''}\n` +
        `      ${d.at ?? ''} ${d.deadLetteredBy ?? ''} ${d.errorCode ?? ''}: ${d.error ?? ''}`,
    )
    .join('\n');
}

/** `customs dlq list|redrive`: operators look at dead letters and re-inject them once fixed. */
export function registerDlqCommand(program: Command): void {
  const dlq = program
    .command('dlq')
    .description("the services' dead-letter topics: list them, re-inject them (exactly once)");

  dlq
    .command('list')
    .description('list dead letters with origin topic/partition/offset, error and redrive state')
    .option('--service <name>', `one of ${SERVICES.join(', ')} (default: all)`)
    .option('--brokers <list>', 'Kafka brokers (default: KAFKA_BROKERS or 127.0.0.1:9092)')
    .option('--json', 'machine-readable output')
    .action(async (o: DlqOptions) => {
      const services = serviceOption(o.service, false);
      const kafka = kafkaFrom(o);
      const all: Record<string, DeadLetter[]> = {};
      for (const s of services) all[s] = await readDeadLetters(kafka, s);
      if (o.json) {
        const plain = Object.fromEntries(
          Object.entries(all).map(([s, ls]) => [
            s,
            ls.map(({ value, ...rest }) => ({ ...rest, value: value?.toString('utf8') ?? null })),
          ]),
        );
        process.stdout.write(`${JSON.stringify(plain, null, 2)}\n`);
        return;
      }
      for (const [s, ls] of Object.entries(all)) {
        const pending = ls.filter((d) => !d.redriven).length;
        process.stdout.write(
          `${s}: ${ls.length} dead letter(s), ${pending} not yet re-driven\n${formatLetters(ls)}\n`,
        );
      }
    });

  dlq
    .command('redrive')
    .description(
      're-inject the dead letters not yet re-driven into their origin topics (original key, value, ' +
        'headers), in one transaction with the redrive cursor: each is re-driven once, never twice',
    )
    .requiredOption('--service <name>', `one of ${SERVICES.join(', ')}`)
    .option('--dry-run', 'show what would be re-injected; change nothing')
    .option(
      '--max-redrives <n>',
      'pass over dead letters of records already re-driven this many times',
      '1',
    )
    .option('--wait <seconds>', 'then watch this long for re-injected records failing again', '10')
    .option('--brokers <list>', 'Kafka brokers (default: KAFKA_BROKERS or 127.0.0.1:9092)')
    .option('--json', 'machine-readable report')
    .action(async (o: DlqOptions & { dryRun?: boolean; maxRedrives: string; wait: string }) => {
      const [service] = serviceOption(o.service, true);
      const maxRedrives = Number(o.maxRedrives);
      if (!Number.isInteger(maxRedrives) || maxRedrives < 1)
        throw new Error(`--max-redrives ${o.maxRedrives}: expected a positive integer`);
      const wait = Number(o.wait);
      if (!Number.isFinite(wait) || wait < 0)
        throw new Error(`--wait ${o.wait}: expected a number of seconds, 0 or more`);
      const report = await redrive(kafkaFrom(o), service, {
        dryRun: o.dryRun,
        maxRedrives,
        waitMs: wait * 1000,
      });
      process.stdout.write(
        o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatRedriveReport(report)}\n`,
      );
    });
}
