import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EVENT_TYPES, NotificationPayload, TOPICS } from '@customs/contracts';
import { BatchItem } from '@customs/messaging';
import { NotificationRepository, StoredNotification } from '@customs/persistence';
import { requireVersion } from '@customs/platform';

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * Keeps every notification on `customs.notifications.v1` (intake's and release's own) for
 * its recipient to fetch over HTTP. The feed position is the record's offset + 1: the topic
 * is keyed by recipient, so all of a recipient's notifications are on one partition, in
 * publication order, and the offset only grows (a change of the partition count would move
 * recipients and break that; the topic contract fixes the count per deployment). Stored
 * once per event id, so redelivery or a republished notification changes nothing.
 */

/**
 * The notifications feed is a read model: its own consumer group
 * (customs-release-notifications, see main.ts), so storing the feed never delays decisions.
 */
export const NOTIFICATIONS_GROUP = 'notifications';

@Controller()
export class NotificationsHandler {
  private readonly logger = new Logger(NotificationsHandler.name);

  constructor(private readonly notifications: NotificationRepository) {}

  /**
   * A chunk at a time, in one insert. Every notification is checked before anything is
   * stored: an invalid one fails the chunk, which the transport then redoes record by record
   * (the valid ones stored once each, the invalid one dead-lettered).
   */
  @EventPattern(TOPICS.notifications, { batch: true, group: NOTIFICATIONS_GROUP })
  async onNotifications(@Payload() items: BatchItem[]): Promise<[]> {
    const rows = items.map((i) => this.stored(i));
    // A copy of a notification within the chunk (or stored before) keeps its first cursor.
    await this.notifications.recordMany(rows);
    return [];
  }

  private stored({ envelope: e, record }: BatchItem): StoredNotification {
    requireVersion(e, EVENT_TYPES.notification, [1]);
    const p = e.payload as NotificationPayload | undefined;
    if (!nonEmpty(p?.recipient) || !nonEmpty(p.code)) {
      throw Object.assign(new Error(`notification ${e.eventId} has no recipient or no code`), {
        retryable: false,
        code: 'INVALID_NOTIFICATION',
      });
    }
    const { key, partition, offset } = record;
    if (key !== p.recipient) {
      // Still kept (it is a real notification), but its cursor may sort out of order.
      this.logger.warn(
        `notification ${e.eventId} keyed '${String(key)}' for recipient '${p.recipient}': producers must key by recipient`,
      );
    }
    return {
      eventId: e.eventId,
      recipient: p.recipient,
      cursor: Number(offset) + 1,
      partition,
      code: p.code,
      mrn: e.mrn,
      lrn: e.lrn,
      envelope: e,
    };
  }
}
