export * from './service-config';
export * from './checkpointer-config';
