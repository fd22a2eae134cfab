import { RISK_REFERENCE_KINDS } from '@customs/persistence';
import { InMemoryReferenceRepository, rulesetBody } from '../testing/risk-app.fixtures';
import { RiskReferenceService } from './risk-reference.service';

const T0 = Date.parse('2026-11-28T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('RiskReferenceService', () => {
  let repo: InMemoryReferenceRepository;
  let service: RiskReferenceService;

  beforeEach(() => {
    jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    repo = new InMemoryReferenceRepository();
    service = new RiskReferenceService(repo);
  });

  afterEach(() => jest.useRealTimers());

  it('offers the seeds and the stored versions, taking version and date from the stored record', async () => {
    repo.put(RISK_REFERENCE_KINDS.rules, rulesetBody('rs-2', '2026-12-01T00:00:00Z'));
    // A record whose identity was overridden at import (the CLI's --version / --effective-from).
    const content = rulesetBody('in-file', '2026-12-05T00:00:00Z');
    repo.put(RISK_REFERENCE_KINDS.rules, content);
    const stored = repo.versions.get(`${RISK_REFERENCE_KINDS.rules}:in-file`)!;
    repo.versions.set(`${RISK_REFERENCE_KINDS.rules}:rs-3`, {
      ...stored,
      version: 'rs-3',
      effectiveFrom: '2026-12-10T00:00:00.000Z',
    });
    repo.versions.delete(`${RISK_REFERENCE_KINDS.rules}:in-file`);

    const v = await service.versionsFor(iso(T0));
    expect(v.rulesets.map((r) => [r.version, r.effectiveFrom])).toEqual([
      ['seed-2026.1', '2026-01-01T00:00:00Z'],
      ['rs-2', '2026-12-01T00:00:00.000Z'],
      ['rs-3', '2026-12-10T00:00:00.000Z'],
    ]);
    expect(v.registries.map((r) => r.version)).toEqual(['seed-traders-2026.1']);
  });

  it('reuses a load for declarations accepted within lead - skew of its start, and reloads for later ones', async () => {
    await service.versionsFor(iso(T0 - 1000));
    const lists = repo.lists;
    jest.setSystemTime(T0 + 10_000);
    // Accepted up to 3 s (5 s lead - 2 s skew) after the load started: the cache is complete.
    await service.versionsFor(iso(T0 + 3000));
    expect(repo.lists).toBe(lists);
    // A version stored now applies 5 s from now at the earliest; a declaration accepted after
    // the cached window must see it.
    repo.put(RISK_REFERENCE_KINDS.rules, rulesetBody('rs-new', iso(T0 + 15_000)));
    const later = await service.versionsFor(iso(T0 + 15_000));
    expect(repo.lists).toBe(lists + 2);
    expect(later.rulesets.map((r) => r.version)).toContain('rs-new');
    // Declarations accepted before the new load's window reuse it.
    await service.versionsFor(iso(T0 + 12_000));
    expect(repo.lists).toBe(lists + 2);
  });

  it('shares one reload between declarations that need it at the same time', async () => {
    await Promise.all([
      service.versionsFor(iso(T0)),
      service.versionsFor(iso(T0 + 1)),
      service.versionsFor(iso(T0 + 2)),
    ]);
    expect(repo.lists).toBe(2); // one list per kind
  });

  it('forgets the load when invalidated (a version stored through the officer API)', async () => {
    await service.versionsFor(iso(T0));
    service.invalidate();
    await service.versionsFor(iso(T0));
    expect(repo.lists).toBe(4);
  });
});
