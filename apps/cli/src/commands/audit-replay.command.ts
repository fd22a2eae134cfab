import { AUDITOR_PRINCIPAL } from '@customs/contracts';
import { localSecurity } from '@customs/stack';
import { Command } from 'commander';
import { checkMrn } from '@customs/domain';
import { createKafka, parseBrokers } from '@customs/messaging';
import {
  DEFAULT_REFERENCE_DATABASES,
  ReferenceDatabases,
  ReferenceSource,
  SEED_REFERENCE,
  StoredReferenceSource,
} from '../audit/replay-reference.source';
import { formatReplayReport, runReplay } from '../audit/replay.runner';

/** Exit codes as `audit verify`: 0 no differences, 4 differences. */
const REPLAY_EXIT = { clean: 0, differences: 4 } as const;

interface ReplayOptions {
  brokers?: string;
  topicPrefix?: string;
  idleTimeout?: string;
  mrn?: string;
  json?: boolean;
  mongoUrl?: string;
  referenceDbs?: string;
  seedsOnly?: boolean;
}

/** `intake=customs_intake,risk=x`: which database keeps each service's reference versions. */
export function parseReferenceDbs(text: string | undefined): ReferenceDatabases {
  const dbs = { ...DEFAULT_REFERENCE_DATABASES };
  for (const part of (text ?? '').split(',').filter((p) => p.trim())) {
    const [service, db] = part.split('=').map((x) => x.trim());
    if (!(service in dbs) || !db || !/^[A-Za-z0-9_-]{1,38}$/.test(db))
      throw new Error(
        `--reference-dbs ${part}: expected <service>=<database> with service one of ${Object.keys(dbs).join(', ')}`,
      );
    dbs[service as keyof ReferenceDatabases] = db;
  }
  return dbs;
}

/** The store URL for read-only look-ups (flag, then MONGO_URL, then the local default). */
export function mongoUrlOf(flag: string | undefined): string {
  const url = flag ?? process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
  if (!/^mongodb(\+srv)?:\/\/\S+$/.test(url))
    throw new Error(`--mongo-url ${url}: expected a mongodb:// URL`);
  return url;
}

/**
 * `customs audit replay`: re-runs validation, risk, valuation and release from the logged
 * inputs with the reference versions each event records, and reports every decision that
 * differs from the logged one.
 */
export function registerAuditReplayCommand(audit: Command): void {
  audit
    .command('replay')
    .description(
      're-derive validation, risk, valuation and release decisions from the log with the recorded ' +
        'reference versions; report every difference (exit 4 when there is one)',
    )
    .option('--brokers <list>', 'Kafka brokers (default: KAFKA_BROKERS or 127.0.0.1:9092)')
    .option('--topic-prefix <prefix>', 'read prefixed copies of the contract topics', '')
    .option(
      '--idle-timeout <seconds>',
      'give up on a partition that makes no progress this long',
      '20',
    )
    .option('--mrn <mrn>', 'replay only this declaration')
    .option(
      '--mongo-url <url>',
      'store keeping the imported reference versions, read-only (default: MONGO_URL or mongodb://127.0.0.1:27017)',
    )
    .option(
      '--reference-dbs <list>',
      'databases of the reference versions, e.g. risk=customs_risk (default: customs_<service>)',
    )
    .option('--seeds-only', 'use only the shipped seed versions (no store)')
    .option('--json', 'machine-readable report: {ok, counts, differences[], notRederivable[]}')
    .action(async (o: ReplayOptions) => {
      if (o.mrn && !checkMrn(o.mrn).valid)
        throw new Error(`--mrn ${o.mrn}: not a valid MRN (${checkMrn(o.mrn).problems.join('; ')})`);
      const idle = o.idleTimeout === undefined ? undefined : Number(o.idleTimeout);
      if (idle !== undefined && (!Number.isFinite(idle) || idle <= 0))
        throw new Error(`--idle-timeout ${o.idleTimeout}: expected a positive number of seconds`);
      const brokers = parseBrokers(o.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');
      if (brokers.length === 0) throw new Error('--brokers: no broker given');
      const dbs = parseReferenceDbs(o.referenceDbs);
      const url = mongoUrlOf(o.mongoUrl);
      const kafka = createKafka(
        `customs-audit-${process.pid}`,
        brokers,
        true,
        localSecurity(AUDITOR_PRINCIPAL),
      );
      const reference: ReferenceSource = o.seedsOnly
        ? SEED_REFERENCE
        : await StoredReferenceSource.open(url, dbs);
      const report = await runReplay(
        kafka,
        { mrn: o.mrn, prefix: o.topicPrefix, reference },
        { idleTimeoutMs: idle === undefined ? undefined : idle * 1000 },
      ).finally(() => reference.close?.());
      process.stdout.write(
        `${o.json ? JSON.stringify(report, null, 2) : formatReplayReport(report)}\n`,
      );
      process.exitCode = report.ok ? REPLAY_EXIT.clean : REPLAY_EXIT.differences;
    });
}
