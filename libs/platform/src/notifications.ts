import {
  derivedEventId,
  EVENT_TYPES,
  EventEnvelope,
  NotificationPayload,
  NotificationRecipientKind,
  sealEnvelope,
  TOPICS,
} from '@customs/contracts';
import { OutgoingRecord } from '@customs/messaging';

export interface NotificationSpec {
  code: string;
  text: string;
  declarantId: string;
  borderPost: string;
  /** Distinguishes two notifications about the same event. */
  discriminator?: string;
}

/**
 * Notifications for the outside world, one per recipient (the declarant and the border
 * post), keyed by recipient. They are not links of the declaration's chain: each is a
 * self-contained hashed record (sequence 1, no previous hash) whose causationId is the
 * declaration event it reports and whose id derives from it, so a redelivery never
 * notifies twice.
 */
export function notificationRecords(
  about: EventEnvelope,
  spec: NotificationSpec,
  producer: string,
): OutgoingRecord[] {
  // One notification only when declarant and border post are the same party (as a declarant).
  const recipients: { kind: NotificationRecipientKind; id: string }[] = [
    { kind: 'declarant', id: spec.declarantId },
  ];
  if (spec.borderPost !== spec.declarantId)
    recipients.push({ kind: 'border-post', id: spec.borderPost });
  return recipients.map(({ kind, id: recipient }) => {
    const payload: NotificationPayload = {
      code: spec.code,
      text: spec.text,
      recipient,
      recipientKind: kind,
      declarantId: spec.declarantId,
      borderPost: spec.borderPost,
      mrn: about.mrn,
      lrn: about.lrn,
      aboutEventId: about.eventId,
    };
    return notificationRecord(
      about,
      payload,
      `${spec.code}|${recipient}|${spec.discriminator ?? ''}`,
      producer,
    );
  });
}

/** One notification record about a declaration event, its id derived from the event and discriminator. */
export function notificationRecord(
  about: EventEnvelope,
  payload: NotificationPayload,
  discriminator: string,
  producer: string,
): OutgoingRecord {
  const value = sealEnvelope({
    eventId: derivedEventId(about.eventId, EVENT_TYPES.notification, discriminator),
    type: EVENT_TYPES.notification,
    schemaVersion: 1,
    mrn: about.mrn,
    lrn: about.lrn,
    sequence: 1,
    occurredAt: about.occurredAt,
    producer,
    correlationId: about.correlationId,
    causationId: about.eventId,
    prevHash: null,
    payload,
  });
  return { topic: TOPICS.notifications, key: payload.recipient, value };
}
