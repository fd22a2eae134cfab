import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { CHANNELS } from '../events/risk-result';
import '../declaration/declaration.dto';

type Schema = Record<string, unknown>;

// class-transformer keeps @Type metadata in a storage it exports only from its CommonJS build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: MetadataStorage;
};

const decimal = {
  type: 'string',
  pattern: '^-?(0|[1-9]\\d*)(\\.\\d+)?$',
  description: 'decimal number as a string',
};
const str = { type: 'string' };
const uuid = { type: 'string', format: 'uuid' };
const hex64 = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const obj = (
  properties: Record<string, unknown>,
  required: string[] = Object.keys(properties),
) => ({ type: 'object', properties, required });

/**
 * JSON Schemas of the wire contracts. The declaration's come from the class-validator DTOs
 * themselves (so they cannot drift); the stage results are written here and checked
 * against events the real engines produce (asyncapi.spec.ts).
 */
export function contractSchemas(): Record<string, Schema> {
  const dtoSchemas = validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    // Nested types come from class-transformer's @Type, as in validation itself.
    classTransformerMetadataStorage: defaultMetadataStorage,
  }) as Record<string, Schema>;
  const declarationSchemas = Object.fromEntries(
    Object.entries(dtoSchemas).filter(([name]) =>
      [
        'DeclarationDto',
        'DeclarationItemDto',
        'PartyDto',
        'CostsDto',
        'DocumentReferenceDto',
        'ProofOfOriginDto',
      ].includes(name),
    ),
  );
  return {
    ...declarationSchemas,
    EventEnvelope: {
      ...obj({
        eventId: uuid,
        type: str,
        schemaVersion: { type: 'integer', minimum: 1 },
        mrn: { type: ['string', 'null'] },
        lrn: str,
        sequence: { type: 'integer', minimum: 1 },
        occurredAt: { type: 'string', format: 'date-time' },
        producer: str,
        correlationId: uuid,
        causationId: { anyOf: [uuid, { type: 'null' }] },
        prevHash: { anyOf: [hex64, { type: 'null' }] },
        hash: hex64,
        payload: { type: 'object' },
      }),
      additionalProperties: false,
      description:
        'hash = SHA-256 (hex) of the RFC 8785 canonical JSON of the envelope without `hash`',
    },
    RejectionReason: obj({ code: str, path: str, message: str }),
    Acceptance: obj({
      mrn: str,
      acceptedAt: { type: 'string', format: 'date-time' },
      referenceData: obj({ nomenclature: str }),
    }),
    RiskResult: obj({
      channel: { enum: [...CHANNELS] },
      score: { type: 'number' },
      hits: { type: 'array', items: obj({ ruleId: str, reason: str }) },
      randomDraw: decimal,
      rulesetVersion: str,
    }),
    DutyLine: obj({
      type: { enum: ['customs-duty', 'vat', 'excise'] },
      expression: str,
      base: decimal,
      rate: str,
      amount: decimal,
    }),
    ItemAssessment: obj({
      itemNumber: { type: 'integer' },
      commodityCode: str,
      customsValue: decimal,
      duties: { type: 'array', items: ref('DutyLine') },
    }),
    ValuationResult: obj({
      currency: str,
      method: { type: 'integer' },
      exchangeRate: obj({ from: str, to: str, rate: decimal, version: str }),
      customsValue: decimal,
      totalDuties: decimal,
      totalTaxes: decimal,
      totalToPay: decimal,
      items: { type: 'array', items: ref('ItemAssessment') },
      alerts: { type: 'array', items: obj({ code: str, message: str }) },
      versions: obj({ tariff: str, exchangeRates: str }),
    }),
    HeldRelease: obj({
      status: { const: 'held' },
      waitingFor: {
        type: 'array',
        items: {
          enum: ['payment', 'documentary-check', 'physical-inspection', 'officer-decision'],
        },
      },
      postClearanceAudit: { type: 'boolean' },
    }),
    ReleaseDecision: obj({
      status: { enum: ['released', 'refused'] },
      grounds: { type: 'array', items: str },
      postClearanceAudit: { type: 'boolean' },
    }),
    DeclarationSubmittedPayload: obj(
      {
        declaration: ref('DeclarationDto'),
        channel: { enum: ['http', 'kafka'] },
        submittedBy: { ...str, description: 'HTTP: the authenticated caller (token subject)' },
      },
      ['declaration', 'channel'],
    ),
    DeclarationAcceptedPayload: obj(
      {
        declaration: ref('DeclarationDto'),
        acceptance: ref('Acceptance'),
        submittedBy: {
          ...str,
          description:
            'who is accountable: the signing border post (bp-<POST>) or svc-intake:<token subject>',
        },
      },
      ['declaration', 'acceptance'],
    ),
    DeclarationRejectedPayload: obj({
      submission: {},
      reasons: { type: 'array', items: ref('RejectionReason'), minItems: 1 },
    }),
    DeclarationRiskAssessedPayload: obj({
      declaration: ref('DeclarationDto'),
      acceptance: ref('Acceptance'),
      risk: ref('RiskResult'),
    }),
    DeclarationValuedPayload: obj({
      declaration: ref('DeclarationDto'),
      acceptance: ref('Acceptance'),
      risk: ref('RiskResult'),
      valuation: ref('ValuationResult'),
    }),
    DeclarationHeldPayload: obj({
      declaration: ref('DeclarationDto'),
      acceptance: ref('Acceptance'),
      risk: ref('RiskResult'),
      valuation: ref('ValuationResult'),
      release: ref('HeldRelease'),
    }),
    DeclarationReleasedPayload: obj({
      declaration: ref('DeclarationDto'),
      acceptance: ref('Acceptance'),
      risk: ref('RiskResult'),
      valuation: ref('ValuationResult'),
      release: ref('ReleaseDecision'),
    }),
    PaymentReceivedPayload: obj({
      amount: decimal,
      currency: { type: 'string', pattern: '^[A-Z]{3}$' },
      kind: { enum: ['payment', 'guarantee'] },
      reference: str,
    }),
    ControlResultRecordedPayload: obj(
      {
        control: { enum: ['documentary-check', 'physical-inspection'] },
        outcome: { enum: ['conform', 'not-conform'] },
        findings: str,
        officerId: str,
      },
      ['control', 'outcome', 'officerId'],
    ),
    OfficerDecisionRecordedPayload: obj({
      decision: { enum: ['release', 'refuse'] },
      grounds: { type: 'array', items: str },
      officerId: str,
    }),
    DeclarationAmendmentRequestedPayload: obj({
      amendment: obj({
        version: { type: 'integer', minimum: 2 },
        declaration: ref('DeclarationDto'),
        payloadHash: hex64,
        previousPayloadHash: hex64,
        referenceData: obj({ nomenclature: str }),
        requestedAt: { type: 'string', format: 'date-time' },
      }),
    }),
    DeclarationInvalidationRequestedPayload: obj({
      invalidation: obj({
        version: { type: 'integer', minimum: 1 },
        reason: str,
        requestedBy: str,
        requestedAt: { type: 'string', format: 'date-time' },
      }),
    }),
    DeclarationAmendedPayload: obj({
      declaration: ref('DeclarationDto'),
      acceptance: ref('Acceptance'),
      amendment: obj({
        version: { type: 'integer', minimum: 2 },
        requestEventId: uuid,
        payloadHash: hex64,
        previousPayloadHash: hex64,
      }),
    }),
    DeclarationInvalidatedPayload: obj({
      declaration: ref('DeclarationDto'),
      acceptance: ref('Acceptance'),
      invalidation: obj({
        version: { type: 'integer', minimum: 1 },
        reason: str,
        requestedBy: str,
        requestEventId: uuid,
      }),
      release: obj({ status: { const: 'invalidated' }, grounds: { type: 'array', items: str } }),
    }),
    NotificationIssuedPayload: obj(
      {
        code: { type: 'string', pattern: '^\\d{2}$' },
        text: str,
        recipient: str,
        // Optional: notifications written before it was added do not carry it.
        recipientKind: { enum: ['declarant', 'border-post'] },
        declarantId: str,
        borderPost: str,
        mrn: { type: ['string', 'null'] },
        lrn: str,
        aboutEventId: uuid,
      },
      ['code', 'text', 'recipient', 'declarantId', 'borderPost', 'mrn', 'lrn', 'aboutEventId'],
    ),
    AccountOpenedPayload: obj({
      accountId: str,
      holder: str,
      kind: { enum: ['guarantee', 'deferment'] },
      currency: { type: 'string', pattern: '^[A-Z]{3}$' },
      openingBalance: decimal,
      authorisedDeclarants: { type: 'array', items: str },
    }),
    AccountCreditedPayload: obj({ accountId: str, amount: decimal, reference: str }),
  };
}
