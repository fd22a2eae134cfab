export * from './seed-accounts.loader';
