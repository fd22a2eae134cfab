export * from './bootstrap';
export * from './platform.module';
export * from './service-version';
export * from './tokens';
export * from './notifications';
export * from './process-once';
export * from './reference-catalog';
