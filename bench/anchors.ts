/**
 * The memoizers front-end engineers use today, each set up the way its documentation suggests
 * for a promise-returning function of one argument. `keyOf` turns an argument into a cache key
 * (JSON.stringify for objects, as those libraries' docs show); when it is absent the library's
 * own default for primitive arguments is used.
 */
import { LRUCache } from 'lru-cache';
import memoizee from 'memoizee';
import pMemoize from 'p-memoize';

export type AsyncFn<A, R> = (arg: A) => Promise<R>;

export interface Anchor {
  name: string;
  make<A, R>(fn: AsyncFn<A, R>, keyOf?: (arg: A) => string): AsyncFn<A, R>;
}

/** p-memoize: `pMemoize(fn)`; with `cacheKey` for object arguments. */
export const pMemoizeAnchor: Anchor = {
  name: 'p-memoize',
  make: (fn, keyOf) => (keyOf ? pMemoize(fn, { cacheKey: ([arg]) => keyOf(arg) }) : pMemoize(fn)),
};

/** memoizee with `promise: true` (`primitive: true` for strings, a `normalizer` for objects). */
export const memoizeeAnchor: Anchor = {
  name: 'memoizee',
  make: <A, R>(fn: AsyncFn<A, R>, keyOf?: (arg: A) => string) =>
    keyOf
      ? memoizee(fn, { promise: true, length: 1, normalizer: (args) => keyOf((args as unknown as [A])[0]) })
      : memoizee(fn, { promise: true, length: 1, primitive: true }),
};

/** lru-cache: `get`, and on a miss call and `set` the promise; the caller awaits. */
export const lruCacheAnchor: Anchor = {
  name: 'lru-cache',
  make<A, R>(fn: AsyncFn<A, R>, keyOf?: (arg: A) => string): AsyncFn<A, R> {
    const lru = new LRUCache<string, Promise<R>>({ max: 10_000 });
    return (arg) => {
      const key = keyOf ? keyOf(arg) : (arg as string);
      let promise = lru.get(key);
      if (promise === undefined) {
        promise = fn(arg);
        lru.set(key, promise);
      }
      return promise;
    };
  },
};

/** The floor: a bare `Map` of promises; the caller awaits. */
export const mapFloorAnchor: Anchor = {
  name: 'Map + await (floor)',
  make<A, R>(fn: AsyncFn<A, R>, keyOf?: (arg: A) => string): AsyncFn<A, R> {
    const map = new Map<string, Promise<R>>();
    return (arg) => {
      const key = keyOf ? keyOf(arg) : (arg as string);
      let promise = map.get(key);
      if (promise === undefined) {
        promise = fn(arg);
        map.set(key, promise);
      }
      return promise;
    };
  },
};

export const MEMORY_ANCHORS: readonly Anchor[] = [pMemoizeAnchor, memoizeeAnchor, lruCacheAnchor, mapFloorAnchor];
