export * from './border-post.simulator';
export * from './declaration.generator';
export * from './outcome.watcher';
