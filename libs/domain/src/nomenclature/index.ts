export * from './nomenclature.model';
export * from './nomenclature.errors';
export * from './nomenclature-csv.parser';
export { isIsoDate, assertIsoDate, isWithin } from './iso-date.util';
