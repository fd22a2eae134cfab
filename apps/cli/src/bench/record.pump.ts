import { Message, Producer } from 'kafkajs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PumpOptions {
  topic: string;
  /** Offered rate, records per second; undefined for as fast as the broker takes them. */
  rate?: number;
  /** Stop offering after this many milliseconds even if records remain. */
  durationMs?: number;
  /** Called with the index range just handed to the producer and the time it was. */
  onSent: (from: number, to: number, at: number) => void;
  /** Sends in flight at once (max rate). */
  inFlight?: number;
  chunk?: number;
}

/**
 * Streams prepared records like a border post: at a fixed offered rate (every 5 ms, the
 * records now due, in one send) or at the maximum rate (chunks, a few sends in flight).
 * Returns how many records were sent.
 */
export async function pumpRecords(
  producer: Producer,
  records: Message[],
  opts: PumpOptions,
): Promise<number> {
  const started = Date.now();
  const deadline = opts.durationMs !== undefined ? started + opts.durationMs : Infinity;
  const chunk = opts.chunk ?? 200;
  const inFlight = new Set<Promise<unknown>>();
  const limit = opts.inFlight ?? 6;
  let sent = 0;
  let failure: Error | undefined;
  while (sent < records.length && Date.now() < deadline) {
    if (failure) throw failure;
    let due = records.length;
    if (opts.rate !== undefined) {
      due = Math.min(records.length, Math.floor(((Date.now() - started) / 1000) * opts.rate));
      if (due <= sent) {
        await sleep(5);
        continue;
      }
    }
    const to = Math.min(due, sent + (opts.rate !== undefined ? 1000 : chunk));
    const from = sent;
    opts.onSent(from, to, Date.now());
    const p = producer
      .send({ topic: opts.topic, acks: -1, messages: records.slice(from, to) })
      .catch((e: Error) => (failure = e))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    sent = to;
    if (inFlight.size >= limit) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  return sent;
}
