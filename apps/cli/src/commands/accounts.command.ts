import { ADMIN_PRINCIPAL } from '@customs/contracts';
import { localSecurity } from '@customs/stack';
import { Command } from 'commander';
import { TOPICS } from '@customs/contracts';
import { createKafka, parseBrokers } from '@customs/messaging';
import { loadSeedAccounts } from '@customs/reference-data';
import {
  AccountRecord,
  creditRecord,
  openingRecord,
  seedOpenings,
} from '../accounts/account-events.builder';
import { loggedAccountEvents, publishAccountEvents } from '../accounts/accounts.publisher';

interface KafkaOptions {
  brokers?: string;
  dryRun?: boolean;
}

const kafkaFrom = (o: KafkaOptions) =>
  createKafka(
    `customs-accounts-${process.pid}`,
    parseBrokers(o.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
    true,
    localSecurity(ADMIN_PRINCIPAL),
  );

function report(what: string, all: AccountRecord[], written: AccountRecord[], dryRun?: boolean) {
  const verb = dryRun ? 'would write' : 'wrote';
  process.stdout.write(
    `${what}: ${verb} ${written.length} event(s) on ${TOPICS.accounts}` +
      `${all.length > written.length ? ` (${all.length - written.length} already there)` : ''}\n`,
  );
  for (const r of written) process.stdout.write(`  ${r.value.type} ${r.key} ${r.value.eventId}\n`);
}

const list = (v: string, previous: string[] = []) => [
  ...previous,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

/**
 * `customs accounts seed|open|credit`: the administrators' way to open and credit guarantee
 * and deferment accounts. Every balance release holds starts from these events (release no
 * longer creates accounts by itself), so `audit replay` can explain every balance.
 */
export function registerAccountsCommand(program: Command): void {
  const accounts = program
    .command('accounts')
    .description('open and credit guarantee/deferment accounts (events on customs.accounts.v1)');

  accounts
    .command('seed')
    .description(
      'publish the demonstration accounts (reference data) as AccountOpened events, once: ' +
        'accounts already opened on the log are left alone',
    )
    .option('--brokers <list>', 'Kafka brokers (default: KAFKA_BROKERS or 127.0.0.1:9092)')
    .option('--dry-run', 'say what would be written, write nothing')
    .action(async (o: KafkaOptions) => {
      const all = seedOpenings(loadSeedAccounts().accounts, new Date().toISOString());
      report('accounts seed', all, await publishAccountEvents(kafkaFrom(o), all, o), o.dryRun);
    });

  accounts
    .command('open')
    .description('open one account (refused if the log has opened it already)')
    .requiredOption('--id <account>', 'account id, e.g. GUA-NL123456789')
    .requiredOption('--holder <eori>', 'the trader who holds the account')
    .requiredOption('--kind <kind>', 'guarantee or deferment')
    .requiredOption('--balance <amount>', 'opening balance, a decimal string')
    .option('--currency <code>', 'ISO 4217 currency', 'EUR')
    .option(
      '--authorise <eori,...>',
      'declarants (representatives) the holder authorises to secure on the account',
      list,
      [],
    )
    .option('--brokers <list>', 'Kafka brokers (default: KAFKA_BROKERS or 127.0.0.1:9092)')
    .option('--dry-run', 'say what would be written, write nothing')
    .action(
      async (
        o: KafkaOptions & {
          id: string;
          holder: string;
          kind: string;
          balance: string;
          currency: string;
          authorise: string[];
        },
      ) => {
        const r = openingRecord(
          {
            accountId: o.id,
            holder: o.holder,
            kind: o.kind as 'guarantee' | 'deferment',
            currency: o.currency,
            openingBalance: o.balance,
            authorisedDeclarants: o.authorise,
          },
          new Date().toISOString(),
        );
        const written = await publishAccountEvents(kafkaFrom(o), [r], o);
        if (written.length === 0) throw new Error(`account ${o.id} is opened on the log already`);
        report('accounts open', [r], written, o.dryRun);
      },
    );

  accounts
    .command('credit')
    .description('credit an account (once per reference)')
    .requiredOption('--id <account>', 'account id')
    .requiredOption('--amount <amount>', 'a positive decimal string')
    .requiredOption('--reference <ref>', 'the reference of the credit (makes it idempotent)')
    .option('--brokers <list>', 'Kafka brokers (default: KAFKA_BROKERS or 127.0.0.1:9092)')
    .option('--dry-run', 'say what would be written, write nothing')
    .action(async (o: KafkaOptions & { id: string; amount: string; reference: string }) => {
      const r = creditRecord(
        { accountId: o.id, amount: o.amount, reference: o.reference },
        new Date().toISOString(),
      );
      const kafka = kafkaFrom(o);
      if (!(await loggedAccountEvents(kafka)).openedAccounts.has(o.id))
        throw new Error(`account ${o.id} is not opened on ${TOPICS.accounts}: open it first`);
      report('accounts credit', [r], await publishAccountEvents(kafka, [r], o), o.dryRun);
    });
}
