import { ForbiddenException } from '@nestjs/common';
import { NotificationRecipientKind } from '@customs/contracts';
import { NotificationRepository, StoredNotification } from '@customs/persistence';
import { Identity } from '@customs/platform';
import { NotificationsController } from './notifications.controller';

class MemoryNotifications extends NotificationRepository {
  constructor(readonly rows: StoredNotification[]) {
    super();
  }
  record(): Promise<boolean> {
    return Promise.resolve(true);
  }
  recordMany(): Promise<Set<string>> {
    return Promise.resolve(new Set());
  }
  list(recipient: string, after: number, limit: number): Promise<StoredNotification[]> {
    return Promise.resolve(
      this.rows.filter((r) => r.recipient === recipient && r.cursor > after).slice(0, limit),
    );
  }
}

const row = (
  cursor: number,
  recipient: string,
  kind?: NotificationRecipientKind,
  declarantId = 'NL123456789',
): StoredNotification => ({
  eventId: `e${cursor}`,
  recipient,
  cursor,
  partition: 0,
  code: '09',
  mrn: 'MRN',
  lrn: 'L',
  envelope: {
    occurredAt: '2026-01-01T00:00:00Z',
    producer: 'release',
    payload: {
      code: '09',
      text: 't',
      recipient,
      ...(kind ? { recipientKind: kind } : {}),
      declarantId,
      borderPost: 'NL-RTM',
      mrn: 'MRN',
      lrn: 'L',
      aboutEventId: 'a',
    },
  },
});

const post: Identity = { sub: 'bp', roles: ['border-post'], borderPost: 'NL-RTM' };
const officer: Identity = { sub: 'o', roles: ['officer'] };

describe('GET /notifications (typed recipients)', () => {
  // A feed id that is both a border post's and (by accident) a declarant's.
  const controller = new NotificationsController(
    new MemoryNotifications([
      row(1, 'NL-RTM', 'border-post'),
      row(2, 'NL-RTM', 'declarant', 'NL-RTM'),
      row(3, 'NL-RTM', 'declarant'),
      row(4, 'NL-RTM'), // written before kinds were recorded
    ]),
  );

  it('gives a border post its border-post notifications, and the cursor past what it skipped', async () => {
    const page = await controller.list(post, { recipient: 'NL-RTM', limit: 3 });
    expect(page.kind).toBe('border-post');
    // 3 is a declarant's; 2 too, but declarant and border post are one party there.
    expect(page.items.map((i) => i.cursor)).toEqual([1, 2]);
    expect(page.nextCursor).toBe(3);
    const rest = await controller.list(post, { recipient: 'NL-RTM', after: 3 });
    expect(rest.items.map((i) => i.cursor)).toEqual([4]);
  });

  it('refuses a border post its own id read as a declarant', async () => {
    await expect(
      controller.list(post, { recipient: 'NL-RTM', kind: 'declarant' }),
    ).rejects.toBeInstanceOf(ForbiddenException);
  });

  it('gives an officer every kind unless one is asked for', async () => {
    const all = await controller.list(officer, { recipient: 'NL-RTM' });
    expect(all.items.map((i) => i.cursor)).toEqual([1, 2, 3, 4]);
    const declarants = await controller.list(officer, { recipient: 'NL-RTM', kind: 'declarant' });
    expect(declarants.items.map((i) => [i.cursor, i.recipientKind])).toEqual([
      [2, 'declarant'],
      [3, 'declarant'],
      [4, undefined],
    ]);
  });
});
