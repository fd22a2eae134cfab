import { valuationImporter } from '../../../valuation/src/reference/valuation-importer.factory';
import { ReferenceImporter } from './reference-importer.model';

/**
 * `customs reference import reference-prices <file.json>`: a new version of the valuation
 * service's reference-prices data: expected unit values per kg net by code prefix and origin,
 * behind UNDERVALUATION alerts (reference-prices.seed.json). Version and effective date come
 * from the file (`version`, `effectiveFrom`); the flags override.
 */
export const importer: ReferenceImporter = valuationImporter('referencePrices');
