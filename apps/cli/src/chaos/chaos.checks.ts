import { EVENT_TYPES, KeyRegistry } from '@customs/contracts';
import { LogAuditor, LogRecord, readEnvelope } from '@customs/domain';

/** What a chaos run must show for every declaration it submitted. */
export interface ChaosFigures {
  submitted: number;
  /** Declarations with every stage's decision (accepted ones through release, rejected ones). */
  complete: number;
  /** Distinct decision events per stage, summed over the run's declarations. */
  decisions: {
    accepted: number;
    rejected: number;
    riskAssessed: number;
    valued: number;
    held: number;
    released: number;
  };
  /** Declarations whose stage has no decision, or more than one different decision. */
  missing: number;
  extraDecisions: number;
  /** Two different events at one (chain, sequence): a fork of the chain. */
  sequenceConflicts: number;
  /** Exact copies of one record (same event id) on the log. */
  duplicateRecords: number;
  /** Errors of the chain audit (hash, link, sequence, order, topic, key). */
  chainBreaks: number;
  notifications: number;
  /** A notification id seen twice, or two notifications with one code about one event for one recipient. */
  duplicateNotifications: number;
  deadLettered: number;
  /** A few problems in words, for the report. */
  problems: string[];
}

const ROLE_TO_STAGE: Record<string, keyof ChaosFigures['decisions'] | 'submitted'> = {
  [EVENT_TYPES.submitted]: 'submitted',
  [EVENT_TYPES.accepted]: 'accepted',
  [EVENT_TYPES.rejected]: 'rejected',
  [EVENT_TYPES.riskAssessed]: 'riskAssessed',
  [EVENT_TYPES.valued]: 'valued',
  [EVENT_TYPES.held]: 'held',
  [EVENT_TYPES.released]: 'released',
};

const MAX_PROBLEMS = 20;

/**
 * Judges the records a chaos run produced (read back from Kafka, read_committed) against
 * the LRNs it submitted. Pure: the runner reads, this counts.
 */
export function checkChaosRun(
  lrns: ReadonlySet<string>,
  records: readonly LogRecord[],
  deadLettered: number,
  /** When given, every record's signature and signer count as chain breaks if they fail. */
  registry?: KeyRegistry,
): ChaosFigures {
  const problems: string[] = [];
  const problem = (p: string) => problems.length < MAX_PROBLEMS && problems.push(p);
  const auditor = new LogAuditor({ registry });
  // lrn -> stage -> distinct event ids; lrn -> sequence -> event ids
  const stages = new Map<string, Map<string, Set<string>>>();
  const sequences = new Map<string, Map<number, Set<string>>>();
  const seenIds = new Map<string, number>();
  const notificationIds = new Map<string, number>();
  const notificationKeys = new Map<string, Set<string>>();
  let notifications = 0;

  for (const r of records) {
    const read = readEnvelope(r.value);
    if (!('envelope' in read)) continue; // not ours to judge here: `audit verify` reports it
    const e = read.envelope;
    if (!lrns.has(e.lrn)) continue;
    auditor.add(r);
    if (r.role === 'notifications') {
      notifications++;
      notificationIds.set(e.eventId, (notificationIds.get(e.eventId) ?? 0) + 1);
      const p = e.payload as { code?: string; aboutEventId?: string; recipient?: string };
      const key = `${p.aboutEventId ?? e.causationId}|${p.code}|${p.recipient ?? r.key}`;
      const ids = notificationKeys.get(key) ?? new Set<string>();
      ids.add(e.eventId);
      notificationKeys.set(key, ids);
      continue;
    }
    const stage = ROLE_TO_STAGE[e.type];
    if (!stage) continue;
    seenIds.set(e.eventId, (seenIds.get(e.eventId) ?? 0) + 1);
    const byStage = stages.get(e.lrn) ?? new Map<string, Set<string>>();
    stages.set(e.lrn, byStage);
    const ids = byStage.get(stage) ?? new Set<string>();
    ids.add(e.eventId);
    byStage.set(stage, ids);
    const bySeq = sequences.get(e.lrn) ?? new Map<number, Set<string>>();
    sequences.set(e.lrn, bySeq);
    const atSeq = bySeq.get(e.sequence) ?? new Set<string>();
    atSeq.add(e.eventId);
    bySeq.set(e.sequence, atSeq);
  }

  const decisions = { accepted: 0, rejected: 0, riskAssessed: 0, valued: 0, held: 0, released: 0 };
  let complete = 0;
  let missing = 0;
  let extraDecisions = 0;
  for (const lrn of lrns) {
    const byStage = stages.get(lrn) ?? new Map<string, Set<string>>();
    const n = (s: string) => byStage.get(s)?.size ?? 0;
    for (const k of Object.keys(decisions) as (keyof typeof decisions)[]) decisions[k] += n(k);
    const lacks: string[] = [];
    const extra: string[] = [];
    const one = (stage: string) => {
      if (n(stage) === 0) lacks.push(stage);
      else if (n(stage) > 1) extra.push(`${n(stage)} ${stage}`);
    };
    one('submitted');
    if (n('accepted') + n('rejected') === 0) lacks.push('accepted-or-rejected');
    else if (n('accepted') + n('rejected') > 1)
      extra.push(`${n('accepted')} accepted + ${n('rejected')} rejected`);
    if (n('accepted') > 0) {
      one('riskAssessed');
      one('valued');
      if (n('held') + n('released') === 0) lacks.push('held-or-released');
      if (n('released') > 1) extra.push(`${n('released')} released`);
    }
    if (lacks.length > 0) {
      missing++;
      problem(`${lrn}: no ${lacks.join(', no ')}`);
    }
    if (extra.length > 0) {
      extraDecisions++;
      problem(`${lrn}: ${extra.join(', ')}`);
    }
    if (lacks.length === 0 && extra.length === 0) complete++;
  }

  let sequenceConflicts = 0;
  for (const [lrn, bySeq] of sequences)
    for (const [seq, ids] of bySeq)
      if (ids.size > 1) {
        sequenceConflicts++;
        problem(`${lrn}: ${ids.size} different events at sequence ${seq}`);
      }

  let duplicateRecords = 0;
  for (const [id, count] of seenIds)
    if (count > 1) {
      duplicateRecords += count - 1;
      problem(`event ${id} is on the log ${count} times`);
    }

  let duplicateNotifications = 0;
  for (const [id, count] of notificationIds)
    if (count > 1) {
      duplicateNotifications += count - 1;
      problem(`notification ${id} was published ${count} times`);
    }
  for (const [key, ids] of notificationKeys)
    if (ids.size > 1) {
      duplicateNotifications += ids.size - 1;
      problem(`${ids.size} different notifications ${key.replace(/\|/g, ' / ')}`);
    }

  const audited = auditor.finish();
  const breaks = audited.findings.filter((f) => f.severity === 'error');
  for (const f of breaks.slice(0, 5))
    problem(
      `chain: ${f.code} at ${f.topic}[${f.partition}]@${f.offset} (LRN ${f.lrn}): ${f.message}`,
    );

  return {
    submitted: lrns.size,
    complete,
    decisions,
    missing,
    extraDecisions,
    sequenceConflicts,
    duplicateRecords,
    chainBreaks: breaks.length,
    notifications,
    duplicateNotifications,
    deadLettered,
    problems,
  };
}

/** True when the run kept its promise: every declaration decided once per stage, nothing broken. */
export function chaosPassed(f: ChaosFigures): boolean {
  return (
    f.complete === f.submitted &&
    f.missing === 0 &&
    f.extraDecisions === 0 &&
    f.sequenceConflicts === 0 &&
    f.duplicateRecords === 0 &&
    f.chainBreaks === 0 &&
    f.duplicateNotifications === 0 &&
    f.deadLettered === 0
  );
}
