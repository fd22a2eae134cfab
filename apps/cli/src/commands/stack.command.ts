import { Command } from 'commander';
import { dump } from 'js-yaml';
import {
  aclsOf,
  ADMIN_PRINCIPAL,
  allPrincipals,
  findPrincipal,
  PartnerRegistry,
  strimziKafkaUsers,
} from '@customs/contracts';

/** The KafkaUser manifests, as committed in deploy/k8s/users/kafka-users.yaml. */
export function strimziYaml(partners: PartnerRegistry): string {
  const header = [
    '# Generated from libs/contracts/src/trust/principals.ts by',
    '# `customs stack principals --strimzi` (a unit test keeps this file equal to it).',
    '# Add partners with --border-post ID / --payment-system ID. The Strimzi User Operator',
    '# must watch this namespace; it makes one Secret per user with its password.',
  ].join('\n');
  const docs = strimziKafkaUsers(allPrincipals(partners)).map((d) =>
    dump(d, { lineWidth: 120, noRefs: true }),
  );
  return `${header}\n---\n${docs.join('---\n')}`;
}
import {
  LOCAL_SASL_MECHANISM,
  LocalStack,
  localKafka,
  localPrincipals,
  provisionBroker,
  readCredentials,
  writeComposeSecrets,
} from '@customs/stack';
import { publishSeedAccounts } from '../accounts/accounts.publisher';

export function registerStackCommand(program: Command): void {
  const stack = program
    .command('stack')
    .description('the local Kafka broker and FerretDB store (no Docker needed)');
  stack
    .command('up')
    .description(
      'fetch/build once, start Kafka and FerretDB if not running, wait until both answer, create the topics',
    )
    .action(async () => {
      await new LocalStack().up();
      // Guarantee and deferment accounts exist only once opened on the log (idempotent).
      const opened = await publishSeedAccounts(localKafka(ADMIN_PRINCIPAL));
      if (opened.length > 0)
        process.stderr.write(`accounts: opened ${opened.length} seed accounts on the log\n`);
    });
  stack
    .command('down')
    .description('stop Kafka and FerretDB started by `stack up`')
    .option('--wipe', 'also delete their data (the whole local log and store)')
    .action(async (opts: { wipe?: boolean }) => {
      await new LocalStack().down(Boolean(opts.wipe));
    });
  stack
    .command('status')
    .description('whether Kafka and FerretDB answer, their pids and where the logs are')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const s = await new LocalStack().status();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      } else {
        const line = (name: string, x: { pid: number | null; answering: boolean }) =>
          `${name.padEnd(9)} ${x.answering ? 'up  ' : 'down'}${x.pid ? `  pid ${x.pid}` : ''}`;
        process.stdout.write(
          `${line('kafka', s.kafka)}\n${line('ferretdb', s.store)}\nlogs      ${s.logs}\n`,
        );
      }
      if (!s.kafka.answering || !s.store.answering) process.exitCode = 3;
    });
  stack
    .command('compose-secrets')
    .description(
      "write what docker-compose needs and the repository must not hold into DIR (its secrets volume): keys, the broker's SCRAM passwords and start script, the store's logins",
    )
    .requiredOption('--dir <dir>', 'the secrets volume (e.g. /keys)')
    .option('--kafka-host <host>', "the broker's name on the compose network", 'kafka')
    .action((opts: { dir: string; kafkaHost: string }) => {
      const files = writeComposeSecrets(opts.dir, { kafkaHost: opts.kafkaHost });
      process.stderr.write(`compose secrets: ${files.length} files in ${opts.dir}\n`);
    });
  stack
    .command('provision')
    .description(
      'as the broker super user: create the contract topics, make the ACLs those of the principals table, open the demonstration accounts on the log (credentials from CUSTOMS_DATA_DIR)',
    )
    .option('--brokers <list>', 'Kafka brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .option('--partitions <n>', 'partitions per topic', process.env.KAFKA_PARTITIONS ?? '6')
    .option(
      '--replication-factor <n>',
      'replicas per partition',
      process.env.KAFKA_REPLICATION_FACTOR ?? '1',
    )
    .action(async (opts: { brokers: string; partitions: string; replicationFactor: string }) => {
      const brokers = opts.brokers.split(',');
      await provisionBroker(brokers, Number(opts.partitions), Number(opts.replicationFactor), (l) =>
        process.stderr.write(`${l}\n`),
      );
      const opened = await publishSeedAccounts(localKafka(ADMIN_PRINCIPAL, { brokers }));
      process.stderr.write(`accounts: opened ${opened.length} seed accounts on the log\n`);
    });
  stack
    .command('principals')
    .description('each Kafka principal of the local stack and the ACLs the broker grants it')
    .option('--json', 'machine-readable output')
    .option(
      '--strimzi',
      'Strimzi KafkaUser resources (YAML) of the services and operators, plus the partners named by --border-post / --payment-system: what deploy/k8s/users holds',
    )
    .option('--border-post <id...>', 'with --strimzi: border posts to add')
    .option('--payment-system <id...>', 'with --strimzi: payment systems to add')
    .action(
      (opts: {
        json?: boolean;
        strimzi?: boolean;
        borderPost?: string[];
        paymentSystem?: string[];
      }) => {
        if (opts.strimzi) {
          process.stdout.write(
            strimziYaml({
              borderPosts: opts.borderPost ?? [],
              paymentSystems: opts.paymentSystem ?? [],
            }),
          );
          return;
        }
        const all = localPrincipals().map((p) => ({ ...p, acls: aclsOf(p) }));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
          return;
        }
        for (const p of all) {
          process.stdout.write(`${p.name}  (${p.kind}: ${p.description})\n`);
          for (const a of p.acls)
            process.stdout.write(
              `    ${a.operations.join(',').padEnd(18)} ${a.resource.padEnd(16)} ${a.name}${a.pattern === 'prefixed' ? '*' : ''}\n`,
            );
        }
      },
    );
  stack
    .command('credentials')
    .description(
      'what an operator hands to a partner or service: brokers, mechanism, user name and password of one principal',
    )
    .argument('<principal>', 'a name from `customs stack principals`')
    .option('--json', 'machine-readable output')
    .action((name: string, opts: { json?: boolean }) => {
      const principal = findPrincipal(localPrincipals(), name);
      const password = readCredentials()?.users[principal.name];
      if (!password) {
        process.stderr.write(
          `no credentials for ${principal.name} yet: run \`customs stack up\` first\n`,
        );
        process.exitCode = 2;
        return;
      }
      const out = {
        principal: principal.name,
        brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
        securityProtocol: 'SASL_PLAINTEXT',
        mechanism: LOCAL_SASL_MECHANISM.toUpperCase(),
        username: principal.name,
        password,
      };
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(out, null, 2)}\n`
          : Object.entries(out)
              .map(([k, v]) => `${k.padEnd(17)} ${v}`)
              .join('\n') + '\n',
      );
    });
}
