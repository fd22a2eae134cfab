import { Command, InvalidArgumentError } from 'commander';
import { Declaration } from '@customs/contracts';
import { validateDeclaration } from '@customs/domain';
import {
  loadSeedAccounts,
  loadSeedNomenclature,
  seedDeclarableCodes,
} from '@customs/reference-data';
import { DeclarationGenerator } from '@customs/simulation';

interface BenchOptions {
  declarations: number;
  runs: number;
  warmup: number;
  items: number;
  seed: number;
  json?: boolean;
}

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${name} must be a positive integer`);
  return n;
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * `intake-bench`: declarations per second through intake's validation alone (structure,
 * codes, nomenclature, business rules: `validateDeclaration`), on one core, no I/O. The
 * declarations are generated beforehand (seeded, seed nomenclature codes), a warm-up lets
 * the JIT settle, then each run validates the whole set; the median run is the figure.
 */
export function registerIntakeBenchCommand(program: Command): void {
  program
    .command('intake-bench')
    .description('measure declarations/s through intake validation alone (no broker, no store)')
    .option('-n, --declarations <n>', 'declarations per run', positiveInt('--declarations'), 20000)
    .option('--runs <n>', 'measured runs (the median is reported)', positiveInt('--runs'), 5)
    .option(
      '--warmup <n>',
      'declarations validated before measuring',
      positiveInt('--warmup'),
      5000,
    )
    .option('--items <n>', 'mean items per declaration', positiveInt('--items'), 5)
    .option('--seed <n>', 'generator seed', positiveInt('--seed'), 1)
    .option('--json', 'machine-readable output')
    .action((opts: BenchOptions) => {
      const date = new Date().toISOString().slice(0, 10);
      const nomenclature = loadSeedNomenclature();
      const generator = new DeclarationGenerator({
        seed: opts.seed,
        commodityCodes: seedDeclarableCodes(date),
        meanItems: opts.items,
        lrnPrefix: 'BENCH',
        securedTraders: loadSeedAccounts().accounts.map((a) => ({
          holder: a.holder,
          accountId: a.id,
        })),
      });
      const set: Declaration[] = Array.from({ length: opts.declarations }, (_, i) =>
        generator.next(i + 1),
      );
      const items = set.reduce((n, d) => n + d.items.length, 0);
      const ctx = { nomenclature, lodgementDate: date };
      // Validated as a lodgement arrives: JSON text parsed, then judged.
      const texts = set.map((d) => JSON.stringify(d));
      for (let i = 0; i < opts.warmup; i++)
        validateDeclaration(JSON.parse(texts[i % texts.length]), ctx);

      const rates: number[] = [];
      let invalid = 0;
      for (let r = 0; r < opts.runs; r++) {
        invalid = 0;
        const started = process.hrtime.bigint();
        for (const t of texts) if (!validateDeclaration(JSON.parse(t), ctx).ok) invalid++;
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        rates.push(texts.length / seconds);
        if (!opts.json)
          process.stderr.write(
            `run ${r + 1}/${opts.runs}: ${Math.round(rates[r])} declarations/s\n`,
          );
      }
      const result = {
        declarations: opts.declarations,
        meanItems: Number((items / set.length).toFixed(2)),
        runs: opts.runs,
        warmup: opts.warmup,
        invalid,
        nomenclature: nomenclature.version,
        medianPerSecond: Math.round(median(rates)),
        minPerSecond: Math.round(Math.min(...rates)),
        maxPerSecond: Math.round(Math.max(...rates)),
        medianMicrosecondsPerDeclaration: Number((1e6 / median(rates)).toFixed(1)),
        node: process.version,
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else
        process.stdout.write(
          `validation: median ${result.medianPerSecond} declarations/s (min ${result.minPerSecond}, max ${result.maxPerSecond}) over ${result.runs} runs of ${result.declarations} declarations, ${result.meanItems} items on average, ${result.invalid} invalid; nomenclature ${result.nomenclature}, node ${result.node}\n`,
        );
    });
}
