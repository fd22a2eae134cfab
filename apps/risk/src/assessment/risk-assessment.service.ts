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
import { assessRisk, Ruleset, selectRuleset, TraderRegistry } from '@customs/domain';
import { OutgoingRecord } from '@customs/messaging';
import { producerName, requireVersion } from '@customs/platform';
import { loadSeedRuleset, loadSeedTraderRegistry } from '@customs/reference-data';

const PRODUCER = producerName('risk');

/** Selectivity: the ruleset in force at acceptance decides the lane; the version is recorded. */
@Injectable()
export class RiskAssessmentService {
  private readonly rulesets: Ruleset[] = [loadSeedRuleset()];
  private readonly traders: TraderRegistry = loadSeedTraderRegistry();

  assess(event: EventEnvelope): OutgoingRecord[] {
    requireVersion(event, EVENT_TYPES.accepted, [1]);
    const accepted = event as EventEnvelope<AcceptedPayload>;
    const { declaration, acceptance } = accepted.payload;
    const ruleset = selectRuleset(this.rulesets, acceptance.acceptedAt);
    const risk = assessRisk(
      { declaration, mrn: acceptance.mrn, acceptedAt: acceptance.acceptedAt },
      ruleset,
      this.traders,
    );
    const assessed = nextEvent<RiskAssessedPayload>(accepted, {
      type: EVENT_TYPES.riskAssessed,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      producer: PRODUCER,
      payload: { ...accepted.payload, risk },
    });
    return [{ topic: TOPICS.riskAssessed, key: acceptance.mrn, value: assessed }];
  }
}
