import {
  accountEventEnvelope,
  accountOpenedEventId,
  EVENT_TYPES,
  EventEnvelope,
  firstEvent,
  nextEvent,
  sealEnvelope,
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
