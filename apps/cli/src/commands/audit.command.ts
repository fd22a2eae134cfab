import { AUDITOR_PRINCIPAL } from '@customs/contracts';
import { localSecurity } from '@customs/stack';
import { readFileSync, writeFileSync } from 'node:fs';
import { dlqTopic, SERVICES } from '@customs/contracts';
import { mongoUrlOf, registerAuditReplayCommand } from './audit-replay.command';
import { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { Kafka } from 'kafkajs';
import { AuditFinding, checkMrn, parseCheckpointExport } from '@customs/domain';
import { createKafka, loadKeyRegistry, parseBrokers } from '@customs/messaging';
import { resolveAuditTopics } from '../audit/audit-topics';
import { runBench } from '../audit/bench.runner';
import {
  checkpointVerifier,
  CheckpointKeyOptions,
  CheckpointVerifyReport,
  formatCheckpointVerifyReport,
  runCheckpointExport,
  runCheckpointVerify,
} from '../audit/checkpoint.runner';
import { formatReadModelReport, runReadModelCheck } from '../audit/read-models.runner';
import { formatState, runState } from '../audit/state.runner';
import { runVerify, VerifyReport } from '../audit/verify.runner';

/** Exit codes: 0 clean, 2 bad arguments, 3 not found, 4 findings. */
export const AUDIT_EXIT = { clean: 0, usage: 2, notFound: 3, findings: 4 } as const;

interface KafkaOptions {
  brokers?: string;
  topicPrefix?: string;
  idleTimeout?: string;
}

function kafkaFrom(o: KafkaOptions): Kafka {
  const brokers = parseBrokers(o.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');
  if (brokers.length === 0) throw new Error('--brokers: no broker given');
  return createKafka(
    `customs-audit-${process.pid}`,
    brokers,
    true,
    localSecurity(AUDITOR_PRINCIPAL),
  );
}

function isoOption(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Number.isNaN(Date.parse(value))) throw new Error(`${name} ${value}: not an ISO-8601 instant`);
  return new Date(Date.parse(value)).toISOString();
}

function idleMs(o: KafkaOptions): number | undefined {
  if (o.idleTimeout === undefined) return undefined;
  const s = Number(o.idleTimeout);
  if (!Number.isFinite(s) || s <= 0)
    throw new Error(`--idle-timeout ${o.idleTimeout}: expected a positive number of seconds`);
  return s * 1000;
}

/** A progress bar on stderr when a person watches; nothing when the output goes to a program. */
function progress(enabled: boolean, label: string) {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% {value}/{total} records, {eta_formatted} left`,
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    update: (done: number, total: number) => {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    },
    stop: () => started && bar.stop(),
  };
}

const where = (f: AuditFinding) =>
  f.topic === null
    ? '(broker)'
    : f.partition === null
      ? f.topic
      : `${f.topic}[${f.partition}]@${f.offset}`;

function readExport(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`--against ${file}: ${(error as Error).message}`);
  }
  try {
    return parseCheckpointExport(text);
  } catch (error) {
    throw new Error(`--against ${file}: ${(error as Error).message}`);
  }
}

export function formatVerifyReport(r: VerifyReport): string {
  const c = r.counts;
  const lines = [
    `read ${c.records} records: ${c.events} declaration events in ${c.chains} chains (${c.finalChains} final), ` +
      `${c.externalCauses} payments/control results, ${c.notifications} notifications cross-checked` +
      (c.rejectedAtIntake
        ? `, ${c.rejectedAtIntake} unreadable submissions rejected at intake`
        : ''),
    `topics: ${r.topics
      .map((t) =>
        t.exists
          ? `${t.topic} (${t.partitions} partitions, retention.ms=${t.retentionMs}, cleanup.policy=${t.cleanupPolicy})`
          : `${t.topic} (missing)`,
      )
      .join('\n        ')}`,
  ];
  if (r.findings.length === 0)
    lines.push('no findings: every hash, link, record and signature checks out');
  else {
    lines.push(`${c.errors} errors, ${c.warnings} warnings:`);
    for (const f of r.findings) {
      const who = [
        f.mrn && `MRN ${f.mrn}`,
        f.lrn && `LRN ${f.lrn}`,
        f.sequence && `seq ${f.sequence}`,
        f.signer && `signed by ${f.signer}`,
      ]
        .filter(Boolean)
        .join(' ');
      lines.push(
        `  ${f.severity === 'error' ? 'ERROR' : 'WARN '} ${f.code.padEnd(24)} ${where(f)}${who ? `  ${who}` : ''}\n        ${f.message}`,
      );
    }
  }
  lines.push(`verified in ${(r.durationMs / 1000).toFixed(1)} s (${r.eventsPerSecond} records/s)`);
  return lines.join('\n');
}

export function registerAuditCommand(program: Command): void {
  const audit = program
    .command('audit')
    .description('auditors: check the event log, reconstruct declarations, measure');

  const withKafka = (cmd: Command) =>
    cmd
      .option('--brokers <list>', 'Kafka brokers (default: KAFKA_BROKERS or 127.0.0.1:9092)')
      .option(
        '--topic-prefix <prefix>',
        'read prefixed copies of the contract topics (scratch copies)',
        '',
      )
      .option(
        '--idle-timeout <seconds>',
        'give up on a partition that makes no progress this long',
        '20',
      );

  withKafka(
    audit
      .command('verify')
      .description(
        'read the declaration topics straight from Kafka and check every hash, chain and record, ' +
          'and who signed each record (signature, key registry, signer policy); ' +
          'report each break with topic, partition, offset and MRN (exit 4 when there are findings)',
      )
      .option(
        '--from <iso-time>',
        'only findings about events that occurred at or after this instant',
      )
      .option(
        '--to <iso-time>',
        'only findings about events that occurred at or before this instant',
      )
      .option('--mrn <mrn>', 'only findings about this declaration')
      .option(
        '--topics <list>',
        'read only these topics (comma-separated contract or prefixed names)',
      )
      .option(
        '--key-registry <file>',
        'key registry to check record and checkpoint signatures with (default: CUSTOMS_KEY_REGISTRY_FILE or the local stack)',
      )
      .option(
        '--against <file>',
        'also prove the log extends the signed heads of a checkpoint export (audit checkpoint export): ' +
          'rewritten, deleted or truncated ranges and rewritten checkpoint history are findings',
      )
      .option(
        '--public-key <file>',
        "check the heads with this Ed25519 public key (PEM) instead of the key registry's svc-audit keys",
      )
      .option('--key-id <id>', 'key id of --public-key')
      .option(
        '--json',
        'machine-readable report: {ok, counts, topics, findings[]} (+ checkpoints with --against)',
      ),
  ).action(
    async (
      o: KafkaOptions &
        CheckpointKeyOptions & {
          from?: string;
          to?: string;
          mrn?: string;
          topics?: string;
          against?: string;
          json?: boolean;
        },
    ) => {
      const from = isoOption('--from', o.from);
      const to = isoOption('--to', o.to);
      if (o.mrn && !checkMrn(o.mrn).valid)
        throw new Error(`--mrn ${o.mrn}: not a valid MRN (${checkMrn(o.mrn).problems.join('; ')})`);
      const topics = resolveAuditTopics(o.topicPrefix, o.topics);
      // The export and the key are checked before anything is read.
      const against = o.against ? readExport(o.against) : undefined;
      const verifier = against ? checkpointVerifier(o) : undefined;
      const bar = progress(!o.json && Boolean(process.stdout.isTTY), 'verify');
      const report = await runVerify(
        kafkaFrom(o),
        topics,
        { from, to, mrn: o.mrn },
        { onProgress: bar.update, idleTimeoutMs: idleMs(o) },
        SERVICES.map((svc) => `${o.topicPrefix ?? ''}${dlqTopic(svc)}`),
        // The public keys records are checked against; without them verify does not run.
        loadKeyRegistry(o.keyRegistry ? { CUSTOMS_KEY_REGISTRY_FILE: o.keyRegistry } : process.env),
      ).finally(() => bar.stop());
      let checkpoints: CheckpointVerifyReport | undefined;
      if (against && verifier)
        checkpoints = await runCheckpointVerify(
          kafkaFrom(o),
          against,
          o.topicPrefix ?? '',
          verifier,
          { idleTimeoutMs: idleMs(o) },
        );
      const text = checkpoints
        ? `${formatVerifyReport(report)}\n${formatCheckpointVerifyReport(checkpoints, o.against!)}`
        : formatVerifyReport(report);
      process.stdout.write(
        `${o.json ? JSON.stringify(checkpoints ? { ...report, ok: report.ok && checkpoints.ok, checkpoints } : report, null, 2) : text}\n`,
      );
      process.exitCode =
        report.ok && (checkpoints?.ok ?? true) ? AUDIT_EXIT.clean : AUDIT_EXIT.findings;
    },
  );

  const checkpoint = audit
    .command('checkpoint')
    .description(
      'signed Merkle tree heads of the audited partitions (customs.audit.checkpoints.v1)',
    );
  withKafka(
    checkpoint
      .command('export')
      .description(
        'write the latest signed head of every partition and the history of heads to a file, ' +
          'for an auditor to keep outside the system (then: audit verify --against FILE); ' +
          'exit 4 when the checkpoints topic holds records that are not valid heads',
      )
      .requiredOption('--out <file>', 'the export file (JSON)')
      .option(
        '--public-key <file>',
        "check the heads' signatures with this Ed25519 public key (PEM); default: the local stack's, if any",
      )
      .option('--key-id <id>', 'key id of --public-key', 'svc-audit')
      .option('--json', 'machine-readable summary on stdout'),
  ).action(async (o: KafkaOptions & CheckpointKeyOptions & { out: string; json?: boolean }) => {
    const result = await runCheckpointExport(
      kafkaFrom(o),
      o.topicPrefix ?? '',
      checkpointVerifier(o),
      { idleTimeoutMs: idleMs(o) },
    );
    writeFileSync(o.out, `${JSON.stringify(result.export, null, 2)}\n`);
    const summary = {
      ok: result.problems.length === 0,
      out: o.out,
      checkpointsTopic: result.export.checkpointsTopic,
      exportedAt: result.export.exportedAt,
      logs: result.export.logs.length,
      heads: result.heads,
      signaturesChecked: result.signaturesChecked,
      problems: result.problems,
    };
    if (o.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else
      process.stdout.write(
        [
          `exported ${summary.heads} heads of ${summary.logs} partitions from ${summary.checkpointsTopic} to ${o.out}` +
            (summary.signaturesChecked ? '' : ' (signatures not checked: no public key)'),
          ...result.problems.map(
            (p) =>
              `  ERROR left out: ${summary.checkpointsTopic}[${p.partition}]@${p.offset}${p.logId ? ` (${p.logId})` : ''}: ${p.message}`,
          ),
        ].join('\n') + '\n',
      );
    process.exitCode = summary.ok ? AUDIT_EXIT.clean : AUDIT_EXIT.findings;
  });

  withKafka(
    audit
      .command('state <mrn>')
      .description(
        'a declaration as it stood at an instant, from the log alone: stage, lane, amounts, release',
      )
      .requiredOption('--at <iso-time>', 'the instant (ISO-8601)')
      .option('--json', 'machine-readable state'),
  ).action(async (mrn: string, o: KafkaOptions & { at: string; json?: boolean }) => {
    const check = checkMrn(mrn);
    if (!check.valid) throw new Error(`${mrn}: not a valid MRN (${check.problems.join('; ')})`);
    const at = isoOption('--at', o.at)!;
    const state = await runState(kafkaFrom(o), mrn, at, o.topicPrefix, {
      idleTimeoutMs: idleMs(o),
    });
    if (!state) {
      process.stderr.write(`${mrn}: no event of this declaration in the log\n`);
      process.exitCode = AUDIT_EXIT.notFound;
      return;
    }
    process.stdout.write(`${o.json ? JSON.stringify(state, null, 2) : formatState(state)}\n`);
  });

  audit
    .command('bench')
    .description(
      'write synthetic valid chains into scratch topics and time verify over them (events/s)',
    )
    .option('--brokers <list>', 'Kafka brokers (default: KAFKA_BROKERS or 127.0.0.1:9092)')
    .option('-n, --events <count>', 'events to write (5 per declaration)', '100000')
    .option('--runs <count>', 'verify runs; the median is reported', '3')
    .option('--partitions <count>', 'partitions of each scratch topic', '6')
    .option('--seed <n>', 'generator seed', '7')
    .option('--keep', 'keep the scratch topics (default: delete them)')
    .option(
      '--replay',
      'also time audit replay (the chains then carry decisions made by the real engines on the seeds)',
    )
    .option('--json', 'machine-readable figures')
    .action(
      async (o: {
        brokers?: string;
        events: string;
        runs: string;
        partitions: string;
        seed: string;
        keep?: boolean;
        replay?: boolean;
        json?: boolean;
      }) => {
        const int = (name: string, v: string) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1)
            throw new Error(`${name} ${v}: expected a positive integer`);
          return n;
        };
        const tty = !o.json && Boolean(process.stdout.isTTY);
        let bar = progress(false, '');
        const report = await runBench(kafkaFrom(o), {
          events: int('--events', o.events),
          runs: int('--runs', o.runs),
          partitions: int('--partitions', o.partitions),
          seed: int('--seed', o.seed),
          keep: Boolean(o.keep),
          replay: Boolean(o.replay),
          onStage: (text) => {
            bar.stop();
            if (!o.json) process.stderr.write(`${text}\n`);
            bar = progress(tty, 'bench');
          },
          onProgress: (d, t) => bar.update(d, t),
        }).finally(() => bar.stop());
        if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else
          process.stdout.write(
            [
              `${report.events} events in ${report.chains} chains, ${(report.bytes / 1e6).toFixed(1)} MB, produced in ${report.produceSeconds.toFixed(1)} s`,
              ...report.verify.runs.map(
                (r, i) =>
                  `verify run ${i + 1}: ${r.seconds.toFixed(2)} s, ${r.eventsPerSecond} events/s, ${r.findings} findings`,
              ),
              `verify median: ${report.verify.medianEventsPerSecond} events/s`,
              ...(report.replay
                ? [
                    ...report.replay.runs.map(
                      (r, i) =>
                        `replay run ${i + 1}: ${r.seconds.toFixed(2)} s, ${r.eventsPerSecond} events/s, ${r.rederived} decisions re-derived, ${r.differences} differences, ${r.notRederivable} not re-derivable`,
                    ),
                    `replay median: ${report.replay.medianEventsPerSecond} events/s`,
                  ]
                : []),
            ].join('\n') + '\n',
          );
      },
    );
  registerAuditReplayCommand(audit);

  withKafka(
    audit
      .command('read-models')
      .description(
        "rebuild intake's timelines and release's records from the log into a scratch database " +
          '(dropped afterwards) and diff them with the live ones field by field (exit 4 on a difference)',
      )
      .option(
        '--mongo-url <url>',
        'the store (default: MONGO_URL or mongodb://127.0.0.1:27017); live databases are only read',
      )
      .option('--intake-db <name>', "intake's database", 'customs_intake')
      .option('--release-db <name>', "release's database", 'customs_release')
      .option('--mrn <mrn>', 'only this declaration')
      .option('--from <iso-time>', 'only declarations whose chain starts at or after this instant')
      .option('--limit <count>', 'differences listed in the text report', '50')
      .option('--json', 'machine-readable report: {ok, counts, differences[]}'),
  ).action(
    async (
      o: KafkaOptions & {
        mongoUrl?: string;
        intakeDb: string;
        releaseDb: string;
        mrn?: string;
        from?: string;
        limit: string;
        json?: boolean;
      },
    ) => {
      if (o.mrn && !checkMrn(o.mrn).valid)
        throw new Error(`--mrn ${o.mrn}: not a valid MRN (${checkMrn(o.mrn).problems.join('; ')})`);
      for (const [flag, db] of [
        ['--intake-db', o.intakeDb],
        ['--release-db', o.releaseDb],
      ])
        if (!/^[A-Za-z0-9_-]{1,38}$/.test(db))
          throw new Error(`${flag} ${db}: not a database name`);
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 0)
        throw new Error(`--limit ${o.limit}: expected a whole number`);
      const report = await runReadModelCheck(
        kafkaFrom(o),
        {
          mongoUrl: mongoUrlOf(o.mongoUrl),
          dbs: { intake: o.intakeDb, release: o.releaseDb },
          mrn: o.mrn,
          from: isoOption('--from', o.from),
          prefix: o.topicPrefix,
          onStage: (text) => !o.json && process.stderr.write(`${text}\n`),
        },
        { idleTimeoutMs: idleMs(o) },
      );
      process.stdout.write(
        `${o.json ? JSON.stringify(report, null, 2) : formatReadModelReport(report, limit)}\n`,
      );
      process.exitCode = report.ok ? AUDIT_EXIT.clean : AUDIT_EXIT.findings;
    },
  );
}
