// Repositories of the release service; exported through the lib index.
export * from './notification.model';
export * from './notification.repository';
export * from './notification.mongo-repository';
