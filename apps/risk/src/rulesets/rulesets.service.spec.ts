import { RISK_REFERENCE_KINDS } from '@customs/persistence';
import { RiskReferenceService } from '../reference/risk-reference.service';
import { InMemoryReferenceRepository, rulesetBody } from '../testing/risk-app.fixtures';
import { RulesetsService } from './rulesets.service';

const NOW = Date.parse('2026-11-28T10:00:00Z');
const inSeconds = (s: number) => new Date(NOW + s * 1000).toISOString();

describe('RulesetsService (officer API)', () => {
  let repo: InMemoryReferenceRepository;
  let service: RulesetsService;

  beforeEach(() => {
    repo = new InMemoryReferenceRepository();
    service = new RulesetsService(new RiskReferenceService(repo), repo);
  });

  it('stores a valid ruleset effective ahead of now, and takes a re-post of it even after its date', async () => {
    const body = rulesetBody('rs-2', inSeconds(60));
    const created = await service.publish(body, NOW);
    expect(created).toMatchObject({
      kind: 'created',
      version: 'rs-2',
      effectiveFrom: inSeconds(60),
    });
    const stored = await repo.get(RISK_REFERENCE_KINDS.rules, 'rs-2');
    expect(stored).toMatchObject({ source: 'officer API', content: body });
    const again = await service.publish(body, NOW + 3_600_000);
    expect(again).toMatchObject({ kind: 'unchanged', version: 'rs-2' });
  });

  it('answers every problem by JSON path', async () => {
    const body = {
      ...rulesetBody('rs-bad', inSeconds(60)),
      thresholds: { red: 10, yellow: 50, blue: 30 },
      rules: [{ id: 'lower case', description: 'x', criteria: { type: 'nope' }, action: {} }],
    };
    const r = await service.publish(body, NOW);
    expect(r.kind).toBe('invalid');
    const paths = r.kind === 'invalid' ? r.problems.map((p) => p.path) : [];
    expect(paths).toEqual(
      expect.arrayContaining([
        '$.thresholds',
        '$.rules[0].id',
        '$.rules[0].criteria.type',
        '$.rules[0].action',
      ]),
    );
    expect(await service.publish([], NOW)).toMatchObject({
      kind: 'invalid',
      problems: [{ path: '$', message: 'must be an object' }],
    });
    expect(repo.versions.size).toBe(0);
  });

  it('refuses an effective date in the past or too close to now: past decisions never change', async () => {
    for (const s of [-3600, 0, 4]) {
      const r = await service.publish(rulesetBody(`rs-${s}`, inSeconds(s)), NOW);
      expect(r).toMatchObject({ kind: 'invalid', problems: [{ path: '$.effectiveFrom' }] });
    }
    expect(repo.versions.size).toBe(0);
    expect((await service.publish(rulesetBody('rs-5', inSeconds(5)), NOW)).kind).toBe('created');
  });

  it('refuses another content under an existing version, the seed version, and a taken instant', async () => {
    await service.publish(rulesetBody('rs-2', inSeconds(60)), NOW);
    const other = await service.publish(
      rulesetBody('rs-2', inSeconds(60), [
        {
          id: 'EXTRA',
          description: 'extra',
          criteria: { type: 'originCountry', countries: ['CN'] },
          action: { points: 5 },
        },
      ]),
      NOW,
    );
    expect(other).toMatchObject({ kind: 'conflict' });
    expect((await service.publish(rulesetBody('seed-2026.1', inSeconds(60)), NOW)).kind).toBe(
      'conflict',
    );
    const sameInstant = await service.publish(
      rulesetBody('rs-3', '2026-11-28T11:01:00+01:00'),
      NOW,
    );
    expect(sameInstant).toMatchObject({ kind: 'conflict' });
    expect(sameInstant.kind === 'conflict' && sameInstant.message).toMatch(/rs-2/);
  });

  it('lists the versions by effective date with the one in force, and returns one by id', async () => {
    await service.publish(rulesetBody('rs-3', inSeconds(120)), NOW);
    await service.publish(rulesetBody('rs-2', inSeconds(60)), NOW);
    const before = await service.list(NOW);
    expect(before.versions.map((v) => v.version)).toEqual(['seed-2026.1', 'rs-2', 'rs-3']);
    expect(before.inForce).toBe('seed-2026.1');
    expect((await service.list(NOW + 90_000)).inForce).toBe('rs-2');
    expect(before.versions[1]).toMatchObject({ source: 'officer API', importedAt: inSeconds(0) });
    expect((await service.get('rs-2'))?.ruleset).toMatchObject({ version: 'rs-2' });
    expect((await service.get('seed-2026.1'))?.source).toBe('seed');
    expect(await service.get('nope')).toBeNull();
  });
});
