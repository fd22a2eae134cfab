import { valuationImporter } from '../../../valuation/src/reference/valuation-importer.factory';
import { ReferenceImporter } from './reference-importer.model';

/**
 * `customs reference import preferences <file.json>`: a new version of the valuation service's
 * preferences data: preference agreements and the origin countries they cover, with validity
 * dates (preference-agreements.seed.json). Version and effective date come from the file
 * (`version`, `effectiveFrom`); the flags override.
 */
export const importer: ReferenceImporter = valuationImporter('preferences');
