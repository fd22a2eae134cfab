import { EVENT_TYPES } from '../events/declaration-events';
import { dlqTopic, TOPICS } from '../topics';
import { checkSignerPolicy } from './signer-policy';

const T = TOPICS;
const E = EVENT_TYPES;
const BP = 'bp-nl-rtm-maasvlakte';
const PAY = 'pay-local-bank';
const PRINCIPALS = [
  'svc-intake',
  'svc-risk',
  'svc-valuation',
  'svc-release',
  'svc-audit',
  BP,
  PAY,
  'auditor',
  'admin',
  'kafka-admin',
];

/** topic, type, the principals allowed; every other principal is refused. */
const MATRIX: [string, string, string[]][] = [
  [T.submitted, E.submitted, ['svc-intake', BP]],
  [T.accepted, E.accepted, ['svc-intake']],
  [T.accepted, E.amended, ['svc-release']],
  [T.rejected, E.rejected, ['svc-intake']],
  [T.riskAssessed, E.riskAssessed, ['svc-risk']],
  [T.valued, E.valued, ['svc-valuation']],
  [T.held, E.held, ['svc-release']],
  [T.released, E.released, ['svc-release']],
  [T.released, E.invalidated, ['svc-release']],
  [T.payments, E.payment, ['svc-release', PAY]],
  [T.controlResults, E.controlResult, ['svc-release']],
  [T.controlResults, E.officerDecision, ['svc-release']],
  [T.notifications, E.notification, ['svc-release', 'svc-intake']],
  [T.amendments, E.amendmentRequested, ['svc-intake', 'svc-release']],
  [T.amendments, E.invalidationRequested, ['svc-intake']],
  [T.checkpoints, 'CheckpointPublished', ['svc-audit']],
  [T.accounts, E.accountOpened, ['admin']],
  [T.accounts, E.accountCredited, ['admin']],
];

describe('signer policy', () => {
  it.each(MATRIX)('%s %s: only %j', (topic, type, allowed) => {
    for (const principal of PRINCIPALS) {
      const check = checkSignerPolicy(topic, type, principal);
      expect([principal, check.ok]).toEqual([principal, allowed.includes(principal)]);
      if (!check.ok) expect(check.code).toBe('SIGNER_NOT_ALLOWED');
    }
  });

  it('covers every contract topic', () => {
    expect(new Set(MATRIX.map(([t]) => t))).toEqual(new Set(Object.values(TOPICS)));
  });

  it('allows any border post on the submitted topic, but not a bare prefix', () => {
    expect(checkSignerPolicy(T.submitted, E.submitted, 'bp-nl-ams-schiphol').ok).toBe(true);
    expect(checkSignerPolicy(T.submitted, E.submitted, 'bp-').ok).toBe(false);
    expect(checkSignerPolicy(T.payments, E.payment, 'pay-').ok).toBe(false);
  });

  it('refuses a type on the wrong topic, unknown types and unknown topics', () => {
    expect(checkSignerPolicy(T.payments, E.released, 'svc-release')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('is not an event type of'),
    });
    expect(checkSignerPolicy(T.released, '__proto__', 'svc-release').ok).toBe(false);
    expect(checkSignerPolicy('customs.other.v1', E.released, 'svc-release')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not a contract topic'),
    });
  });

  it('a record that is no envelope passes only for a principal that may write the topic', () => {
    expect(checkSignerPolicy(T.submitted, null, BP).ok).toBe(true);
    expect(checkSignerPolicy(T.submitted, null, PAY).ok).toBe(false);
    expect(checkSignerPolicy(T.released, null, 'svc-release').ok).toBe(true);
  });

  it('dead-letter topics are written by their own service, checkpoints by svc-audit', () => {
    expect(checkSignerPolicy(dlqTopic('risk'), E.accepted, 'svc-risk').ok).toBe(true);
    expect(checkSignerPolicy(dlqTopic('risk'), null, 'svc-risk').ok).toBe(true);
    expect(checkSignerPolicy(dlqTopic('risk'), E.accepted, 'svc-intake').ok).toBe(false);
    expect(
      checkSignerPolicy('customs.audit.checkpoints.v1', 'CheckpointPublished', 'svc-audit').ok,
    ).toBe(true);
    expect(
      checkSignerPolicy('customs.audit.checkpoints.v1', 'CheckpointPublished', 'svc-release').ok,
    ).toBe(false);
  });
});
