import { REDRIVE_PREFIX } from '@customs/contracts';
import { Kafka, Message } from 'kafkajs';
import { dlqTopic } from '@customs/contracts';
import { sleep } from '@customs/stack';
import {
  DeadLetter,
  readDeadLetters,
  REDRIVE_COUNT,
  REDRIVE_OF,
  redriveCursor,
  redriveGroup,
} from './dlq.reader';

export interface RedriveOptions {
  dryRun?: boolean;
  /** A dead letter of a record re-driven this many times already is passed over (default 1). */
  maxRedrives?: number;
  /** After re-injecting, how long to watch the DLQ for re-injected records failing again. */
  waitMs?: number;
}

export interface RedriveItem {
  /** `dlq-topic[partition]@offset` of the dead letter. */
  deadLetter: string;
  origin: string | null;
  key: string | null;
  errorCode: string | null;
  error: string | null;
}

export interface RedriveReport {
  service: string;
  dryRun: boolean;
  reinjected: RedriveItem[];
  /** Dead letters not re-injected, and why (no origin; failed again after a redrive). */
  passedOver: (RedriveItem & { reason: string })[];
  /** Re-injected records that were dead-lettered again within the wait. */
  failedAgain: (RedriveItem & { error: string | null })[];
  /** The redrive cursor per DLQ partition, before and after. */
  cursorBefore: Record<number, string>;
  cursorAfter: Record<number, string>;
  waitedMs: number;
}

const where = (d: DeadLetter) => `${d.topic}[${d.partition}]@${d.offset}`;
const item = (d: DeadLetter): RedriveItem => ({
  deadLetter: where(d),
  origin: d.origin ? `${d.origin.topic}[${d.origin.partition}]@${d.origin.offset}` : null,
  key: d.key,
  errorCode: d.errorCode,
  error: d.error,
});

/**
 * Re-injects a service's dead letters into their origin topics, each with its original key,
 * value and headers, exactly once: one Kafka transaction carries the re-injected records
 * and moves the redrive cursor (the committed offset of the redrive consumer group on the
 * DLQ topic) past them, so a redrive that dies half-way re-injects nothing, and a record
 * re-driven once is never re-driven by a later redrive. The transactional producer is
 * started before the cursor is read: a concurrent redrive of the same service is fenced.
 * A re-injected record that the service already processed through another copy is dropped
 * by processOnce (a second copy at another offset gets no outputs); one that fails again
 * lands in the DLQ again, carrying `redrive-count`, and is passed over by later redrives
 * unless `maxRedrives` allows more.
 */
export async function redrive(
  kafka: Kafka,
  service: string,
  opts: RedriveOptions = {},
): Promise<RedriveReport> {
  const topic = dlqTopic(service);
  const maxRedrives = opts.maxRedrives ?? 1;
  const producer = opts.dryRun
    ? null
    : kafka.producer({
        transactionalId: `${REDRIVE_PREFIX}${service}`,
        idempotent: true,
        maxInFlightRequests: 1,
      });
  await producer?.connect();
  try {
    const admin = kafka.admin();
    await admin.connect();
    let cursor: Map<number, bigint>;
    try {
      cursor = await redriveCursor(admin, service);
    } finally {
      await admin.disconnect();
    }
    const letters = (await readDeadLetters(kafka, service, cursor)).filter((d) => !d.redriven);
    const reinject: DeadLetter[] = [];
    const passedOver: RedriveReport['passedOver'] = [];
    for (const d of letters) {
      if (!d.origin)
        passedOver.push({
          ...item(d),
          reason: 'no origin topic in its headers: nowhere to send it',
        });
      else if (d.redriveCount >= maxRedrives)
        passedOver.push({
          ...item(d),
          reason: `failed again after ${d.redriveCount} redrive(s) (from ${d.redriveOf ?? '?'}); fix the cause, then redrive with --max-redrives ${d.redriveCount + 1}`,
        });
      else reinject.push(d);
    }
    const next = new Map(cursor);
    for (const d of letters) {
      const after = BigInt(d.offset) + 1n;
      if (after > (next.get(d.partition) ?? 0n)) next.set(d.partition, after);
    }
    const report: RedriveReport = {
      service,
      dryRun: !!opts.dryRun,
      reinjected: reinject.map(item),
      passedOver,
      failedAgain: [],
      cursorBefore: Object.fromEntries([...cursor].map(([p, o]) => [p, o.toString()])),
      cursorAfter: Object.fromEntries([...next].map(([p, o]) => [p, o.toString()])),
      waitedMs: 0,
    };
    if (!producer || letters.length === 0) {
      if (opts.dryRun) report.cursorAfter = report.cursorBefore;
      return report;
    }

    const end = await dlqEnd(kafka, topic);
    const byTopic = new Map<string, Message[]>();
    for (const d of reinject) {
      const list = byTopic.get(d.origin!.topic) ?? [];
      list.push({
        key: d.key,
        value: d.value,
        headers: {
          ...d.originalHeaders,
          [REDRIVE_OF]: where(d),
          [REDRIVE_COUNT]: String(d.redriveCount + 1),
        },
      });
      byTopic.set(d.origin!.topic, list);
    }
    const tx = await producer.transaction();
    try {
      if (byTopic.size > 0)
        await tx.sendBatch({
          topicMessages: [...byTopic].map(([t, messages]) => ({ topic: t, messages })),
        });
      await tx.sendOffsets({
        consumerGroupId: redriveGroup(service),
        topics: [
          {
            topic,
            partitions: [...next]
              .filter(([p, o]) => o !== cursor.get(p))
              .map(([partition, offset]) => ({ partition, offset: offset.toString() })),
          },
        ],
      });
      await tx.commit();
    } catch (error) {
      await tx.abort().catch(() => undefined);
      throw error;
    }

    if (opts.waitMs && reinject.length > 0) {
      const started = Date.now();
      const ours = new Set(reinject.map(where));
      // Poll the new dead letters for ones re-driven from ours.
      while (Date.now() - started < opts.waitMs) {
        await sleep(Math.min(2000, opts.waitMs));
        const fresh = await readDeadLetters(kafka, service, end);
        report.failedAgain = fresh
          .filter((d) => d.redriveOf !== null && ours.has(d.redriveOf))
          .map((d) => ({ ...item(d), deadLetter: d.redriveOf!, error: d.error }));
        if (report.failedAgain.length === reinject.length) break;
      }
      report.waitedMs = Date.now() - started;
    }
    return report;
  } finally {
    await producer?.disconnect().catch(() => undefined);
  }
}

async function dlqEnd(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map(
      (await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]),
    );
  } finally {
    await admin.disconnect();
  }
}

export function formatRedriveReport(r: RedriveReport): string {
  const lines: string[] = [];
  const verb = r.dryRun ? 'would re-inject' : 're-injected';
  lines.push(
    `${r.service}: ${verb} ${r.reinjected.length} dead letter(s)` +
      (r.passedOver.length ? `, passed over ${r.passedOver.length}` : ''),
  );
  for (const i of r.reinjected)
    lines.push(
      `  ${i.deadLetter} -> ${i.origin} key ${i.key ?? '(none)'}  (${i.errorCode}: ${i.error ?? ''})`,
    );
  for (const p of r.passedOver) lines.push(`  passed over ${p.deadLetter}: ${p.reason}`);
  if (!r.dryRun && r.reinjected.length > 0) {
    if (r.waitedMs > 0)
      lines.push(
        r.failedAgain.length === 0
          ? `none of them came back to the DLQ within ${(r.waitedMs / 1000).toFixed(0)} s`
          : `${r.failedAgain.length} of them failed again and are back in the DLQ:\n` +
              r.failedAgain.map((f) => `  ${f.deadLetter}: ${f.error ?? ''}`).join('\n'),
      );
    else
      lines.push(
        'a record that still fails lands in the DLQ again (marked redrive-count=1; later redrives pass it over)',
      );
  }
  if (r.reinjected.length === 0 && r.passedOver.length === 0)
    lines.push('  nothing to redrive: every dead letter was re-driven before');
  lines.push(
    `cursor ${JSON.stringify(r.cursorBefore)} -> ${JSON.stringify(r.cursorAfter)}${r.dryRun ? ' (dry run: unchanged)' : ''}`,
  );
  return lines.join('\n');
}
