import canonicalize from 'canonicalize';
import { loadServiceConfig } from '@customs/config';
import { ValuationReferenceDataError } from '@customs/domain';
import { loadSeedValuationReferenceData } from '@customs/reference-data';
import { ValuationPartKey, VALUATION_PARTS } from './valuation-reference.parts';

/*
 * What `customs reference import <kind> <file>` needs for the six valuation kinds (tariff,
 * exchange-rates, reference-prices, preferences, vat, excise). Each
 * apps/cli/src/reference/<kind>.importer.ts is one line over this factory; the shape is that
 * of the CLI's ReferenceImporter (checked structurally where the importer is declared).
 */

export interface ValuationImporter {
  kind: string;
  service: 'valuation';
  description: string;
  parse(
    text: string,
    file: string,
    options: { version?: string; effectiveFrom?: string },
  ): { version: string; effectiveFrom: string; content: unknown; summary: string };
}

/** An import file that does not fit, with every problem on a line of its own, by JSON path. */
function invalid(kind: string, file: string, problems: { path: string; message: string }[]): Error {
  return new Error(
    `${file} is not a valid ${kind} file (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
      problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'),
  );
}

const dayStart = (date: string) => `${date}T00:00:00.000Z`;

export function valuationImporter(key: ValuationPartKey): ValuationImporter {
  const part = VALUATION_PARTS[key];
  return {
    kind: part.kind,
    service: 'valuation',
    description: part.description,
    parse(text, file, options) {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (error) {
        throw invalid(part.kind, file, [
          { path: '$', message: `not JSON: ${(error as Error).message}` },
        ]);
      }
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw invalid(part.kind, file, [{ path: '$', message: 'expected a JSON object' }]);
      const { effectiveFrom: fileEffective, ...body } = raw as Record<string, unknown>;

      // --version wins over the file's; the stored content then carries the id it is stored
      // under, so the `versions` a valued event records always name a stored version.
      const version = options.version ?? body.version;
      if (typeof version !== 'string' || version.trim() === '') {
        throw invalid(part.kind, file, [
          { path: '$.version', message: 'missing: give a version in the file or with --version' },
        ]);
      }
      let data: ReturnType<typeof part.parse>;
      try {
        data = part.parse({ ...body, version });
      } catch (error) {
        if (error instanceof ValuationReferenceDataError)
          throw invalid(part.kind, file, error.problems);
        throw error;
      }

      if (part.currency) {
        const national = loadServiceConfig('valuation').NATIONAL_CURRENCY;
        const currency = part.currency(data as never);
        if (currency !== national) {
          const path = key === 'exchangeRates' ? '$.nationalCurrency' : '$.currency';
          throw invalid(part.kind, file, [
            {
              path,
              message: `${currency}, but the national currency is ${national} (NATIONAL_CURRENCY)`,
            },
          ]);
        }
      }

      const seed = loadSeedValuationReferenceData()[key];
      if (version === seed.version && canonicalize(seed) !== canonicalize(data)) {
        throw invalid(part.kind, file, [
          {
            path: '$.version',
            message: `${version} is the shipped seed's version with another content; versions are immutable: choose a new --version`,
          },
        ]);
      }

      // Effective date: the flag, else the file's `effectiveFrom`, else the first day its
      // entries are valid (so a monthly rates file takes over when its month starts and the
      // previous version keeps serving the days before).
      const entries = part.entries(data as never);
      const firstDay = entries.map((e) => e.validFrom).sort()[0];
      let effectiveFrom: string;
      let origin: string;
      if (options.effectiveFrom !== undefined) {
        effectiveFrom = options.effectiveFrom;
        origin = '--effective-from';
      } else if (fileEffective !== undefined) {
        if (typeof fileEffective !== 'string' || Number.isNaN(Date.parse(fileEffective))) {
          throw invalid(part.kind, file, [
            {
              path: '$.effectiveFrom',
              message: `expected an ISO-8601 instant, got ${JSON.stringify(fileEffective)}`,
            },
          ]);
        }
        effectiveFrom = fileEffective;
        origin = '$.effectiveFrom';
      } else if (firstDay) {
        effectiveFrom = dayStart(firstDay);
        origin = 'first validFrom';
      } else {
        throw invalid(part.kind, file, [
          {
            path: '$.effectiveFrom',
            message: 'no dated entries to take it from: give effectiveFrom or --effective-from',
          },
        ]);
      }
      if (Number.isNaN(Date.parse(effectiveFrom)))
        throw new Error(`--effective-from ${effectiveFrom}: not an ISO-8601 instant`);

      const lastDay = entries.some((e) => e.validTo === undefined)
        ? undefined
        : entries
            .map((e) => e.validTo!)
            .sort()
            .at(-1);
      const range = !firstDay
        ? ''
        : lastDay
          ? `, entries valid ${firstDay} to ${lastDay}`
          : `, entries valid from ${firstDay} (open-ended)`;
      return {
        version,
        effectiveFrom: new Date(effectiveFrom).toISOString(),
        content: data,
        summary: `${part.describe(data as never)}${range}; effective date from ${origin}`,
      };
    },
  };
}
