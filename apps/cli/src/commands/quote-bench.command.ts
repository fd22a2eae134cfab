import { Command } from 'commander';
import { Declaration } from '@customs/contracts';
import { assessValuation, ValuationReferenceData } from '@customs/domain';
import { seedDeclarableCodes } from '@customs/reference-data';
import { DeclarationGenerator } from '@customs/simulation';
import { ValuationReferenceResolver } from '../../../valuation/src/reference/valuation-reference.resolver';

interface QuoteBenchOptions {
  count: string;
  runs: string;
  warmup: string;
  items: string;
  seed: string;
  at: string;
  basis?: 'CIF' | 'FOB';
  json?: boolean;
}

export interface QuoteBenchResult {
  declarations: number;
  meanItems: number;
  itemsQuoted: number;
  runs: number;
  /** Quotes per second of each run, in run order. */
  quotesPerSecond: number[];
  medianQuotesPerSecond: number;
  /** Per-quote latency over every timed quote, microseconds. */
  latencyMicros: { p50: number; p99: number; max: number };
  /** Share of declarations with at least one alert of each code (first run). */
  alertShare: Record<string, number>;
  referenceVersions: Record<string, string>;
  acceptedAt: string;
  node: string;
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name} ${value}: expected a positive integer`);
  return n;
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/**
 * Throughput of the valuation engine alone (no Kafka, no store): `assessValuation` over
 * generated declarations with the seed reference data, after a warm-up, in several runs;
 * the median run and the per-quote latency percentiles are what to compare between builds.
 */
export async function runQuoteBench(
  options: {
    count: number;
    runs: number;
    warmup: number;
    meanItems: number;
    seed: number;
    acceptedAt: string;
    basis?: 'CIF' | 'FOB';
  },
  progress: (line: string) => void = () => undefined,
): Promise<QuoteBenchResult> {
  const { count, runs, warmup, meanItems, seed, acceptedAt } = options;
  const codes = seedDeclarableCodes(acceptedAt.slice(0, 10));
  const generator = new DeclarationGenerator({ seed, commodityCodes: codes, meanItems });
  const declarations: Declaration[] = Array.from({ length: count }, (_, i) =>
    generator.next(i + 1),
  );
  const itemsQuoted = declarations.reduce((n, d) => n + d.items.length, 0);
  const reference: ValuationReferenceData = (
    await new ValuationReferenceResolver(null).at(acceptedAt)
  ).data;
  const config = { basis: options.basis, nationalCurrency: 'EUR' };
  const quote = (declaration: Declaration) =>
    assessValuation({ declaration, acceptedAt }, reference, config);

  const alerted = new Map<string, number>();
  for (const d of declarations) {
    for (const code of new Set(quote(d).alerts.map((a) => a.code)))
      alerted.set(code, (alerted.get(code) ?? 0) + 1);
  }
  for (let i = 0; i < warmup; i++) quote(declarations[i % count]);
  progress(`warm-up: ${count + warmup} quotes`);

  const latencies = new Float64Array(count * runs);
  const perSecond: number[] = [];
  let k = 0;
  for (let r = 0; r < runs; r++) {
    const started = process.hrtime.bigint();
    for (const d of declarations) {
      const t0 = process.hrtime.bigint();
      quote(d);
      latencies[k++] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    perSecond.push(count / seconds);
    progress(`run ${r + 1}/${runs}: ${Math.round(count / seconds)} quotes/s`);
  }
  latencies.sort();
  const sortedRuns = [...perSecond].sort((a, b) => a - b);
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return {
    declarations: count,
    meanItems,
    itemsQuoted,
    runs,
    quotesPerSecond: perSecond.map(Math.round),
    medianQuotesPerSecond: Math.round(sortedRuns[Math.floor(runs / 2)]),
    latencyMicros: {
      p50: round1(percentile(latencies, 50)),
      p99: round1(percentile(latencies, 99)),
      max: round1(latencies[latencies.length - 1]),
    },
    alertShare: Object.fromEntries(
      [...alerted].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, n]) => [c, n / count]),
    ),
    referenceVersions: Object.fromEntries(
      Object.entries(reference).map(([part, data]) => [
        part,
        (data as { version: string }).version,
      ]),
    ),
    acceptedAt,
    node: process.version,
  };
}

/** `customs quote-bench`: quotes per second of the valuation engine on generated declarations. */
export function registerQuoteBenchCommand(program: Command): void {
  program
    .command('quote-bench')
    .description(
      'measure quotes/s of the valuation engine on generated declarations (seed reference data; warm-up, several runs, median, p99 per quote)',
    )
    .option('-n, --count <n>', 'declarations per run', '20000')
    .option('--runs <n>', 'timed runs', '5')
    .option('--warmup <n>', 'untimed quotes before the runs (after one untimed pass)', '5000')
    .option('--items <mean>', 'mean items per declaration', '5')
    .option('--seed <n>', 'generator seed', '1')
    .option('--at <iso-time>', 'acceptance instant (rates in force then)', '2026-07-15T10:00:00Z')
    .option('--basis <CIF|FOB>', 'valuation basis (default CIF)')
    .option('--json', 'machine-readable output')
    .action(async (opts: QuoteBenchOptions) => {
      if (Number.isNaN(Date.parse(opts.at)))
        throw new Error(`--at ${opts.at}: not an ISO-8601 instant`);
      if (opts.basis && opts.basis !== 'CIF' && opts.basis !== 'FOB')
        throw new Error(`--basis ${opts.basis}: expected CIF or FOB`);
      const result = await runQuoteBench(
        {
          count: positiveInt('count', opts.count),
          runs: positiveInt('runs', opts.runs),
          warmup: Number(opts.warmup) >= 0 ? Math.floor(Number(opts.warmup)) : 0,
          meanItems: positiveInt('items', opts.items),
          seed: positiveInt('seed', opts.seed),
          acceptedAt: new Date(opts.at).toISOString(),
          basis: opts.basis,
        },
        (line) => process.stderr.write(`${line}\n`),
      );
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
      process.stdout.write(
        [
          `quote benchmark: ${result.declarations} declarations x ${result.runs} runs, ${result.itemsQuoted} items (mean ${(result.itemsQuoted / result.declarations).toFixed(2)}), accepted ${result.acceptedAt}, node ${result.node}`,
          `  quotes/s per run: ${result.quotesPerSecond.join(', ')}`,
          `  median: ${result.medianQuotesPerSecond} quotes/s (${Math.round((result.medianQuotesPerSecond * result.itemsQuoted) / result.declarations)} items/s)`,
          `  per quote: p50 ${result.latencyMicros.p50} us, p99 ${result.latencyMicros.p99} us, max ${result.latencyMicros.max} us`,
          `  declarations alerted: ${
            Object.entries(result.alertShare)
              .map(([c, s]) => `${c} ${pct(s)}`)
              .join(', ') || 'none'
          }`,
          `  reference data: ${Object.entries(result.referenceVersions)
            .map(([p, v]) => `${p} ${v}`)
            .join(', ')}`,
        ].join('\n') + '\n',
      );
    });
}
