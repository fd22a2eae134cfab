import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command } from 'commander';
import { loadServiceConfig } from '@customs/config';
import { connectStore, MongoReferenceVersionRepository } from '@customs/persistence';
import { contentSha256 } from '@customs/platform';
import { loadImporters } from '../reference/reference-importers';

interface ImportCliOptions {
  version?: string;
  effectiveFrom?: string;
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `reference import <kind> <file>`: checks the file and stores it as a new immutable version
 * in the owning service's database; the service picks it up within seconds and applies it
 * to declarations accepted from its effective date on.
 */
export function registerReferenceCommand(program: Command): void {
  const importers = loadImporters();
  const reference = program
    .command('reference')
    .description('versioned reference data: nomenclature, risk rules, tariff, rates...');
  reference
    .command('import <kind> <file>')
    .description(
      `import a file as a new version; kinds: ${[...importers.keys()].sort().join(', ') || '(none)'}`,
    )
    .option('--version <id>', 'version id (default: from the file, where it has one)')
    .option(
      '--effective-from <iso>',
      'ISO-8601 instant from which it applies (default: from the file)',
    )
    .option('--dry-run', 'check the file and report, store nothing')
    .option('--json', 'machine-readable output')
    .action(async (kind: string, file: string, opts: ImportCliOptions) => {
      const importer = importers.get(kind);
      if (!importer)
        throw new Error(
          `unknown kind '${kind}'; known: ${[...importers.keys()].sort().join(', ')}`,
        );
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new Error(`cannot read ${file}: ${(error as Error).message}`);
      }
      const started = Date.now();
      const parsed = importer.parse(text, file, {
        version: opts.version,
        effectiveFrom: opts.effectiveFrom,
      });
      if (Number.isNaN(Date.parse(parsed.effectiveFrom)))
        throw new Error(`effective-from '${parsed.effectiveFrom}' is not an ISO-8601 instant`);
      const record = {
        kind,
        version: parsed.version,
        effectiveFrom: new Date(parsed.effectiveFrom).toISOString(),
        importedAt: new Date().toISOString(),
        sha256: contentSha256(parsed.content),
        source: basename(file),
        content: parsed.content,
      };
      let outcome = 'checked (dry run)';
      if (!opts.dryRun) {
        const config = loadServiceConfig(importer.service);
        const connection = await connectStore(config.MONGO_URL, config.mongoDb);
        try {
          outcome = await new MongoReferenceVersionRepository(connection).save(record);
        } finally {
          await connection.close();
        }
        if (outcome === 'conflict') {
          throw new Error(
            `${kind} version ${parsed.version} exists with another content; versions are immutable: choose a new --version`,
          );
        }
      }
      const seconds = (Date.now() - started) / 1000;
      const result = {
        kind,
        version: record.version,
        effectiveFrom: record.effectiveFrom,
        sha256: record.sha256,
        outcome,
        summary: parsed.summary,
        seconds,
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        process.stdout.write(
          `${kind} ${record.version} (effective ${record.effectiveFrom}): ${parsed.summary}; ${outcome} in ${seconds.toFixed(2)} s\n`,
        );
      }
    });
}
