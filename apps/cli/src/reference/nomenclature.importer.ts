import { createHash } from 'node:crypto';
import {
  HS_CSV_HEADER,
  NATIONAL_CSV_HEADER,
  Nomenclature,
  NomenclatureEntry,
  parseHsCsv,
  parseNationalExtensionsCsv,
} from '@customs/domain';
import { ImportOptions, ParsedReference, ReferenceImporter } from './reference-importer.model';

/**
 * Stored content of a nomenclature version; intake reads it (apps/intake/src/reference/
 * nomenclature-version.model.ts, which documents how an extension combines with its base).
 */
interface NomenclatureVersionContent {
  format: 'hs' | 'national-extensions';
  entries: NomenclatureEntry[];
}

function headerOf(text: string): string {
  const line = text.replace(/^\ufeff/, '').split(/\r?\n/, 1)[0] ?? '';
  return line
    .split(',')
    .map((f) => f.trim())
    .join(',');
}

function earliestValidFrom(entries: readonly NomenclatureEntry[]): string | null {
  let earliest: string | null = null;
  for (const e of entries)
    if (e.validFrom && (!earliest || e.validFrom < earliest)) earliest = e.validFrom;
  return earliest;
}

/**
 * `reference import nomenclature <csv>`: the HS CSV (`section,hscode,description,parent,
 * level`, a whole nomenclature, `--version` required) or national extensions
 * (`code,description,parent,validFrom,validTo`, 8/10-digit lines that extend the version in
 * force at their effectiveFrom; version defaults to `national-<content hash>`). Told apart
 * by the header. effectiveFrom: `--effective-from`, else the earliest validFrom of the file,
 * else now.
 */
export const importer: ReferenceImporter = {
  kind: 'nomenclature',
  service: 'intake',
  description: 'HS nomenclature (HS CSV) or national extensions of 8 to 10 digits',
  parse(text: string, file: string, options: ImportOptions): ParsedReference {
    const header = headerOf(text);
    let content: NomenclatureVersionContent;
    if (header === HS_CSV_HEADER.join(',')) {
      if (!options.version)
        throw new Error(
          `${file} is an HS nomenclature: --version is required (e.g. --version hs-2022.0)`,
        );
      content = { format: 'hs', entries: parseHsCsv(text) };
    } else if (header === NATIONAL_CSV_HEADER.join(',')) {
      content = { format: 'national-extensions', entries: parseNationalExtensionsCsv(text) };
    } else {
      throw new Error(
        `${file} line 1: header is '${header}', expected '${HS_CSV_HEADER.join(',')}' (HS) or '${NATIONAL_CSV_HEADER.join(',')}' (national extensions)`,
      );
    }
    if (content.entries.length === 0) throw new Error(`${file} has no entries`);
    const version =
      options.version ??
      `national-${createHash('sha256').update(JSON.stringify(content.entries)).digest('hex').slice(0, 12)}`;
    if (content.format === 'hs') {
      // The whole version must form a nomenclature (codes, levels, parents): check it now,
      // not when intake first needs it.
      new Nomenclature(version, content.entries);
    }
    const earliest = earliestValidFrom(content.entries);
    const effectiveFrom =
      options.effectiveFrom ?? (earliest ? `${earliest}T00:00:00.000Z` : new Date().toISOString());
    const byLevel = new Map<number, number>();
    for (const e of content.entries) byLevel.set(e.level, (byLevel.get(e.level) ?? 0) + 1);
    const levels = [...byLevel.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([l, n]) => `${n} of ${l} digits`)
      .join(', ');
    return {
      version,
      effectiveFrom,
      content,
      summary: `${content.format === 'hs' ? 'HS nomenclature' : 'national extensions'}, ${content.entries.length} entries (${levels})`,
    };
  },
};
