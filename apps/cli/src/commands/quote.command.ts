import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadSeedNomenclature, loadSeedValuationReferenceData } from '@customs/reference-data';
import { assessValuation, formatValuation, validateDeclaration } from '@customs/domain';

interface QuoteOptions {
  json?: boolean;
  at?: string;
  basis?: 'CIF' | 'FOB';
  currency?: string;
}

/**
 * Offline valuation: the same engine and reference data as the valuation service, applied
 * to a declaration file, so a declarant can see the bill before lodging.
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
    .action((file: string, opts: QuoteOptions) => {
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
      const result = assessValuation(
        { declaration: checked.declaration, acceptedAt },
        loadSeedValuationReferenceData(),
        {
          basis,
          nationalCurrency: opts.currency ?? process.env.NATIONAL_CURRENCY,
        },
      );
      process.stdout.write(
        opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatValuation(result)}\n`,
      );
    });
}
