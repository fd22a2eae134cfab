export * from './border-post.registry';
export * from './declaration.rules';
export * from './declaration.validator';
export * from './declaration.fixture';
export * from './procedure-codes.table';
export * from './rejection-codes.model';
