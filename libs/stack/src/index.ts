export * from './local-stack';
export * from './process-tools';
export * from './stack-paths';
export * from './service-runner';
export * from './auth-keys';
export * from './checkpoint-keys';
