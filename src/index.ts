export { cache } from './cache';
export type { AnyFunction, CacheDecorator, CacheStats, Memoized } from './cache';
export { config, configure } from './config';
export type { Config } from './config';
export type { CacheOptions, HashFuncs, ValueMatcher } from './options';
export type { Policy } from './policies';
export { clearCaches } from './registry';
