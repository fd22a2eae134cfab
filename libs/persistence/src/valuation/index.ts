// Repositories and store access of the valuation service; exported through the lib index.
export * from './valuation-store.connection';
