// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- a global declaration (no module to import): declaration builds need it
/// <reference path="./env.d.ts" />
export { cache, cacheOf } from './cache';
export type { AnyFunction, AsyncMethodsOnly, CacheControls, CacheDecorator, CacheFunction, CacheResult, CacheStats, ExperimentalDecoratorsUnsupported, KeyDoesNotFit, Memoized, MethodContext } from './types';
export { config, configure } from './config';
export type { Config } from './config';
export { ClearBlockedError, IdbMemoError, IdbMemoRangeError, IdbMemoTypeError, isIdbMemoError } from './errors';
export type { ErrorCode, IdbMemoFailure, WarningCode } from './errors';
export { UnkeyableValueError } from './key/encode';
export type { CacheOptions, CacheOptionsBase, CacheOptionsWithList, MemoryCacheOptions, ToDiskCacheOptions, UncheckedCacheOptions, Constructor, HashFuncEntry, HashFuncList, HashFuncs, Hasher, ValueMatcher } from './types';
export type { Policy } from './policies';
export { clearCaches, flushCaches } from './registry';
export { cachedFetch, createCachedFetch } from './fetch/cached-fetch';
export type { CachedFetch } from './fetch/cached-fetch';
export type { FetchCacheOptions, FetchStrategy } from './fetch/options';
export { cacheStatus } from './fetch/response';
export type { CacheStatus } from './fetch/response';
export { clearFetchCache } from './fetch/shelf';
export { inspect, inspectCaches } from './inspect/inspect';
export type { InspectedCache, InspectedEntry, InspectedPage, StorageUse } from './inspect/inspect';
