export * from './seed-nomenclature.loader';
