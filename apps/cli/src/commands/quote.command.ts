import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { Connection } from 'mongoose';
import { loadServiceConfig } from '@customs/config';
import { loadSeedNomenclature } from '@customs/reference-data';
import { assessValuation, formatValuation, validateDeclaration } from '@customs/domain';
import { connectValuationStoreWithin, MongoReferenceVersionRepository } from '@customs/persistence';
import { ValuationReferenceResolver } from '../../../valuation/src/reference/valuation-reference.resolver';

interface QuoteOptions {
  json?: boolean;
  at?: string;
  basis?: 'CIF' | 'FOB';
  currency?: string;
  seedOnly?: boolean;
}

/** How long `quote` waits for the local store before quoting from the seed alone. */
const STORE_TIMEOUT_MS = 1500;

/**
 * The local reference data: the seed plus every version imported into the valuation store
 * (MONGO_URL, MONGO_DB or customs_valuation), or the seed alone, with a note on stderr, when
 * the store cannot be reached.
 */
async function openReference(
  seedOnly: boolean,
): Promise<{ resolver: ValuationReferenceResolver; connection?: Connection }> {
  if (seedOnly) return { resolver: new ValuationReferenceResolver(null) };
  const config = loadServiceConfig('valuation');
  try {
    const connection = await connectValuationStoreWithin(
      config.MONGO_URL,
      config.mongoDb,
      STORE_TIMEOUT_MS,
    );
    const repository = new MongoReferenceVersionRepository(connection);
    return { resolver: new ValuationReferenceResolver(repository), connection };
  } catch (error) {
    process.stderr.write(
      `note: the valuation store (${config.mongoDb} at ${config.MONGO_URL}) is not reachable (${(error as Error).message.split('\n')[0]}): quoting with the seed reference data only\n`,
    );
    return { resolver: new ValuationReferenceResolver(null) };
  }
}

/**
 * Offline valuation: the same engine, and the same choice of reference-data versions in
 * force at acceptance, as the valuation service, applied to a declaration file, so a
 * declarant can see the bill before lodging.
 */
export function registerQuoteCommand(program: Command): void {
  program
    .command('quote <declaration.json>')
    .description(
      'compute customs value, duties and taxes of a declaration file offline, itemised, with the versions used',
    )
    .option('--json', "machine-readable output (the valued event's `valuation`)")
    .option('--at <iso-time>', 'value as if accepted at this instant (default: now)')
    .option('--basis <CIF|FOB>', 'valuation basis (default: VALUATION_BASIS or CIF)')
    .option('--currency <ISO 4217>', 'national currency (default: NATIONAL_CURRENCY or EUR)')
    .option(
      '--seed-only',
      'use the shipped seed reference data only, not the versions imported into the local store',
    )
    .action(async (file: string, opts: QuoteOptions) => {
      let input: unknown;
      try {
        input = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new Error(`cannot read ${file} as JSON: ${(error as Error).message}`);
      }
      const acceptedAt = opts.at ?? new Date().toISOString();
      if (Number.isNaN(Date.parse(acceptedAt)))
        throw new Error(`--at ${acceptedAt}: not an ISO-8601 instant`);
      const checked = validateDeclaration(input, {
        nomenclature: loadSeedNomenclature(),
        lodgementDate: acceptedAt.slice(0, 10),
      });
      if (!checked.ok) {
        const lines = checked.reasons.map(
          (r) => `  ${r.code} at ${r.path || '(document)'}: ${r.message}`,
        );
        if (opts.json)
          process.stdout.write(`${JSON.stringify({ valid: false, reasons: checked.reasons })}\n`);
        else process.stderr.write(`${file} is not a valid declaration:\n${lines.join('\n')}\n`);
        process.exitCode = 2;
        return;
      }
      const basis = opts.basis ?? (process.env.VALUATION_BASIS as 'CIF' | 'FOB' | undefined);
      if (basis && basis !== 'CIF' && basis !== 'FOB')
        throw new Error(`--basis ${basis}: expected CIF or FOB`);
      const { resolver, connection } = await openReference(opts.seedOnly === true);
      let result;
      try {
        const reference = await resolver.at(acceptedAt);
        result = assessValuation({ declaration: checked.declaration, acceptedAt }, reference.data, {
          basis,
          nationalCurrency: opts.currency ?? process.env.NATIONAL_CURRENCY,
        });
      } finally {
        await connection?.close().catch(() => undefined);
      }
      process.stdout.write(
        opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatValuation(result)}\n`,
      );
    });
}
