import { valuationImporter } from '../../../valuation/src/reference/valuation-importer.factory';
import { ReferenceImporter } from './reference-importer.model';

/**
 * `customs reference import vat <file.json>`: a new version of the valuation service's vat
 * data: the standard rate and reduced rates by code prefix (vat-rates.seed.json). Version and
 * effective date come from the file (`version`, `effectiveFrom`); the flags override.
 */
export const importer: ReferenceImporter = valuationImporter('vat');
