/** Handler time per input topic from a service's Prometheus /metrics (sum and count). */
export interface HandlerTimes {
  [topic: string]: { count: number; seconds: number };
}

const LINE = /^customs_event_processing_seconds_(sum|count)\{([^}]*)\}\s+([0-9.eE+-]+)/;

export async function scrapeHandlerTimes(port: number): Promise<HandlerTimes> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null);
  if (!res || res.status !== 200) return {};
  const out: HandlerTimes = {};
  for (const line of (await res.text()).split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const topic = /topic="([^"]+)"/.exec(m[2])?.[1] ?? '?';
    const entry = (out[topic] ??= { count: 0, seconds: 0 });
    if (m[1] === 'sum') entry.seconds += Number(m[3]);
    else entry.count += Number(m[3]);
  }
  return out;
}

/** What happened between two scrapes: records handled and mean handler milliseconds, by topic. */
export function handlerDelta(
  before: HandlerTimes,
  after: HandlerTimes,
): Record<string, { records: number; meanMs: number; busySeconds: number }> {
  const out: Record<string, { records: number; meanMs: number; busySeconds: number }> = {};
  for (const [topic, a] of Object.entries(after)) {
    const b = before[topic] ?? { count: 0, seconds: 0 };
    const records = a.count - b.count;
    if (records <= 0) continue;
    const seconds = a.seconds - b.seconds;
    out[topic] = {
      records,
      meanMs: Math.round((seconds / records) * 10000) / 10,
      busySeconds: Math.round(seconds * 100) / 100,
    };
  }
  return out;
}
