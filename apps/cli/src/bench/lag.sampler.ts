import { Admin } from 'kafkajs';

export interface StageGroup {
  stage: string;
  groupId: string;
  /** The topic that feeds the stage's decision (its lag is the stage's backlog). */
  input: string;
  /** Every topic the group consumes. */
  topics: string[];
  /** The service whose replicas run the group, when it is not named like the stage. */
  service?: string;
}

export interface StageLag {
  stage: string;
  /** The service whose replicas' handler times belong to the stage. */
  service: string;
  groupId: string;
  input: string;
  /** Records behind the end of the input topic, at the peak and at the end of the run. */
  maxInputLag: number;
  finalInputLag: number;
  maxTotalLag: number;
  finalTotalLag: number;
}

/**
 * Consumer lag per stage: the group's committed offsets against the topics' end offsets,
 * sampled about once a second. With transactions each commit leaves a control marker, so a
 * caught-up group can show a lag of one per partition: read lags below that as zero.
 */
export class LagSampler {
  readonly series: { t: number; lag: Record<string, number> }[] = [];
  private readonly max = new Map<string, { input: number; total: number }>();
  private readonly last = new Map<string, { input: number; total: number }>();

  constructor(
    private readonly admin: Admin,
    private readonly stages: StageGroup[],
    private readonly t0: number,
  ) {}

  async sample(): Promise<void> {
    const topics = [...new Set(this.stages.flatMap((s) => s.topics))];
    const ends = new Map<string, Map<number, bigint>>();
    for (const topic of topics) {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      ends.set(topic, new Map(offsets.map((o) => [o.partition, BigInt(o.high)])));
    }
    const row: Record<string, number> = {};
    for (const stage of this.stages) {
      const committed = await this.admin.fetchOffsets({
        groupId: stage.groupId,
        topics: stage.topics,
      });
      let input = 0;
      let total = 0;
      for (const t of committed) {
        for (const p of t.partitions) {
          const end = ends.get(t.topic)?.get(p.partition) ?? 0n;
          const at = BigInt(p.offset) < 0n ? 0n : BigInt(p.offset);
          const lag = Number(end > at ? end - at : 0n);
          total += lag;
          if (t.topic === stage.input) input += lag;
        }
      }
      row[stage.stage] = input;
      this.last.set(stage.stage, { input, total });
      const m = this.max.get(stage.stage) ?? { input: 0, total: 0 };
      this.max.set(stage.stage, {
        input: Math.max(m.input, input),
        total: Math.max(m.total, total),
      });
    }
    this.series.push({ t: Math.round((Date.now() - this.t0) / 100) / 10, lag: row });
  }

  summary(): StageLag[] {
    return this.stages.map((s) => ({
      stage: s.stage,
      service: s.service ?? s.stage,
      groupId: s.groupId,
      input: s.input,
      maxInputLag: this.max.get(s.stage)?.input ?? 0,
      finalInputLag: this.last.get(s.stage)?.input ?? 0,
      maxTotalLag: this.max.get(s.stage)?.total ?? 0,
      finalTotalLag: this.last.get(s.stage)?.total ?? 0,
    }));
  }
}
