import { Injectable } from '@nestjs/common';
import {
  AcceptedPayload,
  AmendedPayload,
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

  /**
   * A DeclarationAccepted, or a DeclarationAmended that release appended on the same topic:
   * its payload is an AcceptedPayload of the new version (plus `amendment`, which passes
   * along to valuation and release) with the ORIGINAL acceptance, so the new version is
   * judged by the ruleset and registry in force at the original acceptance, and the random
   * draw (HMAC of the MRN) is the same. Either way the chain continues from the input.
   */
  async assess(event: EventEnvelope): Promise<OutgoingRecord[]> {
    if (event.type === EVENT_TYPES.amended) requireVersion(event, EVENT_TYPES.amended, [1]);
    else requireVersion(event, EVENT_TYPES.accepted, [1]);
    const accepted = event as EventEnvelope<AcceptedPayload | AmendedPayload>;
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

  /**
   * The compact statistics record of the decision among `outputs` (the records published).
   * Statistics count declarations: one record per MRN, its first assessment (the lane it
   * was selected for when lodged), which is what the selection rates are about. The
   * re-assessment of an amended version is on the log (its risk-assessed event carries
   * `amendment.version`) but is not counted again: it would count one declaration twice
   * and skew the lane rates towards amended declarations. So no record for it.
   */
  recordOf(outputs: OutgoingRecord[]): RiskAssessmentRecord | null {
    const out = outputs.find((o) => o.topic === TOPICS.riskAssessed);
    if (!out) return null;
    const event = out.value as EventEnvelope<RiskAssessedPayload>;
    if ((event.payload as Partial<AmendedPayload>).amendment) return null;
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
