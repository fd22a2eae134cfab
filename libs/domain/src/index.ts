export * from './mrn/mrn';
