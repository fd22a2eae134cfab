import { Connection } from 'mongoose';

/**
 * Store round trips by collection, command and filter shape (field names and operators,
 * never values), with count and time: set STORE_PROFILE=1 and the table goes to stderr every
 * 10 s. It answers "which query costs what" on a store whose plan depends on the filter's
 * shape (FerretDB reads a whole collection for any filter other than one `_id`).
 */
interface Started {
  at: bigint;
  key: string;
}
interface Totals {
  count: number;
  ms: number;
  docs: number;
}

const shapeOf = (v: unknown): unknown => {
  if (v === null || typeof v !== 'object') return '?';
  if (Array.isArray(v)) return v.length > 0 ? [shapeOf(v[0])] : [];
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shapeOf(x)]));
};

function keyOf(db: string, cmd: Record<string, unknown>, name: string): string {
  const collection = String(cmd[name] ?? '');
  const filter =
    cmd.filter ??
    (cmd.updates as { q?: unknown }[] | undefined)?.[0]?.q ??
    (cmd.deletes as { q?: unknown }[] | undefined)?.[0]?.q;
  const n = (cmd.updates ?? cmd.deletes ?? cmd.documents) as unknown[] | undefined;
  const batch = n ? ` x${n.length <= 1 ? 1 : 'n'}` : '';
  const sort = cmd.sort ? ` sort ${JSON.stringify(cmd.sort)}` : '';
  const f = filter === undefined ? '' : ` ${JSON.stringify(shapeOf(filter))}`;
  return `${db}.${collection} ${name}${batch}${f}${sort}`;
}

export function profileStore(connection: Connection, env = process.env): void {
  if (env.STORE_PROFILE !== '1') return;
  const client = connection.getClient() as unknown as {
    on(event: string, listener: (e: Record<string, unknown>) => void): void;
  };
  const started = new Map<unknown, Started>();
  const totals = new Map<string, Totals>();
  const ignored = new Set(['hello', 'isMaster', 'ping', 'endSessions', 'buildInfo']);
  client.on('commandStarted', (e) => {
    const name = String(e.commandName);
    if (ignored.has(name)) return;
    const key = keyOf(String(e.databaseName), e.command as Record<string, unknown>, name);
    started.set(e.requestId, { at: process.hrtime.bigint(), key });
  });
  const done = (e: Record<string, unknown>) => {
    const s = started.get(e.requestId);
    if (!s) return;
    started.delete(e.requestId);
    const t = totals.get(s.key) ?? { count: 0, ms: 0, docs: 0 };
    t.count++;
    t.ms += Number(process.hrtime.bigint() - s.at) / 1e6;
    const reply = e.reply as { n?: number; cursor?: { firstBatch?: unknown[] } } | undefined;
    t.docs += reply?.cursor?.firstBatch?.length ?? reply?.n ?? 0;
    totals.set(s.key, t);
  };
  client.on('commandSucceeded', done);
  client.on('commandFailed', done);
  const timer = setInterval(() => {
    const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
    if (rows.length === 0) return;
    const lines = rows.map(
      ([k, t]) =>
        `${t.ms.toFixed(0).padStart(8)} ms ${String(t.count).padStart(7)} x ${(t.ms / t.count).toFixed(2).padStart(7)} ms  docs ${t.docs}  ${k}`,
    );
    process.stderr.write(`store profile (cumulative):\n${lines.join('\n')}\n`);
  }, 10_000);
  timer.unref();
}
