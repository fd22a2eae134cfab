import {
  AmendedPayload,
  EVENT_TYPES,
  EventEnvelope,
  nextEvent,
  RiskAssessedPayload,
  TOPICS,
} from '@customs/contracts';
import { RISK_REFERENCE_KINDS } from '@customs/persistence';
import { RiskReferenceService } from '../reference/risk-reference.service';
import {
  acceptedEvent,
  declaration,
  InMemoryReferenceRepository,
  mrnFor,
  rulesetBody,
} from '../testing/risk-app.fixtures';
import { RiskAssessmentService } from './risk-assessment.service';

const RED_RULE = {
  id: 'KNOWN-DECLARANT',
  description: 'Declarant under investigation: physical inspection',
  criteria: { type: 'declarantId', ids: ['NL555555555'] },
  action: { lane: 'red' },
};

describe('RiskAssessmentService', () => {
  const repo = new InMemoryReferenceRepository();
  repo.put(RISK_REFERENCE_KINDS.rules, rulesetBody('rs-red', '2026-06-01T00:00:00Z', [RED_RULE]));
  const service = new RiskAssessmentService(new RiskReferenceService(repo));
  const d = declaration({ declarant: { id: 'NL555555555' } });

  const riskOf = (records: { value: EventEnvelope }[]) =>
    (records[0].value as EventEnvelope<RiskAssessedPayload>).payload.risk;

  it('judges by the ruleset in force at acceptance, not the newest one', async () => {
    const before = await service.assess(acceptedEvent(d, mrnFor(1), '2026-05-31T23:59:59Z'));
    expect(riskOf(before).rulesetVersion).toBe('seed-2026.1');
    expect(riskOf(before).hits.map((h) => h.ruleId)).not.toContain('KNOWN-DECLARANT');

    const after = await service.assess(acceptedEvent(d, mrnFor(1), '2026-06-01T00:00:00Z'));
    expect(after[0]).toMatchObject({ topic: TOPICS.riskAssessed, key: mrnFor(1) });
    const risk = riskOf(after);
    expect(risk).toMatchObject({
      channel: 'red',
      rulesetVersion: 'rs-red',
      traderRegistryVersion: 'seed-traders-2026.1',
    });
    expect(risk.hits).toContainEqual(
      expect.objectContaining({ ruleId: 'KNOWN-DECLARANT', reason: RED_RULE.description }),
    );
  });

  it('gives the same decision for the same event, and summarises it compactly', async () => {
    const event = acceptedEvent(d, mrnFor(2), '2026-07-01T00:00:00Z');
    const a = await service.assess(event);
    const b = await service.assess(event);
    expect(riskOf(b)).toEqual(riskOf(a));
    expect(b[0].value.eventId).toBe(a[0].value.eventId);
    const record = service.recordOf(a)!;
    expect(record).toMatchObject({
      mrn: mrnFor(2),
      lrn: d.lrn,
      eventId: a[0].value.eventId,
      rulesetVersion: 'rs-red',
      channel: 'red',
    });
    expect(record.hits).toEqual(riskOf(a).hits.map((h) => h.ruleId));
    expect(service.recordOf([])).toBeNull();
  });

  it('refuses an event of another type', async () => {
    const event = { ...acceptedEvent(d, mrnFor(3), '2026-07-01T00:00:00Z'), type: 'Other' };
    await expect(service.assess(event)).rejects.toThrow(/expected DeclarationAccepted/);
  });

  it('assesses an amended version by the ruleset in force at the original acceptance, continuing the chain', async () => {
    const accepted = acceptedEvent(d, mrnFor(4), '2026-05-31T23:59:59Z');
    const amendedDeclaration = { ...d, incotermPlace: 'AMENDED' };
    const amended = nextEvent<AmendedPayload>(accepted, {
      type: EVENT_TYPES.amended,
      schemaVersion: 1,
      producer: 'release@test',
      payload: {
        declaration: amendedDeclaration,
        acceptance: accepted.payload.acceptance,
        amendment: {
          version: 2,
          requestEventId: accepted.eventId,
          payloadHash: 'a'.repeat(64),
          previousPayloadHash: 'b'.repeat(64),
        },
      },
      // Amended long after 'rs-red' came into force: the original acceptance still decides.
      occurredAt: '2026-09-01T00:00:00Z',
    });
    const out = await service.assess(amended);
    const event = out[0].value as EventEnvelope<RiskAssessedPayload & AmendedPayload>;
    expect(event).toMatchObject({
      type: EVENT_TYPES.riskAssessed,
      sequence: amended.sequence + 1,
      prevHash: amended.hash,
      causationId: amended.eventId,
    });
    expect(event.payload.risk.rulesetVersion).toBe('seed-2026.1');
    expect(event.payload.declaration.incotermPlace).toBe('AMENDED');
    expect(event.payload.amendment.version).toBe(2);
    // One statistics record per declaration: the amended re-assessment is not counted again.
    expect(service.recordOf(out)).toBeNull();
    expect(service.recordOf(await service.assess(accepted))).not.toBeNull();
    await expect(service.assess({ ...amended, schemaVersion: 2 })).rejects.toThrow(
      /DeclarationAmended schemaVersion 2/,
    );
  });
});
