import { Command } from 'commander';
import { LocalStack } from '@customs/stack';

export function registerStackCommand(program: Command): void {
  const stack = program
    .command('stack')
    .description('the local Kafka broker and FerretDB store (no Docker needed)');
  stack
    .command('up')
    .description(
      'fetch/build once, start Kafka and FerretDB if not running, wait until both answer, create the topics',
    )
    .action(async () => {
      await new LocalStack().up();
    });
  stack
    .command('down')
    .description('stop Kafka and FerretDB started by `stack up`')
    .option('--wipe', 'also delete their data (the whole local log and store)')
    .action(async (opts: { wipe?: boolean }) => {
      await new LocalStack().down(Boolean(opts.wipe));
    });
  stack
    .command('status')
    .description('whether Kafka and FerretDB answer, their pids and where the logs are')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const s = await new LocalStack().status();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      } else {
        const line = (name: string, x: { pid: number | null; answering: boolean }) =>
          `${name.padEnd(9)} ${x.answering ? 'up  ' : 'down'}${x.pid ? `  pid ${x.pid}` : ''}`;
        process.stdout.write(
          `${line('kafka', s.kafka)}\n${line('ferretdb', s.store)}\nlogs      ${s.logs}\n`,
        );
      }
      if (!s.kafka.answering || !s.store.answering) process.exitCode = 3;
    });
}
