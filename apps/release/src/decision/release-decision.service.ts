import { Injectable, Logger } from '@nestjs/common';
import {
  CURRENT_SCHEMA_VERSION,
  EventEnvelope,
  nextEvent,
  TopicName,
  TOPICS,
  ValuedPayload,
} from '@customs/contracts';
import {
  Account,
  AccountMovement,
  applyAccountMovement,
  applyReleaseInput,
  ReleaseInput,
  ReleaseChangeLink,
  ReleaseOutcomeKind,
  ReleaseState,
  ReleaseStep,
  securityDebitEventId,
} from '@customs/domain';
import { OutgoingRecord } from '@customs/messaging';
import { AccountRepository, ReleaseRecord, ReleaseRecordRepository } from '@customs/persistence';
import { notificationRecord, producerName } from '@customs/platform';

const PRODUCER = producerName('release');

/**
 * Where each chain link goes. DeclarationAmended goes on the accepted topic, so that risk
 * assesses the new version (and valuation values it) like any accepted declaration; an
 * invalidation is a final outcome, on the released topic.
 */
const OUTCOME_TOPICS: Record<ReleaseOutcomeKind | ReleaseChangeLink['outcome'], TopicName> = {
  held: TOPICS.held,
  released: TOPICS.released,
  refused: TOPICS.released,
  amended: TOPICS.accepted,
  invalidated: TOPICS.released,
};
/** A record as it comes back from the store, which keeps state, tail and outputs as JSON. */
const asStored = <T>(record: T): T => JSON.parse(JSON.stringify(record)) as T;

/** One input of a chunk: the event, the reducer input it becomes, where it was read. */
export interface ReleaseInputItem {
  event: EventEnvelope;
  input: ReleaseInput;
  /** `topic/partition/offset`, as stored in the outboxes. */
  source?: string;
}

/** Decisions re-taken because a debit lost a race, before the input is retried as a whole. */
const MAX_DECISION_ATTEMPTS = 5;

/**
 * Applies one input to a declaration's release state (the pure reducer decides), turns its
 * decisions into the next links of the declaration's chain and its notifications, moves the
 * accounts, and stores state, chain tail and outputs in one document.
 */
@Injectable()
export class ReleaseDecisionService {
  private readonly logger = new Logger(ReleaseDecisionService.name);

  constructor(
    private readonly records: ReleaseRecordRepository,
    private readonly accounts: AccountRepository,
  ) {}

  /**
   * `source` (`topic/partition/offset` of the input) tells a redelivery of the same record,
   * which gets its outputs again (their transaction may have aborted), from another copy of
   * the same input further on (a payment system or an officer's client retrying), whose
   * outputs were committed with the first copy: republishing them would put a second
   * record of the same chain link on the log.
   */
  apply(event: EventEnvelope, input: ReleaseInput, source?: string): Promise<OutgoingRecord[]> {
    return this.applyMany([{ event, input, source }]);
  }

  /**
   * A chunk of inputs, in order: one read of their records, each input applied to its
   * record as the previous ones left it (so several inputs of one MRN give what they give
   * one by one), one write of the changed records at the end. Nothing is written before
   * every input has been decided: a chunk that fails is redone record by record and finds
   * the records as they were (the account movements made meanwhile are idempotent by id,
   * and the reducer sees its own debit as applied).
   */
  async applyMany(items: readonly ReleaseInputItem[]): Promise<OutgoingRecord[]> {
    if (items.length === 0) return [];
    const stored = await this.records.getMany<ReleaseState>(items.map((i) => i.input.mrn));
    const changed = new Map<string, ReleaseRecord<ReleaseState>>();
    const outputs: OutgoingRecord[] = [];
    for (const { event, input, source } of items) {
      // A record this chunk changed already is taken as the store would give it back, so the
      // next input sees exactly what it would see one by one (JSON drops undefined fields).
      const earlier = changed.get(input.mrn);
      const record = earlier
        ? asStored(earlier)
        : (stored.get(input.mrn) ?? this.emptyRecord(input.mrn));
      const result = await this.decide(record, event, input, source);
      if (result.record) changed.set(input.mrn, result.record);
      outputs.push(...result.outputs);
    }
    await this.records.saveMany([...changed.values()]);
    return outputs;
  }

  /** One input against its record: the outputs, and the record to keep (none if unchanged). */
  private async decide(
    record: ReleaseRecord<ReleaseState>,
    event: EventEnvelope,
    input: ReleaseInput,
    source?: string,
  ): Promise<{ outputs: OutgoingRecord[]; record?: ReleaseRecord<ReleaseState> }> {
    const done = record.outbox.find((o) => o.inputId === input.eventId);
    if (done) {
      const sameRecord = !source || !done.source || done.source === source;
      return { outputs: sameRecord ? (done.outputs as OutgoingRecord[]) : [] };
    }

    // The reducer decides on the balances as read; if a debit then finds the balance gone
    // (another declaration of the trader debited it meanwhile, on another partition or
    // replica), nothing is saved or published yet, so decide again on the balance as it now
    // stands: the declaration is then held for insufficient balance instead.
    let step: ReleaseStep | undefined;
    for (let attempt = 1; !step; attempt++) {
      const context = await this.accountContext(record.state as ReleaseState | undefined, input);
      const candidate = applyReleaseInput(
        (record.state as ReleaseState | null) ?? undefined,
        input,
        context,
      );
      const lostRace = await this.applyMovements(candidate.accountMovements);
      if (!lostRace) step = candidate;
      else if (attempt >= MAX_DECISION_ATTEMPTS)
        throw Object.assign(
          new Error(`release of ${input.mrn}: account balances kept changing under the decision`),
          { retryable: true, code: 'ACCOUNT_CONTENDED' },
        );
    }

    // The tail is the chain's last link as release knows it. A valued event taken as the
    // current valuation (the first, or the one of the amendment release waits for) is the
    // newest link: risk and valuation appended after release's DeclarationAmended.
    const previous = record.state as ReleaseState | null;
    const tookValuation =
      input.type === 'valued' &&
      step.state.valued?.eventId === input.eventId &&
      previous?.valued?.eventId !== input.eventId;
    let tail = tookValuation ? event : ((record.tail as EventEnvelope | null) ?? null);
    const valued = step.state.valued?.payload as ValuedPayload | undefined;
    const outputs: OutgoingRecord[] = [];
    const byDecision = new Map<string, EventEnvelope>();
    // Change links carry their own payload; decisions add `release` to the valued declaration.
    const links = [
      ...(step.changeLinks ?? []).map((l) => ({ ...l, payload: l.payload as object })),
      ...step.decisions.map((d) => ({
        ...d,
        payload: valued && { ...valued, release: d.release },
      })),
    ];
    for (const d of links) {
      if (!tail || !valued)
        throw new Error(`release decided for ${input.mrn} before its valued event`);
      const next = nextEvent(tail, {
        type: d.eventType,
        schemaVersion: CURRENT_SCHEMA_VERSION,
        producer: PRODUCER,
        causationId: d.causationEventId,
        discriminator: d.discriminator,
        payload: d.payload,
      });
      tail = next;
      byDecision.set(d.decisionId, next);
      outputs.push({ topic: OUTCOME_TOPICS[d.outcome], key: input.mrn, value: next });
    }
    for (const n of step.notifications) {
      // A refused change request is reported about the request itself (no link appended).
      const about = n.aboutInput ? event : (byDecision.get(n.decisionId) ?? tail);
      if (!about) continue;
      outputs.push(
        notificationRecord(
          about,
          { ...n.payload, aboutEventId: about.eventId },
          n.discriminator,
          PRODUCER,
        ),
      );
    }

    const declaration = valued?.declaration;
    const next: ReleaseRecord<ReleaseState> = {
      mrn: input.mrn,
      state: step.state,
      tail,
      outbox: [...record.outbox, { inputId: input.eventId, outputs, source: source ?? null }],
      status: step.state.status,
      waitingFor: step.state.waitingFor,
      office: declaration?.officeOfLodgement ?? null,
      borderPost: declaration?.borderPost ?? null,
      declarantId: declaration?.declarant.id ?? null,
    };
    return { outputs, record: next };
  }

  /**
   * Applies the step's movements, each atomic against concurrent writers and idempotent by
   * id (a crash before the record is saved repeats them harmlessly). Returns true when a
   * debit was refused because the balance had changed since the decision read it.
   */
  private async applyMovements(movements: readonly AccountMovement[]): Promise<boolean> {
    for (const m of movements) {
      const result = await this.accounts.applyOnce(
        m.accountId,
        { id: m.eventId, kind: m.kind, amount: m.amount },
        (current) => {
          const r = applyAccountMovement({ ...current, appliedEventIds: [] } as Account, m);
          return r.outcome === 'applied'
            ? { balance: r.account.balance }
            : {
                refused:
                  r.outcome === 'refused'
                    ? `${r.error.code}: ${r.error.message}`
                    : 'already applied',
              };
        },
      );
      if (result.outcome === 'refused') {
        if (m.kind === 'debit' && result.reason.startsWith('INSUFFICIENT_BALANCE')) return true;
        this.logger.warn(`account ${m.accountId}: ${m.kind} ${m.amount} refused: ${result.reason}`);
      } else if (result.outcome === 'not-found') {
        this.logger.warn(`account ${m.accountId} vanished before its ${m.kind} of ${m.amount}`);
      }
    }
    return false;
  }

  private emptyRecord(mrn: string): ReleaseRecord<ReleaseState> {
    return {
      mrn,
      state: null as unknown as ReleaseState,
      tail: null,
      outbox: [],
      status: 'awaiting-valuation',
      waitingFor: [],
      office: null,
      borderPost: null,
      declarantId: null,
    };
  }

  /**
   * The account the declaration names (from this input, or from the stored valued event).
   * Only accounts opened by an AccountOpened event on customs.accounts.v1 count: one the
   * store holds for any other reason is not known to release (the declaration is held with
   * account-not-found and nothing is debited), since the log could not explain its balance.
   */
  private async accountContext(
    state: ReleaseState | undefined,
    input: ReleaseInput,
  ): Promise<{ accounts: Record<string, Account> }> {
    const valued = input.type === 'valued' ? input.payload : state?.valued?.payload;
    const ref = valued?.declaration.guaranteeReference;
    const ids = new Set<string>();
    if (ref) ids.add(ref);
    if (state?.securingAccount) ids.add(state.securingAccount.id);
    const accounts: Record<string, Account> = {};
    // Only our own debit id matters to the decision (was it applied before a crash?).
    const ours = [securityDebitEventId(input.mrn)];
    for (const id of ids) {
      const a = await this.accounts.get(id, ours);
      if (a?.openedBy) accounts[id] = a as Account;
    }
    return { accounts };
  }
}
