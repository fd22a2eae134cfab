import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@customs/contracts';
import { AccountEvent, accountFromOpening, credit, readAccountEvent } from '@customs/domain';
import { BatchItem } from '@customs/messaging';
import { AccountRepository } from '@customs/persistence';
import { requireVersion } from '@customs/platform';

/**
 * The accounts log is consumed in its own consumer group (customs-release-accounts): its
 * keys are account ids, which do not co-partition with the MRN-keyed decision topics, and
 * opening an account never has to wait behind decisions (nor delay them).
 */
export const ACCOUNTS_GROUP = 'accounts';

const refuse = (message: string, code: string): never => {
  throw Object.assign(new Error(message), { retryable: false, code });
};

/**
 * Opens and credits release's accounts from customs.accounts.v1, the only way an account
 * comes to exist for release: an AccountOpened creates it (once: a second opening of the
 * same account changes nothing), an AccountCredited adds to it, once per event id (the
 * ledger's movement ids are event ids, as for release's own debits and credits).
 */
@Controller()
export class AccountEventsHandler {
  private readonly logger = new Logger(AccountEventsHandler.name);

  constructor(private readonly accounts: AccountRepository) {}

  /**
   * A chunk of one partition, in order. Every event is checked before any is applied: a bad
   * one fails the chunk, the transport redoes it record by record, and that one alone is
   * dead-lettered with its problems (what was applied before it is applied once, by id).
   */
  @EventPattern(TOPICS.accounts, { batch: true, group: ACCOUNTS_GROUP })
  async onAccountEvents(@Payload() items: BatchItem[]): Promise<[]> {
    const events = items.map(({ envelope: e, record }) => {
      requireVersion(e, e.type, [1]);
      const read = readAccountEvent(e, record.key);
      if ('problems' in read)
        return refuse(
          `account event ${e.eventId}: ${read.problems.join('; ')}`,
          'INVALID_ACCOUNT_EVENT',
        );
      return read.event;
    });
    for (const event of events) await this.apply(event);
    return [];
  }

  private async apply(event: AccountEvent): Promise<void> {
    const { accountId } = event.payload;
    if (event.type === 'opened') {
      const created = await this.accounts.createIfMissing({
        ...accountFromOpening(event.payload),
        openedBy: event.eventId,
      });
      if (created) return;
      const existing = await this.accounts.get(accountId);
      if (existing?.openedBy !== event.eventId)
        this.logger.warn(
          `account ${accountId} exists already (${existing?.openedBy ? `opened by ${existing.openedBy}` : 'not opened from the log'}): opening ${event.eventId} changes nothing`,
        );
      return;
    }
    const current = await this.accounts.get(accountId);
    if (!current?.openedBy)
      refuse(
        `account ${accountId} has not been opened on ${TOPICS.accounts}: credit ${event.eventId} refused`,
        'ACCOUNT_NOT_OPENED',
      );
    const result = await this.accounts.applyOnce(
      accountId,
      { id: event.eventId, kind: 'credit', amount: event.payload.amount },
      (account) => {
        const r = credit({ ...account, appliedEventIds: [] }, event.payload.amount, event.eventId);
        return r.outcome === 'applied'
          ? { balance: r.account.balance }
          : { refused: r.outcome === 'refused' ? r.error.code : 'already applied' };
      },
    );
    if (result.outcome === 'refused')
      refuse(`credit ${event.eventId} on ${accountId} refused: ${result.reason}`, 'CREDIT_REFUSED');
    if (result.outcome === 'not-found')
      refuse(`account ${accountId} vanished before credit ${event.eventId}`, 'ACCOUNT_NOT_OPENED');
  }
}
