// Repositories of the intake service; exported through the lib index.
export * from './idempotency-key.model';
export * from './idempotency-key.repository';
export * from './idempotency-key.mongo-repository';
export * from './declaration-version.model';
export * from './declaration-version.repository';
export * from './declaration-version.mongo-repository';
