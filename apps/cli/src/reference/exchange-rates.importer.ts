import { valuationImporter } from '../../../valuation/src/reference/valuation-importer.factory';
import { ReferenceImporter } from './reference-importer.model';

/**
 * `customs reference import exchange-rates <file.json>`: a new version of the valuation
 * service's exchange-rates data: rates into the national currency with validity periods (e.g.
 * one file a month; by default the version takes effect on the first day its rates are valid),
 * shaped like exchange-rates.seed.json. Version and effective date come from the file
 * (`version`, `effectiveFrom`); the flags override.
 */
export const importer: ReferenceImporter = valuationImporter('exchangeRates');
