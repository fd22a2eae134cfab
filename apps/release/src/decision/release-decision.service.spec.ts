import { EventEnvelope, HeldPayload, sealEnvelope } from '@customs/contracts';
import { ReleaseInput } from '@customs/domain';
import {
  AccountChange,
  AccountChangeResult,
  AccountEntry,
  AccountRepository,
  ReleaseRecord,
  ReleaseRecordRepository,
  StoredAccount,
  WaitingFilter,
} from '@customs/persistence';
import {
  control,
  DECLARANT,
  payment,
  valued,
} from '../../../../libs/domain/src/release/release-test.fixtures';
import { ReleaseDecisionService, ReleaseInputItem } from './release-decision.service';

/** Release records kept as the Mongo repository keeps them (JSON text), counting round trips. */
class MemoryRecords extends ReleaseRecordRepository {
  readonly docs = new Map<string, string>();
  readonly calls: string[] = [];
  get<S>(mrn: string): Promise<ReleaseRecord<S> | null> {
    this.calls.push('get');
    const d = this.docs.get(mrn);
    return Promise.resolve(d ? (JSON.parse(d) as ReleaseRecord<S>) : null);
  }
  save<S>(r: ReleaseRecord<S>): Promise<void> {
    this.calls.push('save');
    this.docs.set(r.mrn, JSON.stringify(r));
    return Promise.resolve();
  }
  getMany<S>(mrns: readonly string[]): Promise<Map<string, ReleaseRecord<S>>> {
    this.calls.push('getMany');
    const found = new Map<string, ReleaseRecord<S>>();
    for (const m of mrns) {
      const d = this.docs.get(m);
      if (d) found.set(m, JSON.parse(d) as ReleaseRecord<S>);
    }
    return Promise.resolve(found);
  }
  saveMany<S>(records: readonly ReleaseRecord<S>[]): Promise<void> {
    this.calls.push(`saveMany:${records.length}`);
    for (const r of records) this.docs.set(r.mrn, JSON.stringify(r));
    return Promise.resolve();
  }
  findWaiting(_f: WaitingFilter): Promise<ReleaseRecord[]> {
    return Promise.resolve([]);
  }
}

/** Accounts as balances plus the movement ids applied (idempotent by id, as the real one). */
class MemoryAccounts extends AccountRepository {
  readonly accounts = new Map<string, StoredAccount>();
  readonly movements: string[] = [];
  get(id: string, movementIds: readonly string[] = []): Promise<StoredAccount | null> {
    const a = this.accounts.get(id);
    return Promise.resolve(
      a
        ? { ...a, appliedEventIds: a.appliedEventIds.filter((m) => movementIds.includes(m)) }
        : null,
    );
  }
  applyOnce(
    accountId: string,
    movement: { id: string; kind: 'debit' | 'credit'; amount: string },
    change: (current: StoredAccount) => AccountChange,
  ): Promise<AccountChangeResult> {
    const a = this.accounts.get(accountId);
    if (!a) return Promise.resolve({ outcome: 'not-found' });
    if (a.appliedEventIds.includes(movement.id)) return Promise.resolve({ outcome: 'duplicate' });
    const c = change({ ...a, appliedEventIds: [] });
    if ('refused' in c)
      return Promise.resolve({ outcome: 'refused', reason: c.refused, account: a });
    const next = { ...a, balance: c.balance, appliedEventIds: [...a.appliedEventIds, movement.id] };
    this.accounts.set(accountId, next);
    this.movements.push(movement.id);
    return Promise.resolve({ outcome: 'applied', account: next });
  }
  createIfMissing(account: StoredAccount): Promise<boolean> {
    if (this.accounts.has(account.id)) return Promise.resolve(false);
    this.accounts.set(account.id, account);
    return Promise.resolve(true);
  }
  history(_id: string): Promise<AccountEntry[]> {
    return Promise.resolve([]);
  }
}

const MRNS = ['24FR000000000001A1', '24FR000000000002A2', '24FR000000000003A3'];

/** A fixture input for another MRN (the valued payload names its MRN too). */
function forMrn(input: ReleaseInput, mrn: string): ReleaseInput {
  const copy = JSON.parse(JSON.stringify(input)) as ReleaseInput;
  copy.mrn = mrn;
  if (copy.type === 'valued') copy.payload.acceptance.mrn = mrn;
  return copy;
}

/** The input as the event release reads, at an offset of its topic. */
function item(input: ReleaseInput, topic: string, offset: number): ReleaseInputItem {
  const event = sealEnvelope({
    eventId: input.eventId,
    type: input.type,
    schemaVersion: 1,
    mrn: input.mrn,
    lrn: `LRN-${input.mrn}`,
    sequence: input.type === 'valued' ? 4 : 1,
    occurredAt: '2024-03-01T10:00:00Z',
    producer: 'spec',
    correlationId: `corr-${input.mrn}`,
    causationId: null,
    prevHash: input.type === 'valued' ? 'ab'.repeat(32) : null,
    payload: input.payload,
  }) as EventEnvelope;
  return { event, input, source: `${topic}/0/${offset}` };
}

function setUp() {
  const records = new MemoryRecords();
  const accounts = new MemoryAccounts();
  accounts.accounts.set('GUA-1', {
    id: 'GUA-1',
    kind: 'guarantee',
    balance: '1000.00',
    currency: 'EUR',
    appliedEventIds: [],
    holder: DECLARANT,
    authorisedDeclarants: [],
    openedBy: 'opened-GUA-1',
  });
  return { records, accounts, service: new ReleaseDecisionService(records, accounts) };
}

/**
 * One chunk of the valued topic: MRN 0 green without an account (held for payment), MRN 1
 * red on a guarantee (held for its controls), MRN 2 green on the guarantee (released, debited).
 * Then a chunk of the officers' topic with both controls of MRN 1 and, in between, a
 * payment-like second input of another MRN.
 */
const valuedChunk = () => [
  item(forMrn(valued('v0', { totalToPay: '100.00' }), MRNS[0]), 'valued', 10),
  item(
    forMrn(valued('v1', { channel: 'red', guaranteeReference: 'GUA-1' }), MRNS[1]),
    'valued',
    11,
  ),
  item(forMrn(valued('v2', { guaranteeReference: 'GUA-1' }), MRNS[2]), 'valued', 12),
];
const controlChunk = () => [
  item(forMrn(control('c1', 'documentary-check'), MRNS[1]), 'controls', 20),
  item(forMrn(payment('p0', '100.00'), MRNS[0]), 'controls', 21),
  item(forMrn(control('c2', 'physical-inspection'), MRNS[1]), 'controls', 22),
];

describe('ReleaseDecisionService.applyMany', () => {
  // Release stamps its links with the clock: a fixed one makes runs comparable byte for byte.
  beforeEach(() =>
    jest.useFakeTimers({
      now: new Date('2024-03-01T12:00:00Z'),
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
    }),
  );
  afterEach(() => jest.useRealTimers());

  it('gives for a chunk exactly what the inputs give one by one, in one read and one write', async () => {
    const one = setUp();
    const oneByOne: unknown[] = [];
    for (const i of [...valuedChunk(), ...controlChunk()])
      oneByOne.push(...(await one.service.apply(i.event, i.input, i.source)));

    const many = setUp();
    const chunked = [
      ...(await many.service.applyMany(valuedChunk())),
      ...(await many.service.applyMany(controlChunk())),
    ];
    expect(JSON.stringify(chunked)).toBe(JSON.stringify(oneByOne));
    expect(many.records.calls).toEqual(['getMany', 'saveMany:3', 'getMany', 'saveMany:2']);
    expect([...many.records.docs]).toEqual([...one.records.docs]);
    expect(many.accounts.accounts).toEqual(one.accounts.accounts);

    // Both controls of MRN 1 in one chunk: narrowed hold, then released on the guarantee.
    const types = chunked.map((o) => `${o.topic}:${o.value.type}:${o.value.mrn}`);
    expect(types.filter((t) => !t.includes('notification'))).toEqual([
      `customs.declarations.held.v1:DeclarationHeld:${MRNS[0]}`,
      `customs.declarations.held.v1:DeclarationHeld:${MRNS[1]}`,
      `customs.declarations.released.v1:DeclarationReleased:${MRNS[2]}`,
      `customs.declarations.held.v1:DeclarationHeld:${MRNS[1]}`,
      `customs.declarations.released.v1:DeclarationReleased:${MRNS[0]}`,
      `customs.declarations.released.v1:DeclarationReleased:${MRNS[1]}`,
    ]);
    // The second link of MRN 1 in the chunk follows the first one of the same chunk.
    const mrn1 = chunked.filter(
      (o) => o.value.mrn === MRNS[1] && o.topic !== 'customs.notifications.v1',
    );
    expect(mrn1[2].value.prevHash).toBe(mrn1[1].value.hash);
    expect(mrn1[2].value.sequence).toBe(mrn1[1].value.sequence + 1);
    expect(many.accounts.movements.sort()).toEqual(
      [`release/${MRNS[1]}/debit`, `release/${MRNS[2]}/debit`].sort(),
    );
  });

  it('gives a redelivered chunk the same outputs, and a copy at other offsets nothing', async () => {
    const { service, records, accounts } = setUp();
    await service.applyMany(valuedChunk());
    const first = await service.applyMany(controlChunk());
    const saved = new Map(records.docs);

    expect(JSON.stringify(await service.applyMany(controlChunk()))).toBe(JSON.stringify(first));
    const resent = controlChunk().map((i) => ({ ...i, source: i.source!.replace('/0/', '/1/') }));
    expect(await service.applyMany(resent)).toEqual([]);
    // A copy within one chunk (the same input again further on) yields nothing either.
    const fresh = setUp();
    await fresh.service.applyMany(valuedChunk());
    const [c1] = controlChunk();
    const twice = await fresh.service.applyMany([c1, { ...c1, source: 'controls/0/99' }]);
    expect(twice.length).toBeGreaterThan(0);
    expect(twice.every((o) => o.value.causationId === 'c1' || o.topic.includes('notif'))).toBe(
      true,
    );
    expect(JSON.stringify(twice)).toBe(JSON.stringify(first.slice(0, twice.length)));
    // Redeliveries change no record and move no account.
    expect(records.docs).toEqual(saved);
    expect(accounts.movements).toHaveLength(2);
  });

  it('saves nothing for a chunk that fails part-way, and the redo one by one gives the same', async () => {
    const reference = setUp();
    const expected: unknown[] = [];
    for (const i of valuedChunk())
      expected.push(...(await reference.service.apply(i.event, i.input, i.source)));

    const { service, records, accounts } = setUp();
    const poison = item(forMrn(control('x', 'documentary-check'), MRNS[0]), 'valued', 13);
    (poison.input as { type: string }).type = 'valued';
    await expect(service.applyMany([...valuedChunk(), poison])).rejects.toThrow();
    expect(records.docs.size).toBe(0);
    expect(records.calls).toEqual(['getMany']);
    // The movements made before the failure are found applied: not repeated, same decisions.
    const redone: unknown[] = [];
    for (const i of valuedChunk()) redone.push(...(await service.applyMany([i])));
    expect(JSON.stringify(redone)).toBe(JSON.stringify(expected));
    expect(accounts.accounts).toEqual(reference.accounts.accounts);
  });
});

describe('ReleaseDecisionService: whose account secures a declaration', () => {
  const held = (outputs: { topic: string; value: EventEnvelope }[]) =>
    outputs.filter((o) => o.topic === 'customs.declarations.held.v1');
  const notices = (outputs: { topic: string; value: EventEnvelope }[]) =>
    outputs
      .filter((o) => o.topic === 'customs.notifications.v1')
      .map((o) => o.value.payload as { recipient: string; text: string; code: string });

  it("holds a declaration on another trader's account: nothing debited, no figure told", async () => {
    const { service, accounts } = setUp();
    const other = forMrn(
      valued('v9', { guaranteeReference: 'GUA-1', declarantId: 'NL999999999' }),
      MRNS[0],
    );
    const out = await service.applyMany([item(other, 'valued', 30)]);
    expect(held(out).map((o) => (o.value.payload as HeldPayload).release.reasons)).toEqual([
      ['guarantee-not-authorised'],
    ]);
    expect((held(out)[0].value.payload as HeldPayload).release.account).toBeUndefined();
    expect(accounts.movements).toEqual([]);
    expect(accounts.accounts.get('GUA-1')!.balance).toBe('1000.00');
    for (const n of notices(out)) {
      expect(n.code).toBe('54');
      expect(n.text).toMatch(/may not be used by this declarant/);
      expect(n.text).not.toMatch(/1000/);
    }
  });

  it('treats an account the store holds without an opening on the log as unknown', async () => {
    const { service, accounts } = setUp();
    const { openedBy: _opened, ...unopened } = accounts.accounts.get('GUA-1')!;
    accounts.accounts.set('GUA-1', unopened);
    const out = await service.applyMany([
      item(forMrn(valued('v2', { guaranteeReference: 'GUA-1' }), MRNS[2]), 'valued', 12),
    ]);
    expect(held(out).map((o) => (o.value.payload as HeldPayload).release.reasons)).toEqual([
      ['account-not-found'],
    ]);
    expect(accounts.movements).toEqual([]);
  });
});
