import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { buildAsyncApiDocument } from '@customs/contracts';
import { SERVICE_VERSION } from '@customs/platform';

export function registerAsyncApiCommand(program: Command): void {
  program
    .command('asyncapi')
    .description(
      'print (or write) the AsyncAPI 3.0 document of every topic and payload, generated from the contracts',
    )
    .option('--out <file>', 'write it to a file instead of stdout')
    .action((opts: { out?: string }) => {
      const text = `${JSON.stringify(buildAsyncApiDocument(SERVICE_VERSION), null, 2)}\n`;
      if (opts.out) writeFileSync(opts.out, text);
      else process.stdout.write(text);
    });
}
