import { coPartitionedAssignment, PartitionNumberLocks } from './co-partitioned.assigner';

const six = [0, 1, 2, 3, 4, 5];

describe('co-partitioned assignment', () => {
  it('gives partition p of every topic to the same member, for any number of members', () => {
    const topics = new Map([
      ['valued', six],
      ['control-results', six],
      ['payments', six],
    ]);
    for (let n = 1; n <= 7; n++) {
      const members = Array.from({ length: n }, (_, i) => `m-${i}`);
      const assignment = coPartitionedAssignment(members, topics);
      const owner = new Map<string, string>();
      for (const [member, byTopic] of assignment)
        for (const [topic, ps] of Object.entries(byTopic))
          for (const p of ps) {
            expect(owner.has(`${topic}/${p}`)).toBe(false);
            owner.set(`${topic}/${p}`, member);
          }
      expect(owner.size).toBe(18);
      for (const p of six)
        expect(
          new Set(['valued', 'control-results', 'payments'].map((t) => owner.get(`${t}/${p}`)))
            .size,
        ).toBe(1);
    }
  });

  it('spreads partitions evenly and does not depend on the order members join in', () => {
    const topics = new Map([['valued', six]]);
    const a = coPartitionedAssignment(['b', 'a', 'c'], topics);
    const b = coPartitionedAssignment(['c', 'b', 'a'], topics);
    expect([...a]).toEqual([...b]);
    expect(a.get('a')).toEqual({ valued: [0, 3] });
    expect(a.get('c')).toEqual({ valued: [2, 5] });
  });

  it('leaves a member without partitions when there are more members than partitions', () => {
    const a = coPartitionedAssignment(['a', 'b', 'c'], new Map([['t', [0, 1]]]));
    expect(a.get('c')).toEqual({});
  });
});

describe('partition number locks', () => {
  const tick = () => new Promise((r) => setTimeout(r, 5));

  it('runs one batch of a partition number at a time, others in parallel', async () => {
    const locks = new PartitionNumberLocks();
    const log: string[] = [];
    const job = (p: number, name: string) =>
      locks.run(p, async () => {
        log.push(`start ${name}`);
        await tick();
        log.push(`end ${name}`);
      });
    await Promise.all([job(3, 'valued/3'), job(3, 'controls/3'), job(4, 'valued/4')]);
    expect(log.indexOf('end valued/3')).toBeLessThan(log.indexOf('start controls/3'));
    expect(log.indexOf('start valued/4')).toBeLessThan(log.indexOf('end valued/3'));
  });

  it('releases the lock when the work fails', async () => {
    const locks = new PartitionNumberLocks();
    await expect(locks.run(1, async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(locks.run(1, async () => 'next')).resolves.toBe('next');
  });
});
