export * from './mrn/mrn';
export * from './audit/chain.verifier';
export * from './nomenclature';
export * from './declaration';
export * from './risk';
export * from './valuation';
export * from './release';
// Both engines validate decimal strings the same way; one name for the lib.
export { isDecimalString } from './valuation';
export * from './audit/checkpoint-history';
export * from './audit/checkpoint-audit.engine';
export * from './audit/log-checkpointer';
