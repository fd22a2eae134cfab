import { BenchReport } from './bench.runner';

const pad = (s: string | number, n: number) => String(s).padStart(n);

/** The report as a few plain tables for the terminal. */
export function benchTable(r: BenchReport): string {
  const p = r.pipeline;
  const lines: string[] = [];
  const mode = r.config.mode === 'max' ? 'maximum rate' : `${r.config.rate}/s offered`;
  lines.push(
    `customs bench: ${p.offered} declarations (mean ${p.meanItems} items), ${mode}, ${r.config.replicas} replica(s), ${r.config.partitions} partitions; ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB`,
  );
  lines.push('');
  lines.push(
    `  ${'run'.padEnd(22)}${pad('decl/s', 9)}${pad('p50 ms', 9)}${pad('p90 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}${pad('done', 9)}`,
  );
  const row = (name: string, rate: number, l: BenchReport['pipeline']['latencyMs'], done: string) =>
    `  ${name.padEnd(22)}${pad(rate, 9)}${pad(l.p50, 9)}${pad(l.p90, 9)}${pad(l.p99, 9)}${pad(l.max, 9)}${pad(done, 9)}`;
  lines.push(row('pipeline', p.throughputPerSecond, p.latencyMs, `${p.decided}/${p.offered}`));
  if (r.baseline)
    lines.push(
      row(
        `passthrough (${r.baseline.mode})`,
        r.baseline.throughputPerSecond,
        r.baseline.latencyMs,
        `${r.baseline.delivered}/${r.baseline.records}`,
      ),
    );
  if (r.fractionOfBaseline !== undefined)
    lines.push(`  pipeline / passthrough: ${(r.fractionOfBaseline * 100).toFixed(1)} %`);
  lines.push(
    `  outcomes: ${Object.entries(p.outcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}${p.undecided ? `; ${p.undecided} undecided` : ''}; overall ${p.overallPerSecond}/s`,
  );
  lines.push('');
  lines.push(
    `  ${'stage'.padEnd(12)}${pad('max lag', 9)}${pad('end lag', 9)}${pad('records', 9)}${pad('handler', 10)}${pad('busy s', 8)}`,
  );
  for (const s of p.stageLag) {
    const h = Object.entries(p.handlers)
      .filter(([name]) => name.startsWith(`${s.service}-`))
      .map(([, t]) => t[s.input])
      .filter(Boolean);
    const records = h.reduce((n, x) => n + x.records, 0);
    const busy = h.reduce((n, x) => n + x.busySeconds, 0);
    lines.push(
      `  ${s.stage.padEnd(12)}${pad(s.maxInputLag, 9)}${pad(s.finalInputLag, 9)}${pad(records, 9)}${pad(records ? `${((busy / records) * 1000).toFixed(1)}ms` : '-', 10)}${pad(busy.toFixed(1), 8)}`,
    );
  }
  lines.push('');
  lines.push(
    `  ${'process'.padEnd(14)}${pad('cpu %', 8)}${pad('cpu s', 8)}${pad('rss MiB', 9)}${pad('peak', 8)}`,
  );
  for (const u of p.processes)
    lines.push(
      `  ${u.name.padEnd(14)}${pad(u.cpuPercent, 8)}${pad(u.cpuSeconds, 8)}${pad(u.rssMiB, 9)}${pad(u.peakRssMiB, 8)}`,
    );
  if (r.baseline) {
    lines.push(
      `  passthrough processes: ${r.baseline.processes.map((u) => `${u.name} ${u.cpuPercent}%`).join(', ')}`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
