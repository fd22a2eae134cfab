import { NomenclatureEntry } from '@customs/domain';

/**
 * The content of a stored `nomenclature` reference version (written by
 * `customs reference import nomenclature <csv>`):
 * - `hs`: a complete nomenclature (the HS CSV, 2 to 6 digits, possibly with national lines);
 *   it replaces whatever was in force before its effectiveFrom.
 * - `national-extensions`: the national lines (8 and 10 digits, with validity dates) of a
 *   country's tariff, complete. It is not a whole nomenclature: it extends the `hs` version
 *   (or the seed) that was in force at its own effectiveFrom among the versions imported
 *   before it, a line of the extension replacing a line of the base with the same code.
 *   Extensions do not stack: a new extension file replaces the previous one. The composed
 *   version is named `<hs version>+<extension version>`, and that is what an acceptance
 *   records, so an auditor can rebuild it from the two immutable versions; since only
 *   earlier imports count, importing something later never changes what a version means.
 *   A new HS base does not carry an earlier extension over: import it again on top.
 */
export interface NomenclatureVersionContent {
  format: 'hs' | 'national-extensions';
  entries: NomenclatureEntry[];
}

export const NOMENCLATURE_KIND = 'nomenclature';
