import { Command } from 'commander';
import { checkMrn } from '@customs/domain';

export function registerMrnCommand(program: Command): void {
  program
    .command('mrn')
    .description('Movement Reference Numbers')
    .command('check <mrn>')
    .description('validate an MRN: format and check digit')
    .option('--json', 'machine-readable output: {mrn, valid, expectedCheckDigit, ...}')
    .action((mrn: string, opts: { json?: boolean }) => {
      const r = checkMrn(mrn);
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else if (r.valid)
        process.stdout.write(`${r.mrn}: valid (check digit ${r.expectedCheckDigit})\n`);
      else process.stdout.write(`${r.mrn}: invalid: ${r.problems.join('; ')}\n`);
      if (!r.valid) process.exitCode = 2;
    });
}
