import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { parseBrokers } from '@customs/messaging';
import { runBench } from '../bench/bench.runner';
import { benchTable } from '../bench/bench.table';

interface BenchCliOptions {
  rate?: number;
  max?: boolean;
  duration?: number;
  count?: number;
  items: number;
  replicas: number;
  partitions: number;
  seed: number;
  codes: 'seed' | 'hs2022';
  baseline: 'tx' | 'plain' | 'none';
  drain: number;
  jsonOut: string;
  cpuProf?: string;
}

const positive =
  (name: string, integer = true) =>
  (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
      throw new InvalidArgumentError(
        `${name} must be a positive ${integer ? 'integer' : 'number'}`,
      );
    return n;
  };

/**
 * `customs bench`: the whole pipeline end to end on the local stack, against a no-op
 * passthrough on the same broker. Needs the broker, the store and ports 3000-3003 (and
 * 3100-3103 with two replicas) to itself.
 */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(
      'end-to-end benchmark: stream generated declarations through the four services, measure decisions/s, latency, lag, CPU and memory, and a passthrough baseline',
    )
    .option('--rate <n>', 'offered declarations per second (default: --max)', positive('--rate'))
    .option('--max', 'offer as fast as the broker takes them (the default)')
    .option(
      '--duration <s>',
      'seconds to offer for (with --rate: count = rate x duration)',
      positive('--duration'),
    )
    .option(
      '-n, --count <n>',
      'declarations to offer (default: rate x duration, or 5000 at --max)',
      positive('--count'),
    )
    .option('--items <mean>', 'mean items per declaration (1 to 50)', positive('--items', false), 5)
    .option('--replicas <n>', 'replicas of each service', positive('--replicas'), 1)
    .option(
      '--partitions <n>',
      'partitions the declaration topics must have (>= replicas)',
      positive('--partitions'),
      6,
    )
    .option('--seed <n>', 'generator seed', positive('--seed'), 1)
    .addOption(
      new Option(
        '--codes <source>',
        'commodity codes: the seed nomenclature, or the full HS 2022 file (import it first)',
      )
        .choices(['seed', 'hs2022'])
        .default('seed'),
    )
    .addOption(
      new Option(
        '--baseline <mode>',
        'passthrough baseline: transactional like the pipeline, plain sends, or none',
      )
        .choices(['tx', 'plain', 'none'])
        .default('tx'),
    )
    .option(
      '--drain <s>',
      'seconds to wait for the last decisions after the offer',
      positive('--drain'),
      60,
    )
    .option('--json-out <file>', 'where to write the JSON report', 'bench-report.json')
    .option('--cpu-prof <dir>', 'run the services under node --cpu-prof and summarise the profiles')
    .action(async (opts: BenchCliOptions) => {
      if (opts.rate !== undefined && opts.max)
        throw new InvalidArgumentError('--rate and --max exclude each other');
      const items = opts.items;
      if (items < 1 || items > 50)
        throw new InvalidArgumentError('--items must be between 1 and 50');
      const tty = process.stderr.isTTY;
      const bar = tty
        ? new SingleBar(
            {
              format: ' {phase} |{bar}| {value}/{total}',
              hideCursor: true,
              stream: process.stderr,
            },
            Presets.shades_classic,
          )
        : undefined;
      let barPhase = '';
      const report = await runBench({
        rate: opts.rate,
        durationS: opts.duration,
        count: opts.count,
        meanItems: items,
        replicas: opts.replicas,
        partitions: opts.partitions,
        seed: opts.seed,
        codes: opts.codes,
        baseline: opts.baseline,
        drainS: opts.drain,
        cpuProfDir: opts.cpuProf ? resolve(opts.cpuProf) : undefined,
        brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
        log: (line) => {
          bar?.stop();
          barPhase = '';
          process.stderr.write(`${line}\n`);
        },
        progress: (phase, done, total) => {
          if (!bar) return;
          if (barPhase !== phase) {
            bar.stop();
            bar.start(total, done, { phase: phase.padEnd(8) });
            barPhase = phase;
          } else bar.update(done);
        },
      }).finally(() => bar?.stop());
      const out = resolve(opts.jsonOut);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(benchTable(report));
      process.stdout.write(`report: ${out}\n`);
      if (report.pipeline.undecided > 0) process.exitCode = 1;
    });
}
