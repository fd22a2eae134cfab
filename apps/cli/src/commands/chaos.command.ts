import { Command } from 'commander';
import { ChaosOptions, formatChaosReport, runChaos } from '../chaos/chaos.runner';

interface ChaosCliOptions {
  count: string;
  seed: string;
  kills: string;
  rate: string;
  brokerRestart: boolean;
  storeRestart: boolean;
  settleTimeout: string;
  brokers?: string;
  json?: boolean;
}

function positive(name: string, value: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0) || !Number.isInteger(n))
    throw new Error(
      `${name} ${value}: expected a ${allowZero ? 'non-negative' : 'positive'} integer`,
    );
  return n;
}

/** `customs chaos`: the exactly-once proof under crashes (docs/chaos.md). Exit 1 on any failure. */
export function registerChaosCommand(program: Command): void {
  program
    .command('chaos')
    .description(
      'stream declarations through the four services while killing them (-9) at random moments ' +
        'and restarting the broker and the store once, then check exactly one decision per stage, ' +
        'intact hash chains and no duplicate notification (exit 1 on any failure)',
    )
    .option('-n, --count <n>', 'declarations to submit', '300')
    .option('--seed <n>', 'seed of the declarations and of the chaos plan', '7')
    .option('--kills <n>', 'services killed with SIGKILL (and restarted as the same replica)', '3')
    .option('--rate <n>', 'declarations submitted per second', '5')
    .option('--no-broker-restart', 'do not restart the Kafka broker')
    .option('--no-store-restart', 'do not restart the store (FerretDB)')
    .option('--settle-timeout <s>', 'seconds to wait for every decision after the chaos', '180')
    .option('--brokers <list>', 'Kafka brokers (default: KAFKA_BROKERS or 127.0.0.1:9092)')
    .option('--json', 'machine-readable report')
    .action(async (o: ChaosCliOptions) => {
      const opts: ChaosOptions = {
        count: positive('--count', o.count),
        seed: positive('--seed', o.seed, true),
        kills: positive('--kills', o.kills, true),
        rate: positive('--rate', o.rate),
        restartBroker: o.brokerRestart,
        restartStore: o.storeRestart,
        settleTimeoutS: positive('--settle-timeout', o.settleTimeout),
        brokers: o.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
        log: (line) => process.stderr.write(`${line}\n`),
      };
      const report = await runChaos(opts);
      process.stdout.write(
        o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatChaosReport(report)}\n`,
      );
      process.exitCode = report.ok ? 0 : 1;
    });
}
