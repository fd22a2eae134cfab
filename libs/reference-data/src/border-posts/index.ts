export * from './seed-border-posts.loader';
