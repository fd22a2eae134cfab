import { Controller, Get, Query } from '@nestjs/common';
import { EventEnvelope, NotificationPayload } from '@customs/contracts';
import { NotificationRepository } from '@customs/persistence';
import { CurrentIdentity, feedKind, Identity, requireReadFeed, Roles } from '@customs/platform';
import { NotificationsQueryDto } from './notifications-query.dto';

const DEFAULT_LIMIT = 100;

/**
 * Border posts and declarants fetch their notifications (intake's accepted/rejected and
 * release's holds, releases and refusals) after a cursor, and may re-read from 0 at any
 * time: the same cursor always gives the same notifications in the same order.
 *
 * A border post reads its own feed, a declarant its own; officers, auditors and admins any.
 * Recipients are typed (`kind`: declarant or border-post): a feed read as one kind holds
 * only the notifications addressed to that kind (and those written before the kind was
 * recorded, which carry none).
 */
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationRepository) {}

  @Get()
  @Roles('border-post', 'declarant', 'officer', 'auditor', 'admin')
  async list(@CurrentIdentity() identity: Identity, @Query() q: NotificationsQueryDto) {
    const kind = feedKind(identity, q.kind);
    requireReadFeed(identity, q.recipient, kind);
    const after = q.after ?? 0;
    const stored = await this.notifications.list(q.recipient, after, q.limit ?? DEFAULT_LIMIT);
    const ofKind = stored.filter((n) => {
      const p = (n.envelope as EventEnvelope<NotificationPayload>).payload;
      // One notification only goes out when declarant and border post are the same party.
      const sameParty = p.declarantId === p.borderPost;
      return !kind || !p.recipientKind || p.recipientKind === kind || sameParty;
    });
    const items = ofKind.map((n) => {
      const envelope = n.envelope as EventEnvelope<NotificationPayload>;
      return {
        cursor: n.cursor,
        eventId: n.eventId,
        code: n.code,
        text: envelope.payload.text,
        mrn: n.mrn,
        lrn: n.lrn,
        aboutEventId: envelope.payload.aboutEventId,
        ...(envelope.payload.recipientKind
          ? { recipientKind: envelope.payload.recipientKind }
          : {}),
        occurredAt: envelope.occurredAt,
        producer: envelope.producer,
        // The whole envelope, so the reader can recompute its hash.
        envelope,
      };
    });
    return {
      recipient: q.recipient,
      ...(kind ? { kind } : {}),
      items,
      // Past everything read, including notifications of the other kind left out.
      nextCursor: stored.length > 0 ? stored[stored.length - 1].cursor : after,
    };
  }
}
