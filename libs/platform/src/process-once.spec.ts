import { firstEvent } from '@customs/contracts';
import { OutgoingRecord } from '@customs/messaging';
import { MemoryProcessedEventRepository } from '@customs/persistence';
import { processBatchOnce, processOnce } from './process-once';

const out = (n: number): OutgoingRecord[] => [
  {
    topic: 't',
    key: 'k',
    value: firstEvent({
      type: 'X',
      schemaVersion: 1,
      lrn: `L${n}`,
      producer: 'p@1',
      payload: { n },
    }),
  },
];

describe('processOnce', () => {
  it('decides once and gives the same records back when the same record is read again', async () => {
    const repo = new MemoryProcessedEventRepository();
    let calls = 0;
    const decide = () => {
      calls++;
      return out(calls);
    };
    const first = await processOnce(repo, 'e1', decide, 'in:0:5');
    const again = await processOnce(repo, 'e1', decide, 'in:0:5');
    expect(calls).toBe(1);
    expect(again).toEqual(first);
  });

  it('publishes nothing for a second copy of the input at another offset', async () => {
    const repo = new MemoryProcessedEventRepository();
    await processOnce(repo, 'e1', () => out(1), 'in:0:5');
    expect(await processOnce(repo, 'e1', () => out(2), 'in:0:9')).toEqual([]);
  });

  it('replays stored records when the source is unknown (records kept before sources were)', async () => {
    const repo = new MemoryProcessedEventRepository();
    const first = out(1);
    await processOnce(repo, 'e1', () => first, null);
    expect(await processOnce(repo, 'e1', () => out(2), 'in:0:9')).toEqual(first);
  });

  it('returns the winner of a race between two replicas', async () => {
    // The other replica records between our lookup and our write.
    const winner = out(7);
    let lookups = 0;
    const racing = new MemoryProcessedEventRepository();
    racing.find = async (id: string) => (lookups++ === 0 ? null : (racing.rows.get(id) ?? null));
    racing.rows.set('e1', { outputs: winner, source: 'in:0:5' });
    expect(await processOnce(racing, 'e1', () => out(1), 'in:0:5')).toEqual(winner);
  });
});

describe('processBatchOnce', () => {
  it('decides only the inputs not seen before, in one call, and keeps the guarantees of processOnce', async () => {
    const repo = new MemoryProcessedEventRepository();
    const seenBefore = out(0);
    await processOnce(repo, 'a', () => seenBefore, 'in:0:1');
    const decidedFor: string[][] = [];
    const items = [
      { inputId: 'a', source: 'in:0:1' }, // the same record read again: its stored outputs
      { inputId: 'b', source: 'in:0:2' },
      { inputId: 'b', source: 'in:0:3' }, // a re-sent copy in the same chunk: nothing
      { inputId: 'c', source: 'in:0:4' },
    ];
    const fresh = new Map([
      ['b', out(2)],
      ['c', out(3)],
    ]);
    const result = await processBatchOnce(repo, items, (f) => {
      decidedFor.push(f.map((i) => i.inputId));
      return new Map(f.map((i) => [i.inputId, fresh.get(i.inputId)!]));
    });
    expect(decidedFor).toEqual([['b', 'c']]);
    expect(result).toEqual([...seenBefore, ...fresh.get('b')!, ...fresh.get('c')!]);
    // Next time the same chunk is read again: the same records, nothing decided.
    const again = await processBatchOnce(repo, items, () => {
      throw new Error('must not decide again');
    });
    expect(again).toEqual(result);
  });
});
