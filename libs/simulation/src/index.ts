export * from './border-post.simulator';
export * from './declaration.generator';
export * from './generator-pricing';
export * from './hs-codes.loader';
export * from './outcome.watcher';
