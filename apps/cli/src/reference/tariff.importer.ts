import { valuationImporter } from '../../../valuation/src/reference/valuation-importer.factory';
import { ReferenceImporter } from './reference-importer.model';

/**
 * `customs reference import tariff <file.json>`: a new version of the valuation service's
 * tariff data: third-country and preferential duty expressions by commodity-code prefix, with
 * validity dates (TARIC-like JSON, shaped like libs/reference-data/src/valuation/tariff-
 * measures.seed.json). Version and effective date come from the file (`version`,
 * `effectiveFrom`); the flags override.
 */
export const importer: ReferenceImporter = valuationImporter('tariff');
