import { AmendedPayload, EVENT_TYPES, nextEvent, TOPICS } from '@customs/contracts';
import { BatchItem } from '@customs/messaging';
import {
  MemoryProcessedEventRepository,
  RiskAssessmentCounts,
  RiskAssessmentRecord,
  RiskAssessmentRecordRepository,
} from '@customs/persistence';
import { RiskReferenceService } from '../reference/risk-reference.service';
import {
  acceptedEvent,
  declaration,
  InMemoryReferenceRepository,
  mrnFor,
} from '../testing/risk-app.fixtures';
import { AcceptedHandler } from './accepted.handler';
import { RiskAssessmentService } from './risk-assessment.service';

/** The repositories' contracts in memory, counting the calls (the round trips in Mongo). */

class MemoryRecords extends RiskAssessmentRecordRepository {
  readonly byMrn = new Map<string, RiskAssessmentRecord>();
  calls: string[] = [];
  async record(r: RiskAssessmentRecord): Promise<'created' | 'exists'> {
    this.calls.push('record');
    if (this.byMrn.has(r.mrn)) return 'exists';
    this.byMrn.set(r.mrn, r);
    return 'created';
  }
  async recordMany(records: RiskAssessmentRecord[]): Promise<void> {
    this.calls.push(`recordMany:${records.length}`);
    for (const r of records) if (!this.byMrn.has(r.mrn)) this.byMrn.set(r.mrn, r);
  }
  async get(mrn: string) {
    return this.byMrn.get(mrn) ?? null;
  }
  async counts(): Promise<RiskAssessmentCounts[]> {
    return [];
  }
}

const item = (envelope: BatchItem['envelope'], offset: number): BatchItem => ({
  envelope,
  record: { topic: TOPICS.accepted, partition: 0, offset: String(offset), key: null, headers: {} },
});

describe('AcceptedHandler', () => {
  it('decides a chunk with two bulk calls of processed inputs and one of statistics records, once per MRN', async () => {
    const processed = new MemoryProcessedEventRepository();
    const records = new MemoryRecords();
    const handler = new AcceptedHandler(
      new RiskAssessmentService(new RiskReferenceService(new InMemoryReferenceRepository())),
      processed,
      records,
    );
    const d = declaration();
    const one = acceptedEvent(d, mrnFor(1), '2026-07-01T00:00:00Z');
    const two = acceptedEvent({ ...d, lrn: 'LRN-RISK-APP-2' }, mrnFor(2), '2026-07-01T00:00:00Z');
    const amended = nextEvent<AmendedPayload>(one, {
      type: EVENT_TYPES.amended,
      schemaVersion: 1,
      producer: 'release@test',
      payload: {
        declaration: { ...d, incotermPlace: 'AMENDED' },
        acceptance: one.payload.acceptance,
        amendment: {
          version: 2,
          requestEventId: one.eventId,
          payloadHash: 'a'.repeat(64),
          previousPayloadHash: 'b'.repeat(64),
        },
      },
    });
    // The copy of `one` at another offset (an upstream re-send) yields nothing.
    const chunk = [item(one, 10), item(two, 11), item(amended, 12), item(one, 13)];
    const outputs = await handler.onAccepted(chunk);
    expect(outputs.map((o) => [o.topic, o.value.causationId])).toEqual([
      [TOPICS.riskAssessed, one.eventId],
      [TOPICS.riskAssessed, two.eventId],
      [TOPICS.riskAssessed, amended.eventId],
    ]);
    expect(processed.calls).toBe(2);
    // The amended version's re-assessment is not counted again.
    expect(records.calls).toEqual(['recordMany:2']);
    expect(records.byMrn.get(mrnFor(1))!.eventId).toBe(outputs[0].value.eventId);
    expect(records.byMrn.get(mrnFor(2))!.eventId).toBe(outputs[1].value.eventId);

    // The same chunk read again (a crash before the commit): the same records, same counts.
    const again = await handler.onAccepted(chunk);
    expect(JSON.stringify(again)).toBe(JSON.stringify(outputs));
    expect(records.byMrn.size).toBe(2);
    expect(records.calls).toEqual(['recordMany:2', 'recordMany:2']);
  });
});
