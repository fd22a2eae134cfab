import { Nomenclature, NomenclatureEntry, NomenclatureLevel } from '@customs/domain';
import seed from './seed-nomenclature.json';

/**
 * A small nomenclature shipped with the code so the system works out of the box: 293 HS
 * 2022 subheadings from 54 headings in 34 chapters (with their headings and chapters),
 * chosen for common trade plus arms (9301-9306) and aircraft (8802), and a few illustrative
 * national extensions with validity dates:
 * - 870380 split into 87038010/87038090 (2022-01-01), and 87038010 split again into
 *   8703801010/8703801090 from 2025-01-01;
 * - 85171300 under 851713, withdrawn on 2023-12-31 (so 851713 is declarable again after);
 * - 090111 split into 09011110/09011190 from 2024-07-01.
 * Generated from the HS CSV of the `datasets/harmonized-system` package (see the JSON's
 * `source`). Real deployments import the full nomenclature (`reference import`).
 */
export const SEED_NOMENCLATURE_VERSION = seed.version;

interface SeedEntry {
  code: string;
  description: string;
  parent: string | null;
  level: number;
  section: string | null;
  validFrom: string | null;
  validTo: string | null;
}

let cached: Nomenclature | undefined;

/** The seed as a Nomenclature (version `seed-2022.1`); built once, it is immutable. */
export function loadSeedNomenclature(): Nomenclature {
  if (!cached) {
    const entries: NomenclatureEntry[] = (seed.entries as SeedEntry[]).map((e) => ({
      ...e,
      level: e.level as NomenclatureLevel,
    }));
    cached = new Nomenclature(seed.version, entries);
  }
  return cached;
}

/** Codes of the seed declarable at `date` (leaves valid then), sorted. */
export function seedDeclarableCodes(date: string): string[] {
  return loadSeedNomenclature().declarableCodes(date);
}
