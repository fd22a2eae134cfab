import {
  ControlResultPayload,
  EVENT_TYPES,
  EventEnvelope,
  HeldPayload,
  PaymentPayload,
  RejectedPayload,
  ReleasedPayload,
  RiskAssessedPayload,
  ValuedPayload,
} from '@customs/contracts';

/** Stages in pipeline order; `stage` is the furthest one reached. */
export type DeclarationStage =
  | 'submitted'
  | 'rejected'
  | 'accepted'
  | 'risk-assessed'
  | 'valued'
  | 'held'
  | 'released'
  | 'refused'
  | 'amended'
  | 'invalidated';

export interface DeclarationStateAt {
  mrn: string | null;
  lrn: string;
  at: string;
  /** Null when the declaration had not been submitted yet at `at`. */
  stage: DeclarationStage | null;
  acceptedAt?: string;
  /** Version of the declaration after amendments (1 = as accepted). */
  version?: number;
  rejection?: { codes: string[] };
  risk?: { channel: string; score: number; rulesetVersion: string; traderRegistryVersion?: string };
  amounts?: {
    currency: string;
    customsValue: string;
    totalDuties: string;
    totalTaxes: string;
    totalToPay: string;
    tariffVersion: string;
    exchangeRatesVersion: string;
  };
  release?: {
    status: 'held' | 'released' | 'refused' | 'invalidated';
    waitingFor?: string[];
    grounds?: string[];
    securedBy?: string;
    decidedBy?: string;
  };
  payments: {
    eventId: string;
    occurredAt: string;
    amount: string;
    currency: string;
    kind: string;
  }[];
  controls: { eventId: string; occurredAt: string; control: string; outcome: string }[];
  events: {
    sequence: number;
    type: string;
    occurredAt: string;
    eventId: string;
    schemaVersion: number;
  }[];
  /** Event types or schema versions this reader does not know, named rather than guessed. */
  unknown: string[];
}

const KNOWN_VERSIONS = [1];

/**
 * A declaration as it stood at instant `at`, from its chain and the payments and control
 * results about it: only what had occurred by then counts (occurredAt <= at).
 */
export function declarationStateAt(
  chain: readonly EventEnvelope[],
  external: readonly EventEnvelope[],
  at: string,
): DeclarationStateAt {
  const t = Date.parse(at);
  const upTo = (e: EventEnvelope) => Date.parse(e.occurredAt) <= t;
  const events = chain.filter(upTo).sort((a, b) => a.sequence - b.sequence);
  const state: DeclarationStateAt = {
    mrn: chain.find((e) => e.mrn)?.mrn ?? null,
    lrn: chain[0]?.lrn ?? '',
    at: new Date(t).toISOString(),
    stage: null,
    payments: [],
    controls: [],
    events: events.map((e) => ({
      sequence: e.sequence,
      type: e.type,
      occurredAt: e.occurredAt,
      eventId: e.eventId,
      schemaVersion: e.schemaVersion,
    })),
    unknown: [],
  };
  for (const e of events) {
    if (!KNOWN_VERSIONS.includes(e.schemaVersion)) {
      state.unknown.push(`${e.type} schemaVersion ${e.schemaVersion} (sequence ${e.sequence})`);
      continue;
    }
    switch (e.type) {
      case EVENT_TYPES.submitted:
        state.stage = 'submitted';
        break;
      case EVENT_TYPES.rejected:
        state.stage = 'rejected';
        state.rejection = { codes: (e.payload as RejectedPayload).reasons.map((r) => r.code) };
        break;
      case EVENT_TYPES.accepted:
        state.stage = 'accepted';
        state.acceptedAt = (e.payload as RiskAssessedPayload).acceptance.acceptedAt;
        break;
      case EVENT_TYPES.riskAssessed: {
        const r = (e.payload as RiskAssessedPayload).risk;
        state.stage = 'risk-assessed';
        state.risk = {
          channel: r.channel,
          score: r.score,
          rulesetVersion: r.rulesetVersion,
          traderRegistryVersion: r.traderRegistryVersion,
        };
        break;
      }
      case EVENT_TYPES.valued: {
        const v = (e.payload as ValuedPayload).valuation;
        state.stage = 'valued';
        state.amounts = {
          currency: v.currency,
          customsValue: v.customsValue,
          totalDuties: v.totalDuties,
          totalTaxes: v.totalTaxes,
          totalToPay: v.totalToPay,
          tariffVersion: v.versions.tariff,
          exchangeRatesVersion: v.versions.exchangeRates,
        };
        break;
      }
      case EVENT_TYPES.held: {
        const r = (e.payload as HeldPayload).release;
        state.stage = 'held';
        state.release = { status: 'held', waitingFor: r.waitingFor };
        break;
      }
      case EVENT_TYPES.released: {
        const r = (e.payload as ReleasedPayload).release;
        state.stage = r.status;
        state.release = {
          status: r.status,
          grounds: r.grounds,
          securedBy: r.securedBy,
          decidedBy: r.decidedBy,
        };
        break;
      }
      case 'DeclarationAmended': {
        const a = (e.payload as { amendment?: { version?: number } }).amendment;
        state.stage = 'amended';
        state.version = a?.version;
        // The new version is assessed and valued afresh: earlier results no longer stand.
        delete state.risk;
        delete state.amounts;
        delete state.release;
        break;
      }
      case 'DeclarationInvalidated': {
        const r = (e.payload as { release?: { grounds?: string[] } }).release;
        state.stage = 'invalidated';
        state.release = { status: 'invalidated', grounds: r?.grounds };
        break;
      }
      default:
        state.unknown.push(`event type ${e.type} (sequence ${e.sequence})`);
    }
  }
  for (const x of [...external].filter(upTo).sort(byTime)) {
    if (x.type === EVENT_TYPES.payment) {
      const p = x.payload as PaymentPayload;
      state.payments.push({
        eventId: x.eventId,
        occurredAt: x.occurredAt,
        amount: p.amount,
        currency: p.currency,
        kind: p.kind,
      });
    } else if (x.type === EVENT_TYPES.controlResult) {
      const c = x.payload as ControlResultPayload;
      state.controls.push({
        eventId: x.eventId,
        occurredAt: x.occurredAt,
        control: c.control,
        outcome: c.outcome,
      });
    }
  }
  return state;
}

const byTime = (a: EventEnvelope, b: EventEnvelope) =>
  Date.parse(a.occurredAt) - Date.parse(b.occurredAt);
