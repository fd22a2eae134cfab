import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerBenchCommand } from '../apps/cli/src/commands/bench.command';
import { BenchReport } from '../apps/cli/src/bench/bench.runner';

jest.setTimeout(240_000);

describe('customs bench', () => {
  it('streams a small run through the four services and a passthrough, and reports every decision', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'customs-bench-')), 'report.json');
    const program = new Command('customs').exitOverride();
    registerBenchCommand(program);
    const write = process.stdout.write.bind(process.stdout);
    let table = '';
    process.stdout.write = ((chunk: string) => (
      (table += chunk),
      true
    )) as typeof process.stdout.write;
    try {
      await program.parseAsync(
        [
          'bench',
          '--max',
          '-n',
          '20',
          '--items',
          '3',
          '--seed',
          '9',
          '--drain',
          '90',
          '--json-out',
          out,
        ],
        { from: 'user' },
      );
    } finally {
      process.stdout.write = write;
    }
    const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
    const p = report.pipeline;
    expect(report.kind).toBe('customs-pipeline-bench');
    expect(report.config).toMatchObject({ mode: 'max', count: 20, replicas: 1, partitions: 6 });
    expect(p.offered).toBe(20);
    expect(p.decided).toBe(20);
    expect(p.undecided).toBe(0);
    expect(Object.values(p.outcomes).reduce((a, b) => a + b, 0)).toBe(20);
    expect(Object.keys(p.outcomes).every((o) => ['held', 'released', 'rejected'].includes(o))).toBe(
      true,
    );
    expect(p.latencyMs.count).toBe(20);
    expect(p.latencyMs.p50).toBeGreaterThan(0);
    expect(p.latencyMs.p99).toBeGreaterThanOrEqual(p.latencyMs.p50);
    expect(p.latencyMs.max).toBeGreaterThanOrEqual(p.latencyMs.p99);
    expect(p.throughputPerSecond).toBeGreaterThan(0);
    // The decisions' consumer groups and the two read models' own groups.
    expect(p.stageLag.map((s) => [s.stage, s.groupId])).toEqual([
      ['intake', 'customs-intake'],
      ['timeline', 'customs-intake-timeline'],
      ['risk', 'customs-risk'],
      ['valuation', 'customs-valuation'],
      ['release', 'customs-release'],
      ['notices', 'customs-release-notifications'],
    ]);
    expect(p.recordBytes.submitted).toBeGreaterThan(500);
    // Every service, the broker, the store and the bench itself were measured.
    const names = p.processes.map((u) => u.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'intake-0',
        'risk-0',
        'valuation-0',
        'release-0',
        'kafka',
        'ferretdb',
        'bench',
      ]),
    );
    expect(p.processes.every((u) => u.rssMiB > 0 && u.cpuSeconds >= 0)).toBe(true);
    // Each stage handled its input records, with handler times from its /metrics.
    expect(p.handlers['risk-0']['customs.declarations.accepted.v1'].records).toBeGreaterThanOrEqual(
      20,
    );
    // The timeline is intake's: its handler times come from intake's /metrics.
    expect(p.handlers['intake-0']['customs.declarations.valued.v1'].records).toBeGreaterThanOrEqual(
      20,
    );
    expect(table).toMatch(/timeline\s+\d+\s+\d+\s+\d+\s+[\d.]+ms/);
    expect(report.baseline).toMatchObject({ mode: 'tx', records: 20, delivered: 20 });
    expect(report.baseline!.hopRecordBytes).toHaveLength(4);
    expect(report.fractionOfBaseline).toBeGreaterThan(0);
    expect(table).toMatch(/pipeline\s+\d+/);
    expect(table).toMatch(/passthrough \(tx\)/);
  });
});
