/**
 * One kind of reference data that `customs reference import <kind> <file>` knows. Each kind
 * lives in a file `<kind>.importer.ts` in this folder exporting `importer`; the command
 * finds them all, so adding a kind touches no shared file.
 */
export interface ReferenceImporter {
  /** The <kind> word on the command line, e.g. `nomenclature`, `risk-rules`, `tariff`. */
  kind: string;
  /** The service whose database keeps this kind (customs_<service>). */
  service: 'intake' | 'risk' | 'valuation' | 'release';
  description: string;
  /**
   * Reads and checks the file. Throws an Error whose message names the problem (line, JSON
   * path) when the file is not valid; nothing is stored then.
   */
  parse(text: string, file: string, options: ImportOptions): ParsedReference;
}

export interface ImportOptions {
  /** --version: overrides or supplies the version id. */
  version?: string;
  /** --effective-from: ISO-8601 instant. */
  effectiveFrom?: string;
}

export interface ParsedReference {
  version: string;
  effectiveFrom: string;
  content: unknown;
  /** A line for people: how many entries, what range. */
  summary: string;
}
