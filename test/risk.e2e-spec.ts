import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import {
  AcceptedPayload,
  Declaration,
  EventEnvelope,
  RiskAssessedPayload,
  RiskResult,
  TOPICS,
} from '@customs/contracts';
import { assessRisk, mrnCheckDigit, parseRuleset, parseTraderRegistry } from '@customs/domain';
import {
  loadSeedRuleset,
  loadSeedTraderRegistry,
  SEED_WATCHLISTED_PARTY_ID,
  seedDeclarableCodes,
} from '@customs/reference-data';
import { DeclarationGenerator } from '@customs/simulation';
import { connectStore, MongoRiskAssessmentRecordRepository } from '@customs/persistence';
import { registerRiskCommand } from '../apps/cli/src/commands/risk.command';
import { acceptedEvent } from '../apps/risk/src/testing/risk-app.fixtures';
import { AssessmentBatch, assessInChildProcess } from './support/risk-determinism.support';
import {
  httpJson,
  RISK_E2E_DB,
  RiskPipelineHarness,
  riskUrl,
  sleep,
} from './support/risk-officer.support';
import { signedAs } from './support/record-signers';

jest.setTimeout(120_000);

const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';

const root = join(__dirname, '..');
const seedJson = () => JSON.parse(JSON.stringify(loadSeedRuleset())) as Record<string, unknown>;

describe('risk assessment is deterministic across processes', () => {
  it('gives byte-identical results for the same declarations and ruleset in separate Node processes', () => {
    const gen = new DeclarationGenerator({
      seed: 4242,
      commodityCodes: seedDeclarableCodes('2026-11-28'),
      meanItems: 3,
    });
    const traders = loadSeedTraderRegistry().traders;
    const cases = Array.from({ length: 3000 }, (_, i) => {
      const d: Declaration = gen.next(i + 1);
      if (i % 50 === 0) d.importer = { id: traders[i % traders.length].id };
      if (i % 97 === 0) d.declarant = { id: SEED_WATCHLISTED_PARTY_ID };
      if (i % 13 === 0) d.relatedParty = true;
      const first17 = `26NL${String(i + 1).padStart(12, '0')}A`;
      return {
        declaration: d,
        mrn: first17 + mrnCheckDigit(first17),
        acceptedAt: '2026-11-28T12:00:00Z',
      };
    });
    const ruleset = {
      ...seedJson(),
      version: 'determinism-1',
      rules: [
        ...(seedJson().rules as unknown[]),
        {
          id: 'CN-ORIGIN-LIMITED',
          description: 'Origin CN, one hit in four selected',
          criteria: { type: 'originCountry', countries: ['CN'] },
          action: { lane: 'yellow' },
          maxHitsWithoutSelection: 3,
        },
        {
          id: 'FREIGHT-DECLARED',
          description: 'Freight declared',
          criteria: { type: 'field', path: 'costs.freight', exists: true },
          action: { points: 10 },
        },
        {
          id: 'MANY-ITEMS',
          description: 'Four items or more',
          criteria: { type: 'itemCount', min: 4 },
          action: { points: 25 },
        },
      ],
    };
    const batch: AssessmentBatch = { ruleset, registry: loadSeedTraderRegistry(), cases };

    const one = assessInChildProcess(batch, { TZ: 'UTC', LANG: 'C' });
    const two = assessInChildProcess(batch, {
      TZ: 'Pacific/Chatham',
      LANG: 'tr_TR.UTF-8',
      LC_ALL: 'tr_TR.UTF-8',
      REVERSE: '1',
    });
    expect(two).toBe(one);
    // The same figures in this (ts-jest) process too.
    const rs = parseRuleset(ruleset);
    const reg = parseTraderRegistry(batch.registry);
    expect(JSON.stringify(cases.map((c) => assessRisk(c, rs, reg)))).toBe(one);

    // The comparison covers every kind of decision, not only green declarations.
    const results = JSON.parse(one) as RiskResult[];
    expect(new Set(results.map((r) => r.channel)).size).toBeGreaterThanOrEqual(3);
    const hits = results.flatMap((r) => r.hits);
    for (const id of ['WATCHLIST', 'AEO', 'CN-ORIGIN-LIMITED', 'FREIGHT-DECLARED', 'MANY-ITEMS'])
      expect(hits.some((h) => h.ruleId === id)).toBe(true);
    expect(hits.some((h) => h.ruleId === 'CN-ORIGIN-LIMITED' && h.selected === false)).toBe(true);
    expect(hits.some((h) => h.ruleId === 'CN-ORIGIN-LIMITED' && h.selected === true)).toBe(true);
    expect(hits.some((h) => h.ruleId.startsWith('RANDOM-'))).toBe(true);
  });
});

describe('selectivity through the pipeline, rulesets from the officer API', () => {
  const harness = new RiskPipelineHarness();
  const stamp = Date.now().toString(36).toUpperCase();
  const declarantId = `NLE2E${stamp}`;
  const version = `e2e-${stamp}`;
  const ruleId = `E2E-DECLARANT-${stamp}`;
  const reason = `E2E: declarant ${declarantId} under investigation, physical inspection`;

  beforeAll(async () => {
    await harness.start();
  });

  afterAll(async () => {
    await harness.stop();
  });

  function declarationOf(n: number): Declaration {
    const d = harness.generator(900 + n, 'RK').next(n);
    delete d.guaranteeReference;
    return {
      ...d,
      declarant: { id: declarantId, name: 'E2E declarant', country: 'NL' },
      importer: { id: declarantId, name: 'E2E importer', country: 'NL' },
    };
  }

  async function lodge(d: Declaration): Promise<string> {
    const res = await httpJson(`${harness.intakeUrl}/declarations`, d);
    expect(res.status).toBe(202);
    return String(res.body.mrn);
  }

  async function assessed(lrn: string): Promise<EventEnvelope<RiskAssessedPayload>> {
    const pending = await harness.watcher.waitFor(
      [lrn],
      (o) => o.some((x) => x.topic === TOPICS.riskAssessed),
      45_000,
    );
    expect(pending).toEqual([]);
    return harness.events(lrn).find((o) => o.topic === TOPICS.riskAssessed)!
      .event as EventEnvelope<RiskAssessedPayload>;
  }

  it('applies a posted ruleset from its effective date on: a known declaration goes red, an earlier one keeps the old version', async () => {
    // Refusals first: every problem by path, and no date in the past.
    const invalid = await httpJson<{ reasons: { path: string }[] }>(`${riskUrl}/rulesets`, {
      ...seedJson(),
      version,
      effectiveFrom: 'tomorrow',
      rules: [{ id: ruleId, description: reason, criteria: { type: 'declarantId' }, action: {} }],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.reasons.map((r) => r.path)).toEqual(
      expect.arrayContaining(['$.effectiveFrom', '$.rules[0].criteria.ids', '$.rules[0].action']),
    );
    const past = await httpJson<{ reasons: { path: string }[] }>(`${riskUrl}/rulesets`, {
      ...seedJson(),
      version,
      effectiveFrom: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(past.status).toBe(400);
    expect(past.body.reasons[0].path).toBe('$.effectiveFrom');

    const effectiveFrom = new Date(Date.now() + 8000).toISOString();
    const body = {
      ...seedJson(),
      version,
      effectiveFrom,
      rules: [
        ...(seedJson().rules as unknown[]),
        {
          id: ruleId,
          description: reason,
          criteria: { type: 'declarantId', ids: [declarantId] },
          action: { lane: 'red' },
        },
      ],
    };
    const created = await httpJson(`${riskUrl}/rulesets`, body);
    expect(created).toMatchObject({ status: 201, body: { version, outcome: 'created' } });
    expect((await httpJson(`${riskUrl}/rulesets`, body)).body).toMatchObject({
      outcome: 'unchanged',
    });
    const other = await httpJson(`${riskUrl}/rulesets`, { ...body, seed: 'another seed' });
    expect(other.status).toBe(409);
    const listed = await httpJson<{ versions: { version: string; effectiveFrom: string }[] }>(
      `${riskUrl}/rulesets`,
    );
    expect(listed.body.versions).toContainEqual(
      expect.objectContaining({ version, effectiveFrom }),
    );
    expect((await httpJson(`${riskUrl}/v1/rulesets/${version}`)).body).toMatchObject({
      version,
      ruleset: { rules: expect.arrayContaining([expect.objectContaining({ id: ruleId })]) },
    });

    // Accepted before the effective date: judged by the version in force then.
    const early = declarationOf(1);
    await lodge(early);
    const earlyEvent = await assessed(early.lrn);
    const earlyAccepted = harness.events(early.lrn).find((o) => o.topic === TOPICS.accepted)!
      .event as EventEnvelope<AcceptedPayload>;
    expect(Date.parse(earlyAccepted.payload.acceptance.acceptedAt)).toBeLessThan(
      Date.parse(effectiveFrom),
    );
    expect(earlyEvent.payload.risk.rulesetVersion).not.toBe(version);
    expect(earlyEvent.payload.risk.hits.map((h) => h.ruleId)).not.toContain(ruleId);

    // Accepted after it: red by the new rule, with its reason and the new version.
    await sleep(Math.max(0, Date.parse(effectiveFrom) - Date.now() + 300));
    const late = declarationOf(2);
    const lateMrn = await lodge(late);
    const lateEvent = await assessed(late.lrn);
    const risk = lateEvent.payload.risk;
    expect(lateEvent.mrn).toBe(lateMrn);
    expect(risk.rulesetVersion).toBe(version);
    expect(risk.channel).toBe('red');
    expect(risk.ruleChannel).toBe('red');
    expect(risk.hits).toContainEqual(
      expect.objectContaining({ ruleId, reason, channel: 'red', source: 'rule' }),
    );

    // The statistics of the new version count it (the record is written before the commit).
    const stats = await httpJson<{
      total: number;
      byLane: Record<string, number>;
      rates: Record<string, string>;
      hitsByRule: Record<string, number>;
      configured: Record<string, { expectedRate: string }>;
    }>(`${riskUrl}/statistics?rulesetVersion=${version}`);
    expect(stats.status).toBe(200);
    expect(stats.body.hitsByRule[ruleId]).toBe(1);
    expect(stats.body.byLane.red).toBeGreaterThanOrEqual(1);
    expect(stats.body.total).toBe(Object.values(stats.body.byLane).reduce((a, b) => a + b, 0));
    expect(stats.body.configured.red.expectedRate).toBe('0.03');
    const earlyStats = await httpJson<{ hitsByRule: Record<string, number> }>(
      `${riskUrl}/statistics?rulesetVersion=${earlyEvent.payload.risk.rulesetVersion}`,
    );
    expect(earlyStats.body.hitsByRule[ruleId]).toBeUndefined();
    expect((await httpJson(`${riskUrl}/statistics?rulesetVersion=nope-${stamp}`)).status).toBe(404);
    expect((await httpJson(`${riskUrl}/statistics?unknown=1`)).status).toBe(400);

    // The CLI shows the same figures (the lead registers the command in the CLI main).
    const out: string[] = [];
    const write = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    try {
      const program = new Command().exitOverride();
      registerRiskCommand(program);
      await program.parseAsync(['risk', 'stats', '--ruleset', version, '--json'], {
        from: 'user',
      });
      await program.parseAsync(['risk', 'stats', '--ruleset', version], { from: 'user' });
    } finally {
      write.mockRestore();
    }
    expect(JSON.parse(out[0])).toMatchObject({
      rulesetVersion: version,
      hitsByRule: { [ruleId]: 1 },
    });
    expect(out[1]).toContain(`ruleset ${version} (effective ${effectiveFrom})`);
    expect(out[1]).toMatch(new RegExp(`${ruleId} +1\\n`));
  });

  it('assesses a chunk of the accepted topic once per event, with one statistics record per MRN', async () => {
    const acceptedAt = new Date().toISOString();
    const events = [1, 2, 3].map((n) => {
      const first17 = `26NL${stamp.slice(-8).padStart(8, '0')}${String(n).padStart(4, '0')}J`;
      return acceptedEvent(declarationOf(10 + n), first17 + mrnCheckDigit(first17), acceptedAt);
    });
    const record = (e: EventEnvelope) => ({
      key: e.mrn,
      value: JSON.stringify(e),
      headers: { 'content-type': 'application/json' },
      partition: 0,
    });
    // One partition, in one send; the second copy of the first (a re-send) yields nothing.
    await harness.producer.send({
      topic: TOPICS.accepted,
      messages: signedAs('svc-intake', TOPICS.accepted, [
        record(events[0]),
        record(events[1]),
        record(events[0]),
        record(events[2]),
      ]),
    });
    const lrns = events.map((e) => e.lrn);
    expect(
      await harness.watcher.waitFor(
        lrns,
        (o) => o.some((x) => x.topic === TOPICS.riskAssessed),
        30_000,
      ),
    ).toEqual([]);
    await sleep(2000);
    const connection = await connectStore(MONGO_URL, RISK_E2E_DB);
    try {
      const records = new MongoRiskAssessmentRecordRepository(connection);
      for (const e of events) {
        const assessedEvents = harness
          .events(e.lrn)
          .filter((o) => o.topic === TOPICS.riskAssessed)
          .map((o) => o.event);
        expect(assessedEvents).toHaveLength(1);
        expect(assessedEvents[0].causationId).toBe(e.eventId);
        // The statistics record is the published decision's (written before the commit).
        expect(await records.get(e.mrn!)).toMatchObject({
          mrn: e.mrn,
          lrn: e.lrn,
          eventId: assessedEvents[0].eventId,
          channel: (assessedEvents[0].payload as RiskAssessedPayload).risk.channel,
        });
      }
    } finally {
      await connection.close();
    }
  });

  it('imports rulesets with the CLI into the same store the officer API reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'risk-rules-'));
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(root, 'dist/apps/cli/src/main.js'), ...args], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, MONGO_DB: RISK_E2E_DB },
      });
    const cliVersion = `e2e-cli-${stamp}`;
    const file = join(dir, 'rules.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...seedJson(),
        version: 'from-file',
        effectiveFrom: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );
    const ok = cli('reference', 'import', 'risk-rules', file, '--version', cliVersion, '--json');
    expect(ok.stderr).toBe('');
    expect(JSON.parse(ok.stdout)).toMatchObject({ version: cliVersion, outcome: 'created' });
    const listed = await httpJson<{ versions: { version: string; source: string }[] }>(
      `${riskUrl}/rulesets`,
    );
    expect(listed.body.versions).toContainEqual(
      expect.objectContaining({ version: cliVersion, source: 'rules.json' }),
    );

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...seedJson(), version: 'x', thresholds: { red: 1 } }));
    const refused = cli('reference', 'import', 'risk-rules', bad);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/\$\.thresholds\.yellow: must be an integer/);
    const old = cli(
      'reference',
      'import',
      'risk-rules',
      file,
      '--effective-from',
      '2026-01-02T00:00:00Z',
    );
    expect(old.status).not.toBe(0);
    expect(old.stderr).toMatch(/past decisions never change/);
  });
});
