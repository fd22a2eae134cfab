import { AssignerProtocol, PartitionAssigner, PartitionAssigners } from 'kafkajs';

/**
 * Partition p of every subscribed topic goes to the same member (sorted member ids, p mod
 * members). A service's input topics are all keyed by MRN with the same partition count, so
 * one declaration's records sit on one partition number on every topic: with this
 * assignment they reach one replica, which is what keeps one writer per declaration.
 * (kafkajs' round-robin spreads topic-partitions in one sequence: with 4 replicas and 6
 * partitions, valued/3 and control-results/3 would go to different replicas.)
 */
export function coPartitionedAssignment(
  memberIds: readonly string[],
  partitionsByTopic: ReadonlyMap<string, readonly number[]>,
): Map<string, Record<string, number[]>> {
  const members = [...memberIds].sort();
  const out = new Map<string, Record<string, number[]>>(members.map((m) => [m, {}]));
  if (members.length === 0) return out;
  for (const [topic, partitions] of [...partitionsByTopic].sort(([a], [b]) => (a < b ? -1 : 1)))
    for (const p of [...partitions].sort((a, b) => a - b)) {
      const assignment = out.get(members[p % members.length])!;
      (assignment[topic] ??= []).push(p);
    }
  return out;
}

const NAME = 'CoPartitionedAssigner';

export const CoPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: NAME,
  version: 0,
  async assign({ members, topics }) {
    const partitions = new Map(
      topics.map((t) => [t, cluster.findTopicPartitionMetadata(t).map((m) => m.partitionId)]),
    );
    const assignment = coPartitionedAssignment(
      members.map((m) => m.memberId),
      partitions,
    );
    return [...assignment].map(([memberId, a]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 0,
        assignment: a,
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 0,
        topics,
        userData: Buffer.alloc(0),
      }),
    };
  },
});

/** Ours first; round-robin second so a group mid-upgrade (old members) can still agree. */
export const PARTITION_ASSIGNERS = [CoPartitionedAssigner, PartitionAssigners.roundRobin];

/**
 * Runs `work` for one partition number at a time: records of one key sit on the same
 * partition number of every topic, so two topics' batches of that number are one
 * declaration's inputs and must not be handled at once (one writer per declaration).
 */
export class PartitionNumberLocks {
  private readonly tails = new Map<number, Promise<void>>();

  async run<T>(partition: number, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(partition) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = before.then(() => mine);
    this.tails.set(partition, tail);
    await before;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(partition) === tail) this.tails.delete(partition);
    }
  }
}
