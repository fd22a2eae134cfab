import 'reflect-metadata';
import { Command } from 'commander';
import { registerAccountsCommand } from './commands/accounts.command';
import { registerAsyncApiCommand } from './commands/asyncapi.command';
import { registerAuditCommand } from './commands/audit.command';
import { registerBenchCommand } from './commands/bench.command';
import { registerChaosCommand } from './commands/chaos.command';
import { registerDemoCommand } from './commands/demo.command';
import { registerDlqCommand } from './commands/dlq.command';
import { registerIntakeBenchCommand } from './commands/intake-bench.command';
import { registerMrnCommand } from './commands/mrn.command';
import { registerQuoteBenchCommand } from './commands/quote-bench.command';
import { registerQuoteCommand } from './commands/quote.command';
import { registerRiskCommand } from './commands/risk.command';
import { registerReferenceCommand } from './commands/reference.command';
import { registerStackCommand } from './commands/stack.command';
import { registerTokenCommand } from './commands/token.command';
import { defaultMongoUrlToLocal } from '@customs/stack';

// Local tools log in to the local store as its administrator unless MONGO_URL says otherwise.
defaultMongoUrlToLocal();

/** `npm run -s customs -- <subcommand>`: one entry for operators, auditors and developers. */
const program = new Command('customs')
  .description('Customs clearance pipeline: local stack, reference data, audit and tools')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerStackCommand(program);
registerTokenCommand(program);
registerAccountsCommand(program);
registerMrnCommand(program);
registerQuoteCommand(program);
registerQuoteBenchCommand(program);
registerIntakeBenchCommand(program);
registerRiskCommand(program);
registerReferenceCommand(program);
registerDemoCommand(program);
registerChaosCommand(program);
registerDlqCommand(program);
registerAsyncApiCommand(program);
registerAuditCommand(program);
registerBenchCommand(program);

program.parseAsync(process.argv).catch((error: Error) => {
  process.stderr.write(`customs: ${error.message}\n`);
  process.exit(1);
});
