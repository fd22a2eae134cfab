import { Inject, Injectable } from '@nestjs/common';
import { ServiceConfig } from '@customs/config';
import {
  CURRENT_SCHEMA_VERSION,
  EVENT_TYPES,
  EventEnvelope,
  nextEvent,
  RiskAssessedPayload,
  TOPICS,
  ValuedPayload,
} from '@customs/contracts';
import { assessValuation } from '@customs/domain';
import { OutgoingRecord } from '@customs/messaging';
import { producerName, requireVersion, SERVICE_CONFIG } from '@customs/platform';
import { ValuationReferenceResolver } from '../reference/valuation-reference.resolver';

const PRODUCER = producerName('valuation');

/**
 * Customs value, duties and taxes by the reference data in force at acceptance: for each
 * part (tariff, exchange rates, preferences, VAT, excise, reference prices) the version
 * whose effective date is the latest not after the acceptance instant, seed or imported.
 * The valued event records those versions, so a replay re-derives the same figures.
 */
@Injectable()
export class ValuationService {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly reference: ValuationReferenceResolver,
  ) {}

  async value(event: EventEnvelope): Promise<OutgoingRecord[]> {
    requireVersion(event, EVENT_TYPES.riskAssessed, [1]);
    const assessed = event as EventEnvelope<RiskAssessedPayload>;
    const { declaration, acceptance } = assessed.payload;
    const bundle = await this.reference.at(acceptance.acceptedAt);
    const valuation = assessValuation(
      { declaration, acceptedAt: acceptance.acceptedAt },
      bundle.data,
      {
        basis: this.config.VALUATION_BASIS,
        nationalCurrency: this.config.NATIONAL_CURRENCY,
      },
    );
    const valued = nextEvent<ValuedPayload>(assessed, {
      type: EVENT_TYPES.valued,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      producer: PRODUCER,
      payload: { ...assessed.payload, valuation },
    });
    return [{ topic: TOPICS.valued, key: acceptance.mrn, value: valued }];
  }
}
