import { EVENT_TYPES, firstEvent, NotificationPayload, TOPICS } from '@customs/contracts';
import { notificationRecords } from './notifications';

const about = firstEvent({
  type: EVENT_TYPES.submitted,
  schemaVersion: 1,
  lrn: 'LRN-1',
  producer: 'spec',
  payload: {},
});

describe("intake's notifications", () => {
  it('types each recipient and keys the record by its id', () => {
    const records = notificationRecords(
      about,
      { code: '01', text: 'accepted', declarantId: 'NL123456789', borderPost: 'NL-RTM-MAASVLAKTE' },
      'intake@test',
    );
    expect(
      records.map((r) => {
        const p = r.value.payload as NotificationPayload;
        return [r.topic, r.key, p.recipient, p.recipientKind];
      }),
    ).toEqual([
      [TOPICS.notifications, 'NL123456789', 'NL123456789', 'declarant'],
      [TOPICS.notifications, 'NL-RTM-MAASVLAKTE', 'NL-RTM-MAASVLAKTE', 'border-post'],
    ]);
  });

  it('sends one, to the declarant, when declarant and border post are the same party', () => {
    const records = notificationRecords(
      about,
      { code: '01', text: 'accepted', declarantId: 'X1', borderPost: 'X1' },
      'intake@test',
    );
    expect(records.map((r) => (r.value.payload as NotificationPayload).recipientKind)).toEqual([
      'declarant',
    ]);
  });
});
