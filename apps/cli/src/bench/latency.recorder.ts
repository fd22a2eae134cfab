/**
 * Latency percentiles over every recorded value (sorted array, exact). A stand-in for an HDR
 * histogram (hdr-histogram-js is not installed): exact, and cheap enough for a bench's
 * hundred thousand values; it keeps every value, so memory grows with the count.
 */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export class LatencyRecorder {
  private values = new Float64Array(1024);
  private n = 0;

  record(ms: number): void {
    if (this.n === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = ms;
  }

  get count(): number {
    return this.n;
  }

  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.n).sort();
    const at = (p: number) =>
      this.n === 0
        ? 0
        : sorted[Math.min(this.n - 1, Math.max(0, Math.ceil((p / 100) * this.n) - 1))];
    const round = (x: number) => Math.round(x * 10) / 10;
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      count: this.n,
      min: round(at(0)),
      mean: round(this.n ? sum / this.n : 0),
      p50: round(at(50)),
      p90: round(at(90)),
      p99: round(at(99)),
      p999: round(at(99.9)),
      max: round(this.n ? sorted[this.n - 1] : 0),
    };
  }
}

/**
 * Sustained throughput of a completion series: completions between the 10th and the 90th
 * percentile of completion times, over that span, so ramp-up and the drain tail do not count.
 */
export function steadyRate(completionTimesMs: number[]): number {
  const t = [...completionTimesMs].sort((a, b) => a - b);
  if (t.length < 10) {
    const span = (t[t.length - 1] - t[0]) / 1000;
    return span > 0 ? (t.length - 1) / span : 0;
  }
  const lo = Math.floor(t.length * 0.1);
  const hi = Math.floor(t.length * 0.9);
  const span = (t[hi] - t[lo]) / 1000;
  return span > 0 ? (hi - lo) / span : 0;
}
