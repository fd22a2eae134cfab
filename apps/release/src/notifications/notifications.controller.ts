import { Controller, Get, Query } from '@nestjs/common';
import { EventEnvelope, NotificationPayload } from '@customs/contracts';
import { NotificationRepository } from '@customs/persistence';
import { CurrentIdentity, Identity, requireReadFeed, Roles } from '@customs/platform';
import { NotificationsQueryDto } from './notifications-query.dto';

const DEFAULT_LIMIT = 100;

/**
 * Border posts and declarants fetch their notifications (intake's accepted/rejected and
 * release's holds, releases and refusals) after a cursor, and may re-read from 0 at any
 * time: the same cursor always gives the same notifications in the same order.
 *
 * A border post reads its own feed, a declarant its own; officers, auditors and admins any.
 */
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationRepository) {}

  @Get()
  @Roles('border-post', 'declarant', 'officer', 'auditor', 'admin')
  async list(@CurrentIdentity() identity: Identity, @Query() q: NotificationsQueryDto) {
    requireReadFeed(identity, q.recipient);
    const after = q.after ?? 0;
    const stored = await this.notifications.list(q.recipient, after, q.limit ?? DEFAULT_LIMIT);
    const items = stored.map((n) => {
      const envelope = n.envelope as EventEnvelope<NotificationPayload>;
      return {
        cursor: n.cursor,
        eventId: n.eventId,
        code: n.code,
        text: envelope.payload.text,
        mrn: n.mrn,
        lrn: n.lrn,
        aboutEventId: envelope.payload.aboutEventId,
        occurredAt: envelope.occurredAt,
        producer: envelope.producer,
        // The whole envelope, so the reader can recompute its hash.
        envelope,
      };
    });
    return {
      recipient: q.recipient,
      items,
      nextCursor: items.length > 0 ? items[items.length - 1].cursor : after,
    };
  }
}
