import { Command } from 'commander';
import { registerAuditCommand } from '../../apps/cli/src/commands/audit.command';

/**
 * Runs `customs audit ...` in this process (the command as the CLI registers it) and
 * returns what it printed and its exit code.
 */
export async function runAuditCli(
  ...args: string[]
): Promise<{ stdout: string; exitCode: number }> {
  const program = new Command('customs').exitOverride();
  registerAuditCommand(program);
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const before = process.exitCode;
  process.exitCode = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'customs', 'audit', ...args]);
    return { stdout: chunks.join(''), exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.stdout.write = write;
    process.exitCode = before;
  }
}
