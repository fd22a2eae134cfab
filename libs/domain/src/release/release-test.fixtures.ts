import { Channel, ValuedPayload } from '@customs/contracts';
import { Account } from './account.model';
import { ReleaseInput } from './release-state.model';

/** Test data for the release specs (not exported from the lib). */
export const MRN = '24FR000000000001A1';
/** The fixtures' declarant, holder of the fixtures' accounts unless a spec says otherwise. */
export const DECLARANT = 'FR123456789000';

export interface ValuedOptions {
  channel?: Channel;
  totalToPay?: string;
  currency?: string;
  alerts?: string[];
  guaranteeReference?: string;
  declarantId?: string;
  borderPost?: string;
}

export function valuedPayload(o: ValuedOptions = {}): ValuedPayload {
  const currency = o.currency ?? 'EUR';
  return {
    declaration: {
      lrn: 'LRN-0001',
      declarationType: 'import',
      procedureCode: '4000',
      declarant: { id: o.declarantId ?? DECLARANT },
      officeOfLodgement: 'FR000010',
      borderPost: o.borderPost ?? 'FR-BP-CALAIS',
      transportMode: '3',
      dispatchCountry: 'CN',
      destinationCountry: 'FR',
      invoiceCurrency: currency,
      invoiceTotal: '1000.00',
      incoterm: 'CIF',
      incotermPlace: 'Calais',
      relatedParty: false,
      valuationMethod: 1,
      ...(o.guaranteeReference ? { guaranteeReference: o.guaranteeReference } : {}),
      items: [
        {
          itemNumber: 1,
          commodityCode: '8471300000',
          description: 'laptops',
          originCountry: 'CN',
          quantity: '10',
          unit: 'NAR',
          netMass: '20',
          grossMass: '25',
          invoiceAmount: '1000.00',
        },
      ],
    },
    acceptance: {
      mrn: MRN,
      acceptedAt: '2024-03-01T10:00:00Z',
      referenceData: { nomenclature: 'hs2022' },
    },
    risk: {
      channel: o.channel ?? 'green',
      score: 0,
      hits: [],
      randomDraw: '0.5',
      rulesetVersion: 'rs-1',
    },
    valuation: {
      currency,
      method: 1,
      exchangeRate: { from: currency, to: currency, rate: '1', version: 'x-1' },
      customsValue: '1000.00',
      totalDuties: '0',
      totalTaxes: o.totalToPay ?? '100.00',
      totalToPay: o.totalToPay ?? '100.00',
      items: [],
      alerts: (o.alerts ?? []).map((code) => ({ code, message: code })),
      versions: { tariff: 't-1', exchangeRates: 'x-1' },
    },
  };
}

export const valued = (eventId: string, o: ValuedOptions = {}): ReleaseInput => ({
  type: 'valued',
  eventId,
  mrn: MRN,
  payload: valuedPayload(o),
});

export const payment = (
  eventId: string,
  amount: string,
  kind: 'payment' | 'guarantee' = 'payment',
  currency = 'EUR',
): ReleaseInput => ({
  type: 'payment',
  eventId,
  mrn: MRN,
  payload: { kind, amount, currency, reference: `ref-${eventId}` },
});

export const control = (
  eventId: string,
  kind: 'documentary-check' | 'physical-inspection',
  outcome: 'conform' | 'not-conform' = 'conform',
  findings?: string,
): ReleaseInput => ({
  type: 'control-result',
  eventId,
  mrn: MRN,
  payload: { control: kind, outcome, officerId: 'OFF-7', ...(findings ? { findings } : {}) },
});

export const officer = (
  eventId: string,
  decision: 'release' | 'refuse',
  grounds: string[] = [],
): ReleaseInput => ({
  type: 'officer-decision',
  eventId,
  mrn: MRN,
  payload: { decision, grounds, officerId: 'OFF-9' },
});

export const account = (
  balance: string,
  kind: Account['kind'] = 'deferment',
  id = 'DAN-7654321',
  currency = 'EUR',
  holder = DECLARANT,
  authorisedDeclarants: string[] = [],
): Account => ({ id, kind, balance, currency, appliedEventIds: [], holder, authorisedDeclarants });

/** A valued event of an amended version (the payload carries `amendment`, passed along by risk and valuation). */
export const valuedVersion = (
  eventId: string,
  version: number,
  o: ValuedOptions & { commodityCode?: string } = {},
): ReleaseInput => {
  const payload = valuedPayload(o);
  if (o.commodityCode) payload.declaration.items[0].commodityCode = o.commodityCode;
  return {
    type: 'valued',
    eventId,
    mrn: MRN,
    payload: { ...payload, amendment: { version } } as ValuedPayload,
  };
};

export const amendment = (
  eventId: string,
  version: number,
  o: { commodityCode?: string; previousPayloadHash?: string; requestedBy?: string } = {},
): ReleaseInput => {
  const declaration = valuedPayload().declaration;
  declaration.items[0].commodityCode = o.commodityCode ?? '8471410000';
  return {
    type: 'amendment-requested',
    eventId,
    mrn: MRN,
    payload: {
      amendment: {
        version,
        declaration,
        payloadHash: `hash-v${version}`,
        previousPayloadHash: o.previousPayloadHash ?? `hash-v${version - 1}`,
        referenceData: { nomenclature: 'hs2022' },
        requestedAt: '2024-03-02T10:00:00Z',
        ...(o.requestedBy ? { requestedBy: o.requestedBy, findings: 'wrong heading' } : {}),
      },
    },
  };
};

export const invalidationRequest = (
  eventId: string,
  version: number,
  reason = 'lodged twice',
): ReleaseInput => ({
  type: 'invalidation-requested',
  eventId,
  mrn: MRN,
  payload: {
    invalidation: {
      version,
      reason,
      requestedBy: 'FR123456789000',
      requestedAt: '2024-03-02T10:00:00Z',
    },
  },
});
