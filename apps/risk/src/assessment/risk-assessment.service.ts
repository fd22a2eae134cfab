import { Injectable } from '@nestjs/common';
import {
  AcceptedPayload,
  CURRENT_SCHEMA_VERSION,
  EVENT_TYPES,
  EventEnvelope,
  nextEvent,
  RiskAssessedPayload,
  TOPICS,
} from '@customs/contracts';
import { assessRisk, selectRuleset, selectTraderRegistry } from '@customs/domain';
import { OutgoingRecord } from '@customs/messaging';
import { RiskAssessmentRecord } from '@customs/persistence';
import { producerName, requireVersion } from '@customs/platform';
import { RiskReferenceService } from '../reference/risk-reference.service';

const PRODUCER = producerName('risk');

/**
 * Selectivity: the ruleset and trader registry in force at acceptance decide the lane; the
 * versions are recorded in the event, so a replay re-derives the same decision.
 */
@Injectable()
export class RiskAssessmentService {
  constructor(private readonly reference: RiskReferenceService) {}

  async assess(event: EventEnvelope): Promise<OutgoingRecord[]> {
    requireVersion(event, EVENT_TYPES.accepted, [1]);
    const accepted = event as EventEnvelope<AcceptedPayload>;
    const { declaration, acceptance } = accepted.payload;
    const { rulesets, registries } = await this.reference.versionsFor(acceptance.acceptedAt);
    const risk = assessRisk(
      { declaration, mrn: acceptance.mrn, acceptedAt: acceptance.acceptedAt },
      selectRuleset(rulesets, acceptance.acceptedAt),
      selectTraderRegistry(registries, acceptance.acceptedAt),
    );
    const assessed = nextEvent<RiskAssessedPayload>(accepted, {
      type: EVENT_TYPES.riskAssessed,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      producer: PRODUCER,
      payload: { ...accepted.payload, risk },
    });
    return [{ topic: TOPICS.riskAssessed, key: acceptance.mrn, value: assessed }];
  }

  /** The compact statistics record of the decision among `outputs` (the records published). */
  recordOf(outputs: OutgoingRecord[]): RiskAssessmentRecord | null {
    const out = outputs.find((o) => o.topic === TOPICS.riskAssessed);
    if (!out) return null;
    const event = out.value as EventEnvelope<RiskAssessedPayload>;
    const { risk, acceptance, declaration } = event.payload;
    return {
      mrn: acceptance.mrn,
      lrn: declaration.lrn,
      eventId: event.eventId,
      acceptedAt: acceptance.acceptedAt,
      rulesetVersion: risk.rulesetVersion,
      traderRegistryVersion: risk.traderRegistryVersion ?? null,
      channel: risk.channel,
      ruleChannel: risk.ruleChannel ?? null,
      score: risk.score,
      hits: risk.hits.map((h) => h.ruleId),
      notSelected: risk.hits.filter((h) => h.selected === false).map((h) => h.ruleId),
    };
  }
}
