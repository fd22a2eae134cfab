export * from './auth-config';
export * from './auth.decorators';
export * from './auth.guard';
export * from './identity';
export * from './identity-throttler.guard';
export * from './jwt.verifier';
export * from './ownership';
export * from './body-depth.middleware';
