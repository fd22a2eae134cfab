import { StoredNotification } from './notification.model';

/** Release's read model of `customs.notifications.v1`, per recipient, re-readable at will. */
export abstract class NotificationRepository {
  /** Stores a notification once per event id; false when it was stored before. */
  abstract record(notification: StoredNotification): Promise<boolean>;
  /**
   * Stores each notification once per event id, in one store round trip; returns the event
   * ids that were stored before (now or by another replica), which are left as they were.
   */
  abstract recordMany(notifications: readonly StoredNotification[]): Promise<Set<string>>;
  /** The recipient's notifications with a cursor above `after`, oldest first. */
  abstract list(recipient: string, after: number, limit: number): Promise<StoredNotification[]>;
}
