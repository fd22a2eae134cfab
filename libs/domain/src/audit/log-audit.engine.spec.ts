import { generateKeyPairSync } from 'node:crypto';
import {
  accountEventEnvelope,
  accountOpenedEventId,
  EVENT_TYPES,
  EventEnvelope,
  firstEvent,
  keyIdOf,
  KeyRegistryEntry,
  nextEvent,
  parseKeyRegistry,
  RecordSigner,
  registryEntry,
  sealEnvelope,
  signRecord,
  TOPICS,
} from '@customs/contracts';
import { AUDIT_TOPIC_NAMES, LogAuditor, LogRecord, TopicRole } from './log-audit.engine';
import { declarationStateAt } from './declaration-state.projection';

const MRN = '26NL000000000001A4';
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function declarationChain(lrn: string, mrn = MRN): { role: TopicRole; event: EventEnvelope }[] {
  const s = firstEvent({
    type: 'DeclarationSubmitted',
    schemaVersion: 1,
    lrn,
    producer: 't@1',
    payload: {},
    occurredAt: at(0),
  });
  const next = (prev: EventEnvelope, type: string, payload: unknown, sec: number) =>
    nextEvent(prev, { type, schemaVersion: 1, producer: 't@1', payload, mrn, occurredAt: at(sec) });
  const a = next(s, 'DeclarationAccepted', { acceptance: { acceptedAt: at(1) } }, 1);
  const r = next(
    a,
    'DeclarationRiskAssessed',
    { risk: { channel: 'yellow', score: 40, rulesetVersion: 'r1' } },
    2,
  );
  const v = next(
    r,
    'DeclarationValued',
    {
      valuation: {
        currency: 'EUR',
        customsValue: '100.00',
        totalDuties: '3.00',
        totalTaxes: '21.63',
        totalToPay: '24.63',
        versions: { tariff: 't1', exchangeRates: 'x1' },
      },
    },
    3,
  );
  const h = next(
    v,
    'DeclarationHeld',
    { release: { status: 'held', waitingFor: ['documentary-check'] } },
    4,
  );
  const d = next(h, 'DeclarationReleased', { release: { status: 'released', grounds: ['ok'] } }, 5);
  const roles: TopicRole[] = [
    'submitted',
    'accepted',
    'riskAssessed',
    'valued',
    'held',
    'released',
  ];
  return [s, a, r, v, h, d].map((event, i) => ({ role: roles[i], event }));
}

function records(
  chain: { role: TopicRole; event: EventEnvelope }[],
  offsets = new Map<string, number>(),
): LogRecord[] {
  return chain.map(({ role, event }) => {
    const topic = AUDIT_TOPIC_NAMES[role];
    const offset = offsets.get(topic) ?? 0;
    offsets.set(topic, offset + 1);
    return {
      role,
      topic,
      partition: 0,
      offset: String(offset),
      key: role === 'submitted' || role === 'rejected' ? event.lrn : event.mrn,
      value: JSON.stringify(event),
    };
  });
}

function audit(recs: LogRecord[]) {
  const auditor = new LogAuditor();
  recs.forEach((r) => auditor.add(r));
  return auditor.finish();
}

describe('LogAuditor', () => {
  it('finds nothing in an intact log, and an incomplete chain is not a break', () => {
    const full = records(declarationChain('L1'));
    const partial = records(
      declarationChain('L2', '26NL000000000002A2').slice(0, 3),
      new Map([
        [TOPICS.submitted, 1],
        [TOPICS.accepted, 1],
        [TOPICS.riskAssessed, 1],
      ]),
    );
    const r = audit([...full, ...partial]);
    expect(r.findings).toEqual([]);
    expect(r.counts).toMatchObject({ records: 9, events: 9, chains: 2, finalChains: 1 });
  });

  it('locates an altered byte, an unreadable record, a deletion and a swap', () => {
    const recs = records(declarationChain('L1'));
    recs[3] = { ...recs[3], value: String(recs[3].value).replace('"24.63"', '"94.63"') };
    recs[1] = { ...recs[1], value: String(recs[1].value).replace('{', '[') };
    const r = audit(recs);
    expect(r.findings.map((f) => [f.topic, f.offset, f.code])).toEqual(
      expect.arrayContaining([
        [TOPICS.valued, '0', 'HASH_MISMATCH'],
        [TOPICS.accepted, '0', 'NOT_JSON'],
        [TOPICS.riskAssessed, '0', 'SEQUENCE_GAP'],
      ]),
    );
    expect(r.findings.find((f) => f.code === 'NOT_JSON')!.mrn).toBe(MRN);

    const swapped = records(declarationChain('L1'));
    const [a, b] = [swapped[1], swapped[2]];
    swapped[1] = { ...a, value: b.value };
    swapped[2] = { ...b, value: a.value };
    expect(audit(swapped).findings.map((f) => [f.topic, f.code])).toEqual([
      [TOPICS.accepted, 'TOPIC_MISMATCH'],
      [TOPICS.riskAssessed, 'TOPIC_MISMATCH'],
    ]);
  });

  it('finds a swap within one partition by offset order, and a deleted last event by its notification', () => {
    const recs = records(declarationChain('L1'));
    // held and released put on one topic-partition in the wrong order
    const held = { ...recs[4], role: 'released' as TopicRole, topic: TOPICS.released, offset: '1' };
    const released = { ...recs[5], offset: '0' };
    const swap = audit([...recs.slice(0, 4), held, released]).findings.map((f) => f.code);
    expect(swap).toContain('OFFSET_ORDER');

    const last = JSON.parse(String(recs[5].value)) as EventEnvelope;
    const notification = firstEvent({
      type: 'NotificationIssued',
      schemaVersion: 1,
      lrn: 'L1',
      producer: 't@1',
      payload: { aboutEventId: last.eventId },
    });
    const r = audit([
      ...recs.slice(0, 5),
      {
        role: 'notifications',
        topic: TOPICS.notifications,
        partition: 2,
        offset: '7',
        key: 'X',
        value: JSON.stringify(notification),
      },
    ]);
    expect(r.findings.map((f) => [f.topic, f.partition, f.offset, f.code])).toEqual([
      [TOPICS.notifications, 2, '7', 'MISSING_EVENT'],
    ]);
  });

  it('excuses an unreadable submission that intake rejected by its position, and only that one', () => {
    const rejection = firstEvent({
      type: 'DeclarationRejected',
      schemaVersion: 1,
      lrn: 'BAD',
      producer: 'intake@1',
      payload: {
        submission: { raw: '{', origin: { topic: TOPICS.submitted, partition: 0, offset: '0' } },
        reasons: [],
      },
    });
    const bad = (offset: string): LogRecord => ({
      role: 'submitted',
      topic: TOPICS.submitted,
      partition: 0,
      offset,
      key: 'BAD',
      value: '{',
    });
    const r = audit([
      bad('0'),
      bad('1'),
      {
        role: 'rejected',
        topic: TOPICS.rejected,
        partition: 0,
        offset: '0',
        key: 'BAD',
        value: JSON.stringify(rejection),
      },
    ]);
    expect(r.counts.rejectedAtIntake).toBe(1);
    expect(r.findings.map((f) => [f.offset, f.code, f.lrn])).toEqual([['1', 'NOT_JSON', 'BAD']]);
  });

  it('filters findings by MRN and by time window', () => {
    const recs = records(declarationChain('L1'));
    recs[4] = {
      ...recs[4],
      value: String(recs[4].value).replace('documentary-check', 'documentary-chekc'),
    };
    const auditor = new LogAuditor();
    recs.forEach((r) => auditor.add(r));
    expect(auditor.finish({ mrn: MRN }).findings).toHaveLength(1);
    expect(auditor.finish({ mrn: '26NL000000000002A2' }).findings).toHaveLength(0);
    expect(auditor.finish({ from: at(4), to: at(4) }).findings).toHaveLength(1);
    expect(auditor.finish({ to: at(3) }).findings).toHaveLength(0);
  });

  it('accepts an amendment caused by a request on the amendments topic, and notifications about the request', () => {
    const chain = declarationChain('L1').slice(0, 5); // up to held
    const request = firstEvent({
      type: 'DeclarationAmendmentRequested',
      schemaVersion: 1,
      lrn: 'L1',
      producer: 'intake@1',
      payload: {},
    });
    const amended = nextEvent(chain[4].event, {
      type: 'DeclarationAmended',
      schemaVersion: 1,
      producer: 'release@1',
      payload: { amendment: { version: 2 } },
      causationId: request.eventId,
    });
    const assessed = nextEvent(amended, {
      type: 'DeclarationRiskAssessed',
      schemaVersion: 1,
      producer: 'risk@1',
      payload: {},
    });
    const notice = firstEvent({
      type: 'NotificationIssued',
      schemaVersion: 1,
      lrn: 'L1',
      producer: 'intake@1',
      payload: { aboutEventId: request.eventId },
    });
    const recs = records([
      ...chain,
      { role: 'accepted', event: amended },
      { role: 'riskAssessed', event: assessed },
    ]);
    const extra: LogRecord[] = [
      {
        role: 'amendments',
        topic: AUDIT_TOPIC_NAMES.amendments,
        partition: 0,
        offset: '0',
        key: MRN,
        value: JSON.stringify(request),
      },
      {
        role: 'notifications',
        topic: TOPICS.notifications,
        partition: 0,
        offset: '0',
        key: 'X',
        value: JSON.stringify(notice),
      },
    ];
    expect(audit([...recs, ...extra]).findings).toEqual([]);
    // Without the request in the log, the amendment's cause and the notice dangle.
    expect(
      audit([...recs, extra[1]])
        .findings.map((f) => f.code)
        .sort(),
    ).toEqual(['MISSING_EVENT', 'UNKNOWN_CAUSE']);
  });
});

describe('declarationStateAt', () => {
  it('shows the declaration as it stood at each instant', () => {
    const chain = declarationChain('L1').map((c) => c.event);
    expect(declarationStateAt(chain, [], at(-1)).stage).toBeNull();
    const valued = declarationStateAt(chain, [], at(3.5));
    expect(valued).toMatchObject({
      stage: 'valued',
      mrn: MRN,
      risk: { channel: 'yellow' },
      amounts: { totalToPay: '24.63' },
    });
    expect(valued.release).toBeUndefined();
    expect(declarationStateAt(chain, [], at(4)).release).toEqual({
      status: 'held',
      waitingFor: ['documentary-check'],
    });
    expect(declarationStateAt(chain, [], at(9)).stage).toBe('released');
  });
});

describe('LogAuditor authorship', () => {
  const keys = new Map<string, RecordSigner>();
  const entries: KeyRegistryEntry[] = [];
  for (const principal of [
    'bp-nl-vnl-venlo',
    'svc-intake',
    'svc-risk',
    'svc-valuation',
    'svc-release',
  ]) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    keys.set(principal, { principal, keyId: keyIdOf(principal, publicKey), privateKey });
    entries.push(registryEntry(principal, publicKey, new Date(T0 - 3600_000)));
  }
  const registry = parseKeyRegistry({ version: 1, keys: entries });
  const PRODUCER_OF: Partial<Record<TopicRole, string>> = {
    submitted: 'bp-nl-vnl-venlo',
    accepted: 'svc-intake',
    riskAssessed: 'svc-risk',
    valued: 'svc-valuation',
    held: 'svc-release',
    released: 'svc-release',
  };
  /** Signed by the producer of each role, on the contract topic; behind a prefix if given. */
  const signed = (recs: LogRecord[], prefix = '', by?: string): LogRecord[] =>
    recs.map((r) => ({
      ...r,
      topic: `${prefix}${r.topic}`,
      timestamp: String(T0),
      headers: signRecord(
        { topic: AUDIT_TOPIC_NAMES[r.role], key: r.key, value: r.value },
        keys.get(by ?? PRODUCER_OF[r.role]!)!,
      ),
    }));
  const verify = (recs: LogRecord[], reg = registry) => {
    const auditor = new LogAuditor({ registry: reg });
    recs.forEach((r) => auditor.add(r));
    return auditor.finish();
  };
  const located = (r: ReturnType<typeof verify>) =>
    r.findings.map((f) => [f.code, f.severity, f.topic, f.partition, f.offset, f.mrn]);

  it('finds nothing in a log signed by its producers, also on a scratch copy', () => {
    expect(verify(signed(records(declarationChain('L1')))).findings).toEqual([]);
    expect(verify(signed(records(declarationChain('L1')), 'scratch-7.')).findings).toEqual([]);
  });

  it('locates an unsigned record and a malformed signature', () => {
    const recs = signed(records(declarationChain('L1')));
    recs[2] = { ...recs[2], headers: {} };
    recs[3] = { ...recs[3], headers: { ...recs[3].headers, 'customs-signature': 'AAAA' } };
    expect(located(verify(recs))).toEqual([
      ['SIGNATURE_MISSING', 'error', TOPICS.riskAssessed, 0, '0', MRN],
      ['SIGNATURE_MALFORMED', 'error', TOPICS.valued, 0, '0', MRN],
    ]);
  });

  it('finds a rewritten record whose hash was recomputed, by its signature', () => {
    const recs = signed(records(declarationChain('L1')));
    const released = JSON.parse(String(recs[5].value)) as EventEnvelope;
    const rewritten = sealEnvelope({
      ...released,
      payload: { release: { status: 'released', grounds: ['paid'] } },
    } as EventEnvelope);
    recs[5] = { ...recs[5], value: JSON.stringify(rewritten) };
    // The chain checks see nothing wrong with the recomputed hash; the signature does.
    expect(audit(recs).findings).toEqual([]);
    expect(located(verify(recs))).toEqual([
      ['SIGNATURE_INVALID', 'error', TOPICS.released, 0, '0', MRN],
    ]);
  });

  it('finds an unknown key id, a revoked key and a signer not allowed for the type', () => {
    const plain = records(declarationChain('L1'));
    const recs = signed(plain);
    // A release decision signed by the border post (its key is registered).
    recs[5] = signed([plain[5]], '', 'bp-nl-vnl-venlo')[0];
    const r = verify(recs);
    expect(located(r)).toEqual([['SIGNER_NOT_ALLOWED', 'error', TOPICS.released, 0, '0', MRN]]);
    expect(r.findings[0]).toMatchObject({ signer: 'bp-nl-vnl-venlo', type: 'DeclarationReleased' });

    const withoutRisk = parseKeyRegistry({
      version: 2,
      keys: entries.filter((e) => !e.principal.startsWith('svc-risk')),
    });
    const revokedValuation = parseKeyRegistry({
      version: 3,
      keys: entries.map((e) =>
        e.principal === 'svc-valuation' ? { ...e, revokedAt: new Date(T0 - 1).toISOString() } : e,
      ),
    });
    expect(located(verify(signed(records(declarationChain('L1'))), withoutRisk))).toEqual([
      ['KEY_UNKNOWN', 'error', TOPICS.riskAssessed, 0, '0', MRN],
    ]);
    expect(located(verify(signed(records(declarationChain('L1'))), revokedValuation))).toEqual([
      ['KEY_NOT_VALID', 'error', TOPICS.valued, 0, '0', MRN],
    ]);
  });

  it('a record signed for one topic and copied to another is found', () => {
    const recs = signed(records(declarationChain('L1')));
    const payment = {
      ...recs[4],
      role: 'payments' as TopicRole,
      topic: TOPICS.payments,
      offset: '3',
    };
    expect(located(verify([...recs, payment]))).toContainEqual([
      'SIGNATURE_INVALID',
      'error',
      TOPICS.payments,
      0,
      '3',
      MRN,
    ]);
  });

  it('finds two events with one id, naming both places; an exact copy is only a warning', () => {
    const recs = records(declarationChain('L1'));
    const held = JSON.parse(String(recs[4].value)) as EventEnvelope;
    const forged = sealEnvelope({
      ...held,
      payload: { release: { status: 'held' } },
    } as EventEnvelope);
    const copy = { ...recs[4], offset: '1' };
    const other = { ...recs[4], offset: '2', value: JSON.stringify(forged) };
    const r = audit([...recs, copy, other]);
    const dup = r.findings.filter((f) => f.code === 'DUPLICATE_EVENT_ID');
    const at = (offset: string, other: string) =>
      expect.objectContaining({
        severity: 'error',
        topic: TOPICS.held,
        partition: 0,
        offset,
        mrn: MRN,
        eventId: held.eventId,
        duplicateOf: { topic: TOPICS.held, partition: 0, offset: other },
      });
    // The first place of each content under the id: the original and the forgery.
    expect(dup).toEqual([at('0', '2'), at('2', '0')]);
    expect(dup[1].message).toContain(`${TOPICS.held}[0]@0`);
    // Whatever order the partitions were read in.
    const reversed = audit([other, ...recs, copy]).findings.filter(
      (f) => f.code === 'DUPLICATE_EVENT_ID',
    );
    expect(reversed).toEqual(dup);
    expect(r.findings.find((f) => f.code === 'DUPLICATE_RECORD')).toMatchObject({
      severity: 'warning',
      offset: '1',
    });
    // Across topics too: a payment that reuses a declaration event's id.
    const payment = {
      role: 'payments' as TopicRole,
      topic: TOPICS.payments,
      partition: 1,
      offset: '0',
      key: MRN,
      value: JSON.stringify(forged),
    };
    expect(audit([payment, ...recs]).findings.map((f) => [f.code, f.topic])).toEqual([
      ['DUPLICATE_EVENT_ID', TOPICS.held],
      ['DUPLICATE_EVENT_ID', TOPICS.payments],
    ]);
  });
});

describe('LogAuditor: the accounts log', () => {
  const opening = accountEventEnvelope({
    type: EVENT_TYPES.accountOpened,
    eventId: accountOpenedEventId('GUA-1'),
    payload: {
      accountId: 'GUA-1',
      holder: 'NL1',
      kind: 'guarantee',
      currency: 'EUR',
      openingBalance: '10.00',
      authorisedDeclarants: [],
    },
    producer: 'admin',
    occurredAt: '2026-01-01T00:00:00Z',
  });
  const rec = (value: string, key: string | null = 'GUA-1', offset = 0): LogRecord => ({
    role: 'accounts',
    topic: TOPICS.accounts,
    partition: 0,
    offset: String(offset),
    key,
    value,
  });

  it('takes account events as one-event records, not as declaration chains', () => {
    const r = audit([...records(declarationChain('L1')), rec(JSON.stringify(opening))]);
    expect(r.findings).toEqual([]);
    expect(r.counts.chains).toBe(1);
  });

  it('finds an altered, mis-keyed, foreign or unreadable account record, located', () => {
    const altered = JSON.stringify({
      ...opening,
      payload: { ...opening.payload, openingBalance: '9999999.00' },
    });
    const { hash: _hash, ...unsealed } = opening;
    const foreign = JSON.stringify(sealEnvelope({ ...unsealed, type: EVENT_TYPES.payment }));
    const r = audit([
      rec(altered, 'GUA-1', 0),
      rec(JSON.stringify(opening), 'GUA-2', 1),
      rec(foreign, 'GUA-1', 2),
      rec('not json', 'GUA-1', 3),
    ]);
    expect(r.findings.map((f) => `${f.code}@${f.offset}`)).toEqual([
      'HASH_MISMATCH@0',
      'KEY_MISMATCH@1',
      'UNKNOWN_EVENT_TYPE@2',
      'NOT_JSON@3',
    ]);
    expect(r.findings.every((f) => f.topic === TOPICS.accounts)).toBe(true);
  });
});
