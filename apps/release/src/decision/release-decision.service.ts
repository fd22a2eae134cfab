import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  CURRENT_SCHEMA_VERSION,
  EventEnvelope,
  nextEvent,
  TOPICS,
  ValuedPayload,
} from '@customs/contracts';
import {
  Account,
  applyReleaseInput,
  credit,
  debit,
  ReleaseInput,
  ReleaseState,
} from '@customs/domain';
import { OutgoingRecord } from '@customs/messaging';
import { AccountRepository, ReleaseRecord, ReleaseRecordRepository } from '@customs/persistence';
import { notificationRecord, producerName } from '@customs/platform';
import { loadSeedAccounts } from '@customs/reference-data';

const PRODUCER = producerName('release');

/**
 * Applies one input to a declaration's release state (the pure reducer decides), turns its
 * decisions into the next links of the declaration's chain and its notifications, moves the
 * accounts, and stores state, chain tail and outputs in one document.
 */
@Injectable()
export class ReleaseDecisionService implements OnModuleInit {
  private readonly logger = new Logger(ReleaseDecisionService.name);

  constructor(
    private readonly records: ReleaseRecordRepository,
    private readonly accounts: AccountRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    // Seed demonstration accounts once; never overwrite a balance that has moved.
    for (const a of loadSeedAccounts().accounts) {
      await this.accounts.createIfMissing({
        id: a.id,
        kind: a.kind,
        balance: a.balance,
        currency: a.currency,
        appliedEventIds: [],
      });
    }
  }

  async apply(event: EventEnvelope, input: ReleaseInput): Promise<OutgoingRecord[]> {
    const record = (await this.records.get<ReleaseState>(input.mrn)) ?? this.emptyRecord(input.mrn);
    const done = record.outbox.find((o) => o.inputId === input.eventId);
    if (done) return done.outputs as OutgoingRecord[];

    const context = await this.accountContext(record.state as ReleaseState | undefined, input);
    const step = applyReleaseInput(
      (record.state as ReleaseState | null) ?? undefined,
      input,
      context,
    );

    // Account movements first: they are idempotent by id, so a crash before the save repeats them harmlessly.
    for (const m of step.accountMovements) {
      const account = await this.accounts.get(m.accountId);
      if (!account) continue;
      const result =
        m.kind === 'debit'
          ? debit(account as Account, m.amount, m.eventId)
          : credit(account as Account, m.amount, m.eventId);
      if (result.outcome === 'applied') await this.accounts.save(result.account);
      else if (result.outcome === 'refused')
        this.logger.warn(
          `account ${m.accountId}: ${m.kind} ${m.amount} refused: ${result.error.message}`,
        );
    }

    let tail = (record.tail as EventEnvelope | null) ?? (input.type === 'valued' ? event : null);
    const valued = step.state.valued?.payload as ValuedPayload | undefined;
    const outputs: OutgoingRecord[] = [];
    const byDecision = new Map<string, EventEnvelope>();
    for (const d of step.decisions) {
      if (!tail || !valued)
        throw new Error(`release decided for ${input.mrn} before its valued event`);
      const next = nextEvent(tail, {
        type: d.eventType,
        schemaVersion: CURRENT_SCHEMA_VERSION,
        producer: PRODUCER,
        causationId: d.causationEventId,
        discriminator: d.discriminator,
        payload: { ...valued, release: d.release },
      });
      tail = next;
      byDecision.set(d.decisionId, next);
      outputs.push({
        topic: d.outcome === 'held' ? TOPICS.held : TOPICS.released,
        key: input.mrn,
        value: next,
      });
    }
    for (const n of step.notifications) {
      const about = byDecision.get(n.decisionId) ?? tail;
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
    await this.records.save<ReleaseState>({
      mrn: input.mrn,
      state: step.state,
      tail: input.type === 'valued' || tail !== record.tail ? tail : record.tail,
      outbox: [...record.outbox, { inputId: input.eventId, outputs }],
      status: step.state.status,
      waitingFor: step.state.waitingFor,
      office: declaration?.officeOfLodgement ?? null,
      borderPost: declaration?.borderPost ?? null,
      declarantId: declaration?.declarant.id ?? null,
    });
    return outputs;
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

  /** The account the declaration names (from this input, or from the stored valued event). */
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
    for (const id of ids) {
      const a = await this.accounts.get(id);
      if (a) accounts[id] = a as Account;
    }
    return { accounts };
  }
}
