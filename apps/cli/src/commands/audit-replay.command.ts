import { Command } from 'commander';
import { checkMrn } from '@customs/domain';
import { createKafka, parseBrokers } from '@customs/messaging';
import { formatReplayReport, runReplay } from '../audit/replay.runner';

/** Exit codes as `audit verify`: 0 no differences, 4 differences. */
const REPLAY_EXIT = { clean: 0, differences: 4 } as const;

interface ReplayOptions {
  brokers?: string;
  topicPrefix?: string;
  idleTimeout?: string;
  mrn?: string;
  json?: boolean;
}

/**
 * `customs audit replay`: re-runs validation, risk, valuation and release from the logged
 * inputs with the reference versions each event records, and reports every decision that
 * differs from the logged one.
 */
export function registerAuditReplayCommand(audit: Command): void {
  audit
    .command('replay')
    .description(
      're-derive validation, risk, valuation and release decisions from the log with the recorded ' +
        'reference versions; report every difference (exit 4 when there is one)',
    )
    .option('--brokers <list>', 'Kafka brokers (default: KAFKA_BROKERS or 127.0.0.1:9092)')
    .option('--topic-prefix <prefix>', 'read prefixed copies of the contract topics', '')
    .option(
      '--idle-timeout <seconds>',
      'give up on a partition that makes no progress this long',
      '20',
    )
    .option('--mrn <mrn>', 'replay only this declaration')
    .option('--json', 'machine-readable report: {ok, counts, differences[], notRederivable[]}')
    .action(async (o: ReplayOptions) => {
      if (o.mrn && !checkMrn(o.mrn).valid)
        throw new Error(`--mrn ${o.mrn}: not a valid MRN (${checkMrn(o.mrn).problems.join('; ')})`);
      const idle = o.idleTimeout === undefined ? undefined : Number(o.idleTimeout);
      if (idle !== undefined && (!Number.isFinite(idle) || idle <= 0))
        throw new Error(`--idle-timeout ${o.idleTimeout}: expected a positive number of seconds`);
      const brokers = parseBrokers(o.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');
      if (brokers.length === 0) throw new Error('--brokers: no broker given');
      const kafka = createKafka(`customs-audit-${process.pid}`, brokers, true);
      const report = await runReplay(
        kafka,
        { mrn: o.mrn, prefix: o.topicPrefix },
        { idleTimeoutMs: idle === undefined ? undefined : idle * 1000 },
      );
      process.stdout.write(
        `${o.json ? JSON.stringify(report, null, 2) : formatReplayReport(report)}\n`,
      );
      process.exitCode = report.ok ? REPLAY_EXIT.clean : REPLAY_EXIT.differences;
    });
}
