export { loadSeedValuationReferenceData } from './valuation-seed.loader';
