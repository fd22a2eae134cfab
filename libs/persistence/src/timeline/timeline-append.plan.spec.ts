import { planTimelineAppends, TimelineAppend } from './timeline-append.plan';
import { TimelineEntry } from './timeline.model';

const head = (mrn: string, lrn = `LRN-${mrn}`) => ({
  mrn,
  lrn,
  declarantId: 'GB123',
  borderPost: 'GBDOV',
});
const entry = (eventId: string, sequence: number): TimelineEntry => ({
  eventId,
  type: 'DeclarationRiskAssessed',
  sequence,
  occurredAt: '2024-01-01T00:00:00.000Z',
  producer: 'risk@1',
  topic: 'customs.declaration.risk-assessed.v1',
  summary: { channel: 'green', score: 3 },
});
const add = (mrn: string, eventId: string, sequence: number): TimelineAppend => ({
  head: head(mrn),
  entry: entry(eventId, sequence),
});
const ids = (entries: TimelineEntry[]) => entries.map((e) => e.eventId);

describe('planTimelineAppends', () => {
  it('pushes onto stored timelines and inserts the others, in chunk order', () => {
    const plan = planTimelineAppends(new Map([['A', new Set(['a1', 'a2'])]]), [
      add('A', 'a3', 3),
      add('B', 'b1', 1),
      add('A', 'a4', 4),
      add('B', 'b2', 2),
    ]);
    expect(plan.pushes.map((p) => [p.mrn, ids(p.entries)])).toEqual([['A', ['a3', 'a4']]]);
    expect(plan.inserts.map((i) => [i.head.mrn, ids(i.entries)])).toEqual([['B', ['b1', 'b2']]]);
    expect(plan.inserts[0].head).toEqual(head('B'));
    expect(plan.inserts[0].entries[0]).toEqual(entry('b1', 1));
  });

  it('leaves out events a timeline holds already (a chunk redone after a crash)', () => {
    const plan = planTimelineAppends(new Map([['A', new Set(['a1', 'a2'])]]), [
      add('A', 'a1', 1),
      add('A', 'a2', 2),
    ]);
    expect(plan).toEqual({ inserts: [], pushes: [] });
  });

  it('keeps only the new events of a partly applied chunk', () => {
    const plan = planTimelineAppends(new Map([['A', new Set(['a1'])]]), [
      add('A', 'a1', 1),
      add('A', 'a2', 2),
    ]);
    expect(plan.pushes).toEqual([{ mrn: 'A', entries: [entry('a2', 2)] }]);
  });

  it('adds an event repeated within the chunk once, for new and stored timelines', () => {
    const plan = planTimelineAppends(new Map([['A', new Set<string>()]]), [
      add('A', 'a1', 1),
      add('B', 'b1', 1),
      add('A', 'a1', 1),
      add('B', 'b1', 1),
      add('B', 'b2', 2),
    ]);
    expect(plan.pushes.map((p) => ids(p.entries))).toEqual([['a1']]);
    expect(plan.inserts.map((i) => ids(i.entries))).toEqual([['b1', 'b2']]);
  });

  it('creates a new timeline from the head of its first append', () => {
    const plan = planTimelineAppends(new Map(), [
      { head: head('C', 'FIRST'), entry: entry('c1', 1) },
      { head: head('C', 'LATER'), entry: entry('c2', 2) },
    ]);
    expect(plan.inserts).toHaveLength(1);
    expect(plan.inserts[0].head.lrn).toBe('FIRST');
  });

  it('plans nothing for an empty chunk', () => {
    expect(planTimelineAppends(new Map(), [])).toEqual({ inserts: [], pushes: [] });
  });
});
