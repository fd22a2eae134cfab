import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/** Where the project's shared folder keeps the full HS 2022 file, relative to the repository. */
export const HS2022_CSV_RELATIVE = '../shared/data/hs2022/harmonized-system.csv';

/**
 * The 6-digit subheadings (the leaves) of the `datasets/harmonized-system` CSV
 * (section,hscode,description,parent,level), sorted; null when the file is absent.
 */
export function hsLeafCodes(csvPath: string): string[] | null {
  if (!existsSync(csvPath)) return null;
  const rows = parse(readFileSync(csvPath, 'utf8'), { columns: true, skip_empty_lines: true }) as {
    hscode: string;
    level: string;
  }[];
  const codes = rows
    .filter((r) => r.level === '6' && /^\d{6}$/.test(r.hscode))
    .map((r) => r.hscode);
  if (codes.length === 0)
    throw new Error(`${csvPath}: no 6-digit subheadings (level 6 rows) found`);
  return [...new Set(codes)].sort();
}
