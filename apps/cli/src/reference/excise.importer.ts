import { valuationImporter } from '../../../valuation/src/reference/valuation-importer.factory';
import { ReferenceImporter } from './reference-importer.model';

/**
 * `customs reference import excise <file.json>`: a new version of the valuation service's
 * excise data: excise duty expressions by code prefix (excise-measures.seed.json). Version and
 * effective date come from the file (`version`, `effectiveFrom`); the flags override.
 */
export const importer: ReferenceImporter = valuationImporter('excise');
