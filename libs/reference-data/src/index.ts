export * from './nomenclature';
export * from './risk';
export * from './valuation';
export * from './accounts';
export * from './border-posts';
