import { generateKeyPairSync } from 'node:crypto';
import {
  EVENT_TYPES,
  firstEvent,
  keyIdOf,
  nextEvent,
  parseKeyRegistry,
  RecordSigner,
  registryEntry,
  signRecord,
  TOPICS,
} from '@customs/contracts';
import { LogRecord, TopicRole } from '@customs/domain';
import { notificationRecord } from '@customs/platform';
import { chaosPassed, checkChaosRun } from './chaos.checks';

const MRN = '26NL0000000000001A';
let offset = 0;
const rec = (role: TopicRole, topic: string, key: string, value: unknown): LogRecord => ({
  role,
  topic,
  partition: 0,
  offset: String(offset++),
  key,
  value: JSON.stringify(value),
});

/** A complete chain: submitted, accepted, risk-assessed, valued, released, and a notification. */
function chain(lrn: string) {
  const submitted = firstEvent({
    type: EVENT_TYPES.submitted,
    schemaVersion: 1,
    lrn,
    producer: 't@1',
    payload: { n: 1 },
  });
  const step = (prev: typeof submitted, type: string, mrn: string | null = MRN) =>
    nextEvent(prev, { type, schemaVersion: 1, producer: 't@1', payload: { n: 1 }, mrn });
  const accepted = step(submitted, EVENT_TYPES.accepted);
  const assessed = step(accepted, EVENT_TYPES.riskAssessed);
  const valued = step(assessed, EVENT_TYPES.valued);
  const released = step(valued, EVENT_TYPES.released);
  const note = notificationRecord(
    released,
    {
      code: '09',
      text: 'cleared',
      recipient: 'D1',
      declarantId: 'D1',
      borderPost: 'B1',
      mrn: MRN,
      lrn,
      aboutEventId: released.eventId,
    },
    '09|D1|',
    't@1',
  );
  return { submitted, accepted, assessed, valued, released, note };
}

function records(c: ReturnType<typeof chain>): LogRecord[] {
  return [
    rec('submitted', TOPICS.submitted, c.submitted.lrn, c.submitted),
    rec('accepted', TOPICS.accepted, MRN, c.accepted),
    rec('riskAssessed', TOPICS.riskAssessed, MRN, c.assessed),
    rec('valued', TOPICS.valued, MRN, c.valued),
    rec('released', TOPICS.released, MRN, c.released),
    rec('notifications', TOPICS.notifications, 'D1', c.note.value),
  ];
}

describe('checkChaosRun', () => {
  it('passes a complete run and counts one decision per stage', () => {
    const c = chain('L1');
    const f = checkChaosRun(new Set(['L1']), records(c), 0);
    expect(f.complete).toBe(1);
    expect(f.decisions).toEqual({
      accepted: 1,
      rejected: 0,
      riskAssessed: 1,
      valued: 1,
      held: 0,
      released: 1,
    });
    expect(f.chainBreaks).toBe(0);
    expect(chaosPassed(f)).toBe(true);
  });

  it('finds a missing stage, an exact duplicate record and a duplicate notification', () => {
    const c = chain('L2');
    const rs = records(c);
    const withoutValued = rs.filter((r) => r.topic !== TOPICS.valued);
    const f1 = checkChaosRun(new Set(['L2']), withoutValued, 0);
    expect(f1.missing).toBe(1);
    expect(chaosPassed(f1)).toBe(false);

    const f2 = checkChaosRun(
      new Set(['L2']),
      [...rs, { ...rs[3], offset: '999' }, { ...rs[5], offset: '998' }],
      0,
    );
    expect(f2.duplicateRecords).toBe(1);
    expect(f2.duplicateNotifications).toBe(1);
    expect(chaosPassed(f2)).toBe(false);
  });

  it('finds a second, different decision at the same stage (a forked chain)', () => {
    const c = chain('L3');
    const other = nextEvent(c.assessed, {
      type: EVENT_TYPES.valued,
      schemaVersion: 1,
      producer: 't@1',
      payload: { n: 2 },
      mrn: MRN,
      discriminator: 'another decision',
    });
    const f = checkChaosRun(
      new Set(['L3']),
      [...records(c), rec('valued', TOPICS.valued, MRN, other)],
      0,
    );
    expect(f.extraDecisions).toBe(1);
    expect(f.sequenceConflicts).toBe(1);
    expect(f.chainBreaks).toBeGreaterThan(0);
  });

  it('fails a run with dead letters and ignores other runs', () => {
    const c = chain('L4');
    const f = checkChaosRun(new Set(['L4']), [...records(c), ...records(chain('OTHER'))], 2);
    expect(f.complete).toBe(1);
    expect(f.notifications).toBe(1);
    expect(chaosPassed(f)).toBe(false);
  });

  it('with the key registry, an unsigned or wrongly signed record is a chain break', () => {
    const signers = new Map<string, RecordSigner>();
    const entries = ['bp-b1', 'svc-intake', 'svc-risk', 'svc-valuation', 'svc-release'].map(
      (principal) => {
        const { privateKey, publicKey } = generateKeyPairSync('ed25519');
        signers.set(principal, { principal, keyId: keyIdOf(principal, publicKey), privateKey });
        return registryEntry(principal, publicKey, new Date(0));
      },
    );
    const registry = parseKeyRegistry({ version: 1, keys: entries });
    const by = ['bp-b1', 'svc-intake', 'svc-risk', 'svc-valuation', 'svc-release', 'svc-release'];
    const signed = records(chain('L9')).map((r, i) => ({
      ...r,
      headers: signRecord(r, signers.get(by[i])!),
    }));
    expect(checkChaosRun(new Set(['L9']), signed, 0, registry).chainBreaks).toBe(0);
    const unsigned = signed.map((r, i) => (i === 3 ? { ...r, headers: {} } : r));
    const f = checkChaosRun(new Set(['L9']), unsigned, 0, registry);
    expect(f.chainBreaks).toBe(1);
    expect(f.problems.join()).toMatch(/SIGNATURE_MISSING/);
    expect(chaosPassed(f)).toBe(false);
  });
});
