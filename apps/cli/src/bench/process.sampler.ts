import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessUsage {
  name: string;
  pid: number;
  /** CPU over the measured window, percent of one core (200 % = both cores of a 2-core box). */
  cpuPercent: number;
  cpuSeconds: number;
  rssMiB: number;
  peakRssMiB: number;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of a process in clock ticks, and its resident set in KiB; null when gone. */
export function readProc(pid: number): { ticks: number; rssKiB: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    return { ticks, rssKiB: rss ? Number(rss[1]) : 0 };
  } catch {
    return null;
  }
}

/** CPU and memory of the bench's processes (services, broker, store, itself) from /proc. */
export class ProcessSampler {
  private readonly start = new Map<number, { ticks: number; at: number }>();
  private readonly last = new Map<number, { ticks: number; rssKiB: number; at: number }>();
  private readonly peak = new Map<number, number>();

  constructor(private readonly processes: { name: string; pid: number }[]) {}

  begin(): void {
    const at = Date.now();
    for (const p of this.processes) {
      const r = readProc(p.pid);
      if (r) this.start.set(p.pid, { ticks: r.ticks, at });
    }
    this.sample();
  }

  sample(): void {
    const at = Date.now();
    for (const p of this.processes) {
      const r = readProc(p.pid);
      if (!r) continue;
      this.last.set(p.pid, { ...r, at });
      this.peak.set(p.pid, Math.max(this.peak.get(p.pid) ?? 0, r.rssKiB));
    }
  }

  usage(): ProcessUsage[] {
    const hz = ticksPerSecond();
    return this.processes.flatMap((p) => {
      const s = this.start.get(p.pid);
      const l = this.last.get(p.pid);
      if (!s || !l) return [];
      const cpuSeconds = (l.ticks - s.ticks) / hz;
      const wall = (l.at - s.at) / 1000;
      return [
        {
          name: p.name,
          pid: p.pid,
          cpuPercent: wall > 0 ? Math.round((cpuSeconds / wall) * 1000) / 10 : 0,
          cpuSeconds: Math.round(cpuSeconds * 100) / 100,
          rssMiB: Math.round(l.rssKiB / 102.4) / 10,
          peakRssMiB: Math.round((this.peak.get(p.pid) ?? 0) / 102.4) / 10,
        },
      ];
    });
  }
}
