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
import { assessValuation, ValuationReferenceData } from '@customs/domain';
import { OutgoingRecord } from '@customs/messaging';
import { producerName, requireVersion, SERVICE_CONFIG } from '@customs/platform';
import { loadSeedValuationReferenceData } from '@customs/reference-data';

const PRODUCER = producerName('valuation');

/** Customs value, duties and taxes at the rates in force at acceptance; versions recorded. */
@Injectable()
export class ValuationService {
  private readonly reference: ValuationReferenceData = loadSeedValuationReferenceData();

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  value(event: EventEnvelope): OutgoingRecord[] {
    requireVersion(event, EVENT_TYPES.riskAssessed, [1]);
    const assessed = event as EventEnvelope<RiskAssessedPayload>;
    const { declaration, acceptance } = assessed.payload;
    const valuation = assessValuation(
      { declaration, acceptedAt: acceptance.acceptedAt },
      this.reference,
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
