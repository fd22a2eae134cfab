import mongoose, { Connection } from 'mongoose';
import { credit, debit } from '@customs/domain';
import {
  AccountChange,
  AccountChangeResult,
  connectStore,
  MongoAccountRepository,
  StoredAccount,
} from '@customs/persistence';

/**
 * The account ledger against the real store (no services): every movement applied at most
 * once across replicas and crashes, versions contiguous, the head found from any replica, and
 * a movement on a long ledger costing a few single-document lookups, not a collection scan.
 */
const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const RUN = Date.now().toString(36).toUpperCase();
const DB = `customs_account_ledger_e2e_${RUN}`;

const entryId = (accountId: string, version: number) =>
  `${accountId}#${String(version).padStart(12, '0')}`;

/** The change functions release uses: the domain's debit and credit, pure. */
const change =
  (kind: 'debit' | 'credit', amount: string, movementId: string) =>
  (current: StoredAccount): AccountChange => {
    const r = (kind === 'debit' ? debit : credit)(
      { ...current, appliedEventIds: [] },
      amount,
      movementId,
    );
    return r.outcome === 'applied'
      ? { balance: r.account.balance }
      : { refused: r.outcome === 'refused' ? r.error.code : 'duplicate' };
  };

const move = (
  repo: MongoAccountRepository,
  accountId: string,
  id: string,
  kind: 'debit' | 'credit',
  amount: string,
): Promise<AccountChangeResult> =>
  repo.applyOnce(accountId, { id, kind, amount }, change(kind, amount, id));

const connections: Connection[] = [];

/** A replica: its own connection and repository, so nothing is shared in memory. */
async function replica(
  db = DB,
  onFind?: (filter: unknown) => void,
): Promise<MongoAccountRepository> {
  const connection = onFind
    ? await mongoose.createConnection(MONGO_URL, { dbName: db, monitorCommands: true }).asPromise()
    : await connectStore(MONGO_URL, db);
  if (onFind)
    (
      connection.getClient() as unknown as {
        on(e: string, f: (c: { commandName: string; command: { filter?: unknown } }) => void): void;
      }
    ).on('commandStarted', (c) => c.commandName === 'find' && onFind(c.command.filter));
  connections.push(connection);
  const repo = new MongoAccountRepository(connection);
  await repo.init();
  return repo;
}

async function open(repo: MongoAccountRepository, id: string, balance: string): Promise<void> {
  expect(
    await repo.createIfMissing({
      id,
      kind: 'guarantee',
      balance,
      currency: 'EUR',
      appliedEventIds: [],
      holder: 'NL100000099',
      authorisedDeclarants: [],
    }),
  ).toBe(true);
}

/** An entry written straight into the store, as a writer that crashed right after its insert leaves it. */
function rawEntry(accountId: string, version: number, balance: string, movementId: string) {
  return {
    _id: entryId(accountId, version),
    accountId,
    version,
    kind: 'guarantee',
    currency: 'EUR',
    balance,
    movementId,
    movementKind: 'debit',
    amount: '1.00',
  };
}

/** The entries collection itself, for writing what a crashed writer leaves behind. */
const rawEntries = (db = DB) =>
  connections.find((c) => c.name === db)!.collection<{ _id: string }>('account_entries');

afterAll(async () => {
  const dbs = new Set(connections.map((c) => c.name));
  for (const name of dbs) {
    await connections
      .find((c) => c.name === name)
      ?.dropDatabase()
      .catch(() => undefined);
  }
  await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
});

describe('account ledger against the real store', () => {
  it('applies debits and credits, once per movement id, from any replica', async () => {
    const [a, b] = [await replica(), await replica()];
    await open(a, 'ACC-BASIC', '100.00');
    expect(await a.createIfMissing({ ...(await a.get('ACC-BASIC'))!, balance: '5.00' })).toBe(
      false,
    );

    const d1 = await move(a, 'ACC-BASIC', 'basic-d1', 'debit', '30.00');
    expect(d1).toEqual({
      outcome: 'applied',
      account: expect.objectContaining({ balance: '70', version: 1 }),
    });
    const c1 = await move(b, 'ACC-BASIC', 'basic-c1', 'credit', '10.00');
    expect(c1.outcome).toBe('applied');
    expect(c1.outcome === 'applied' && c1.account.balance).toBe('80');

    // The same movement again, from the same and from another replica: nothing moves.
    expect((await move(a, 'ACC-BASIC', 'basic-d1', 'debit', '30.00')).outcome).toBe('duplicate');
    expect((await move(b, 'ACC-BASIC', 'basic-d1', 'debit', '30.00')).outcome).toBe('duplicate');
    expect((await move(a, 'ACC-BASIC', 'basic-c1', 'credit', '10.00')).outcome).toBe('duplicate');

    const account = await b.get('ACC-BASIC', ['basic-d1', 'basic-c1', 'never', 'basic-d1']);
    expect(account).toEqual({
      id: 'ACC-BASIC',
      kind: 'guarantee',
      // Who may secure on it, from its opening.
      holder: 'NL100000099',
      authorisedDeclarants: [],
      balance: '80',
      currency: 'EUR',
      appliedEventIds: ['basic-d1', 'basic-c1'],
      version: 2,
    });
    expect((await a.get('ACC-BASIC'))?.appliedEventIds).toEqual([]);
    expect((await a.history('ACC-BASIC')).map((e) => [e.version, e.balance, e.movementId])).toEqual(
      [
        [0, '100.00', 'open/ACC-BASIC'],
        [1, '70', 'basic-d1'],
        [2, '80', 'basic-c1'],
      ],
    );
  });

  it('refuses an overdraft and reports a missing account, moving nothing', async () => {
    const a = await replica();
    await open(a, 'ACC-POOR', '10.00');
    const refused = await move(a, 'ACC-POOR', 'poor-d1', 'debit', '20.00');
    expect(refused).toEqual({
      outcome: 'refused',
      reason: 'INSUFFICIENT_BALANCE',
      account: expect.objectContaining({ balance: '10.00', version: 0 }),
    });
    // A refused movement is not applied: it may go through once the balance allows it.
    expect((await a.get('ACC-POOR', ['poor-d1']))?.appliedEventIds).toEqual([]);
    expect((await move(a, 'ACC-POOR', 'poor-c1', 'credit', '15.00')).outcome).toBe('applied');
    expect((await move(a, 'ACC-POOR', 'poor-d1', 'debit', '20.00')).outcome).toBe('applied');
    expect((await a.get('ACC-POOR'))?.balance).toBe('5');

    expect(await move(a, 'ACC-NOBODY', 'nobody-d1', 'debit', '1.00')).toEqual({
      outcome: 'not-found',
    });
    expect(await a.get('ACC-NOBODY', ['nobody-d1'])).toBeNull();
    expect(await a.history('ACC-NOBODY')).toEqual([]);
  });

  it('sees a movement whose writer crashed right after inserting its entry as applied', async () => {
    const a = await replica();
    await open(a, 'ACC-CRASH', '50.00');
    expect((await move(a, 'ACC-CRASH', 'crash-d1', 'debit', '1.00')).outcome).toBe('applied');
    const entries = rawEntries();

    // Crash 1: entry 2 inserted, its writer died before anything else.
    await entries.insertOne(rawEntry('ACC-CRASH', 2, '48.00', 'crash-d2'));
    const b = await replica();
    expect((await b.get('ACC-CRASH', ['crash-d2']))?.appliedEventIds).toEqual(['crash-d2']);
    expect((await move(b, 'ACC-CRASH', 'crash-d2', 'debit', '1.00')).outcome).toBe('duplicate');
    expect((await move(a, 'ACC-CRASH', 'crash-d2', 'debit', '1.00')).outcome).toBe('duplicate');

    // Crash 2: entry 3 then entry 4 inserted by writers that both died (crash-d3 is no
    // longer the head, and nothing but the entry itself records it).
    await entries.insertOne(rawEntry('ACC-CRASH', 3, '47.00', 'crash-d3'));
    await entries.insertOne(rawEntry('ACC-CRASH', 4, '46.00', 'crash-d4'));
    const c = await replica();
    expect((await move(c, 'ACC-CRASH', 'crash-d3', 'debit', '1.00')).outcome).toBe('duplicate');
    expect((await c.get('ACC-CRASH', ['crash-d3', 'crash-d4']))?.appliedEventIds).toEqual([
      'crash-d3',
      'crash-d4',
    ]);
    expect((await move(a, 'ACC-CRASH', 'crash-d3', 'debit', '1.00')).outcome).toBe('duplicate');

    // The ledger goes on after the crashes, contiguous.
    expect((await move(a, 'ACC-CRASH', 'crash-d5', 'debit', '1.00')).outcome).toBe('applied');
    const ledger = await c.history('ACC-CRASH');
    expect(ledger.map((e) => e.version)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ledger.map((e) => e.balance)).toEqual(['50.00', '49', '48.00', '47.00', '46.00', '45']);
  });

  it('applies every movement exactly once under concurrent writers on several replicas', async () => {
    const repos = await Promise.all([1, 2, 3].map(() => replica()));
    await open(repos[0], 'ACC-RACE', '1000.00');
    const id = (k: number, i: number) => `race-${k}-${i}`;

    // Three replicas, 30 debits each, in their own order, at the same time; each replica
    // also replays its neighbour's movements (a partition moved between replicas).
    const results = await Promise.all(
      repos.map(async (repo, k) => {
        const out: AccountChangeResult[] = [];
        for (let i = 0; i < 30; i++) {
          out.push(await move(repo, 'ACC-RACE', id(k, i), 'debit', '1.00'));
          out.push(await move(repo, 'ACC-RACE', id((k + 1) % 3, i), 'debit', '1.00'));
        }
        return out;
      }),
    );
    const all = results.flat();
    expect(all.filter((r) => r.outcome === 'applied')).toHaveLength(90);
    expect(all.filter((r) => r.outcome === 'duplicate')).toHaveLength(90);

    // And a burst: 20 more movements, each sent through all three replicas at once.
    const burst = await Promise.all(
      Array.from({ length: 60 }, (_, n) =>
        move(repos[n % 3], 'ACC-RACE', `race-burst-${n % 20}`, 'debit', '1.00'),
      ),
    );
    expect(burst.filter((r) => r.outcome === 'applied')).toHaveLength(20);
    expect(burst.filter((r) => r.outcome === 'duplicate')).toHaveLength(40);

    const ledger = await repos[1].history('ACC-RACE');
    expect(ledger.map((e) => e.version)).toEqual(Array.from({ length: 111 }, (_, v) => v));
    expect(new Set(ledger.map((e) => e.movementId)).size).toBe(111);
    for (let v = 1; v < ledger.length; v++) {
      expect(Number(ledger[v].balance)).toBeCloseTo(Number(ledger[v - 1].balance) - 1, 2);
    }
    const everyId = [
      ...[0, 1, 2].flatMap((k) => Array.from({ length: 30 }, (_, i) => id(k, i))),
      ...Array.from({ length: 20 }, (_, n) => `race-burst-${n}`),
    ];
    for (const repo of repos) {
      const account = await repo.get('ACC-RACE', everyId);
      expect(account?.balance).toBe('890');
      expect(account?.version).toBe(110);
      expect([...(account?.appliedEventIds ?? [])].sort()).toEqual([...everyId].sort());
    }
  });

  it('finds the head from a replica that has never seen the account, or saw it long ago', async () => {
    const a = await replica();
    await open(a, 'ACC-LONG', '0.00');
    for (let i = 1; i <= 200; i++) {
      expect((await move(a, 'ACC-LONG', `long-${i}`, 'credit', '1.00')).outcome).toBe('applied');
    }
    const fresh = await replica();
    const account = await fresh.get('ACC-LONG', ['long-1', 'long-200', 'long-201']);
    expect(account).toEqual(
      expect.objectContaining({
        balance: '200',
        version: 200,
        appliedEventIds: ['long-1', 'long-200'],
      }),
    );
    const next = await move(fresh, 'ACC-LONG', 'long-201', 'credit', '1.00');
    expect(next.outcome === 'applied' && next.account.version).toBe(201);

    // `a` last saw version 200; another replica moves the account 37 more times.
    for (let i = 202; i <= 238; i++) await move(fresh, 'ACC-LONG', `long-${i}`, 'credit', '1.00');
    expect(await a.get('ACC-LONG')).toEqual(
      expect.objectContaining({ balance: '238', version: 238 }),
    );
    const after = await move(a, 'ACC-LONG', 'long-239', 'credit', '1.00');
    expect(after.outcome === 'applied' && after.account).toEqual(
      expect.objectContaining({ balance: '239', version: 239 }),
    );
  });

  it('moves an account with 5,000 entries by _id lookups only (timings printed)', async () => {
    const a = await replica();
    await open(a, 'ACC-BIG', '100000.00');
    const entries = rawEntries();
    const docs = Array.from({ length: 5000 }, (_, k) =>
      rawEntry('ACC-BIG', k + 1, (100000 - (k + 1)).toFixed(2), `big-seed-${k + 1}`),
    );
    for (let i = 0; i < docs.length; i += 1000) await entries.insertMany(docs.slice(i, i + 1000));

    // Every read of a movement must select by _id: on FerretDB any other filter reads and
    // parses the whole ledger (what the timings below show next to a full scan).
    const filters: unknown[] = [];
    const fresh = await replica(DB, (f) => filters.push(f));
    let t = performance.now();
    expect((await move(fresh, 'ACC-BIG', 'big-0', 'debit', '1.00')).outcome).toBe('applied');
    const cold = performance.now() - t;
    const times: number[] = [];
    for (let i = 1; i <= 40; i++) {
      t = performance.now();
      const r = await move(fresh, 'ACC-BIG', `big-${i}`, 'debit', '1.00');
      times.push(performance.now() - t);
      expect(r.outcome).toBe('applied');
    }
    t = performance.now();
    expect((await move(fresh, 'ACC-BIG', 'big-7', 'debit', '1.00')).outcome).toBe('duplicate');
    const duplicate = performance.now() - t;
    t = performance.now();
    const got = await a.get('ACC-BIG', ['big-7', 'big-x']);
    const get = performance.now() - t;
    expect(got).toEqual(
      expect.objectContaining({ version: 5041, balance: '94959', appliedEventIds: ['big-7'] }),
    );
    // What one read of the whole collection costs now (the box may be busy): a movement must
    // cost less than that, as it is made of lookups by _id and inserts only.
    const scans: number[] = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      expect(await entries.findOne({ movementId: `absent-${i}` })).toBeNull();
      scans.push(performance.now() - t);
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    console.log(
      `applyOnce on 5,000 entries: cold ${cold.toFixed(1)} ms, median ${median(times).toFixed(1)} ` +
        `ms, max ${Math.max(...times).toFixed(1)} ms; duplicate ${duplicate.toFixed(1)} ms; ` +
        `get (stale replica) ${get.toFixed(1)} ms; one scan of the entries ${median(scans).toFixed(1)} ms`,
    );
    expect(filters.length).toBeGreaterThan(40);
    for (const f of filters) expect(Object.keys(f as object)).toEqual(['_id']);
  });
});

describe('account ledger written before movement markers existed', () => {
  it('reports movements of entries the old code wrote as applied', async () => {
    const db = `${DB}_legacy`;
    const connection = await connectStore(MONGO_URL, db);
    connections.push(connection);
    await connection
      .collection('account_entries')
      .insertMany([
        { ...rawEntry('ACC-OLD', 0, '10.00', 'open/ACC-OLD'), movementKind: 'open' },
        rawEntry('ACC-OLD', 1, '9.00', 'old-d1'),
        rawEntry('ACC-OLD', 2, '8.00', 'old-d2'),
      ] as never[]);
    const repo = await replica(db);
    expect((await repo.get('ACC-OLD', ['old-d1', 'old-d2', 'old-d3']))?.appliedEventIds).toEqual([
      'old-d1',
      'old-d2',
    ]);
    expect((await move(repo, 'ACC-OLD', 'old-d1', 'debit', '1.00')).outcome).toBe('duplicate');
    expect((await move(repo, 'ACC-OLD', 'old-d3', 'debit', '1.00')).outcome).toBe('applied');
    expect((await repo.get('ACC-OLD'))?.balance).toBe('7');
  });
});
