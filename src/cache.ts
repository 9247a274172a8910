import { memoryKeyOf } from './key/digest';
import { encodeKey, toStringTag, UnkeyableValueError } from './key/encode';
import { MemoryTier } from './memory-tier';
import { isOptionsObject, resolveOptions, type CacheOptions, type ResolvedOptions } from './options';
import { DiskTier, type Stamped } from './disk/disk-tier';
import { registerCache } from './registry';

/** Counters of one memoized function since it was made (clear() empties the cache, not the counters). */
export interface CacheStats {
  /** Calls answered without computing: `memoryHits + diskHits`. */
  hits: number;
  /** Calls answered from the memory tier, or by joining an identical call already in progress. */
  memoryHits: number;
  /** Calls answered from IndexedDB. */
  diskHits: number;
  /** Calls that ran the function. */
  misses: number;
  /** Results evicted from the memory tier to respect `maxItems`. */
  evictions: number;
  /** Results held in the memory tier now. */
  size: number;
}

/** A function of any arguments; the constraint of {@link cache}. */
export type AnyFunction = (...args: never) => unknown;

/** The memoized counterpart of `F`: always returns a promise of `F`'s awaited result. */
export interface Memoized<F extends AnyFunction> {
  (this: ThisParameterType<F>, ...args: Parameters<F>): Promise<Awaited<ReturnType<F>>>;
  /** Removes this function's results (memory and disk). */
  clear(): Promise<void>;
  /** Removes the result for these arguments; resolves true if one was removed. */
  delete(this: unknown, ...args: Parameters<F>): Promise<boolean>;
  /** Hit, miss and eviction counters. */
  stats(): CacheStats;
}

/** Turns a function into its {@link Memoized} form; what `cache(options)` returns. */
export interface CacheDecorator {
  <F extends AnyFunction>(fn: F): Memoized<F>;
  <This, Args extends unknown[], R>(
    method: (this: This, ...args: Args) => R,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>,
  ): (this: This, ...args: Args) => R;
}

/**
 * Memoizes `fn`: repeated calls with equal arguments are answered from the cache.
 *
 * - `cache(fn, options?)` returns the memoized function.
 * - `cache(options)` returns a decorator-like function taking `fn`.
 * - `@cache` / `@cache(options)` decorate a class method (TC39 standard decorators); `this` is
 *   part of the key (its own enumerable data, unless `key` says otherwise).
 *
 * @throws TypeError or RangeError naming an invalid option
 */
export function cache<F extends AnyFunction>(fn: F, options?: CacheOptions<ThisParameterType<F>, Parameters<F>>): Memoized<F>;
export function cache(options: CacheOptions<never, never[]>): CacheDecorator;
export function cache<This, Args extends unknown[], R>(
  method: (this: This, ...args: Args) => R,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>,
): (this: This, ...args: Args) => R;
export function cache(fnOrOptions: unknown, optionsOrContext?: unknown): unknown {
  if (typeof fnOrOptions !== 'function') {
    if (fnOrOptions !== undefined && !isOptionsObject(fnOrOptions)) {
      throw new TypeError('idb-memo: cache() takes a function, a function and options, or options alone');
    }
    const resolved = resolveOptions(fnOrOptions as CacheOptions<never, never[]>);
    return (fn: unknown, context?: unknown) => wrap(fn, resolved, context);
  }
  if (isMethodContext(optionsOrContext)) return wrap(fnOrOptions, resolveOptions(), optionsOrContext);
  return wrap(fnOrOptions, resolveOptions(optionsOrContext as CacheOptions<never, never[]>), undefined);
}

function wrap(fn: unknown, options: ResolvedOptions, context: unknown): unknown {
  if (typeof fn !== 'function') throw new TypeError(`idb-memo: cache() needs a function to memoize (got ${typeof fn})`);
  if (context !== undefined && !isMethodContext(context)) {
    throw new TypeError('idb-memo: @cache decorates class methods only');
  }
  const memoized = memoize(fn as Compute, options, context !== undefined);
  if (context !== undefined && !context.static && !context.private) {
    // Give each instance its own bound view, so that `instance.method.delete()` knows its `this`.
    context.addInitializer(function (this: unknown) {
      Object.defineProperty(this, context.name, { value: bindMemoized(memoized, this), configurable: true, writable: true });
    });
  }
  return memoized;
}

function bindMemoized(memoized: Memoized<AnyFunction>, self: unknown): Memoized<AnyFunction> {
  const call = (...args: unknown[]) => memoized.apply(self as never, args as never);
  return Object.assign(call, {
    clear: memoized.clear,
    delete: (...args: unknown[]) => memoized.delete.apply(self, args as never),
    stats: memoized.stats,
  });
}

function isMethodContext(value: unknown): value is ClassMethodDecoratorContext {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'method';
}

type Compute = (this: unknown, ...args: unknown[]) => unknown;

function memoize(fn: Compute, options: ResolvedOptions, isMethod: boolean): Memoized<AnyFunction> {
  const stats = { memoryHits: 0, diskHits: 0, misses: 0, evictions: 0 };
  const memory = new MemoryTier<unknown>(options.maxItems, options.policy, () => stats.evictions++);
  const inflight = new Map<string, Promise<unknown>>();
  const { ttlMs, hashFuncs, key: customKey } = options;
  const forget = (key: string) => {
    inflight.delete(key);
    memory.delete(key);
  };
  const forgetAll = () => {
    inflight.clear();
    memory.clear();
  };
  const disk = options.toDisk ? new DiskTier(fn, options, { clear: forgetAll, delete: forget }) : undefined;

  /**
   * The `this` that belongs in the key: a decorated method's instance, or the class instance a
   * plain memoized function was called on. Plain objects (namespaces) and platform objects (a DOM
   * element calling an event handler) are not part of the key.
   */
  function selfOf(self: unknown): object | undefined {
    if (customKey !== undefined || self === null || typeof self !== 'object' || self === globalThis) return undefined;
    if (isMethod) return self;
    return Object.getPrototypeOf(self) !== Object.prototype && toStringTag(self) === 'Object' ? self : undefined;
  }

  function keyOf(self: unknown, args: unknown[]): string | Promise<string> {
    try {
      if (customKey !== undefined) return memoryKeyOf(encodeKey([customKey.apply(self, args as never[])], undefined, hashFuncs));
      return memoryKeyOf(encodeKey(args, selfOf(self), hashFuncs));
    } catch (error) {
      throw error instanceof UnkeyableValueError ? error.finish() : error;
    }
  }

  /** Runs the function: every miss goes through here. */
  function run(self: unknown, args: unknown[]): unknown {
    stats.misses++;
    return fn.apply(self, args);
  }

  async function compute(self: unknown, args: unknown[]): Promise<Stamped> {
    const value = await run(self, args);
    const storedAt = Date.now();
    return { value, storedAt, expiresAt: storedAt + ttlMs };
  }

  async function loadOrCompute(tier: DiskTier, key: string, self: unknown, args: unknown[]): Promise<Stamped> {
    const outcome = await tier.loadOrCompute(key, async () => run(self, args));
    if (outcome.fromDisk) stats.diskHits++;
    return outcome;
  }

  function lookup(key: string, self: unknown, args: unknown[]): Promise<unknown> {
    const entry = memory.get(key);
    if (entry !== undefined) {
      stats.memoryHits++;
      if (disk !== undefined) disk.touch(key);
      return entry.promise;
    }
    const pending = inflight.get(key);
    if (pending !== undefined) {
      stats.memoryHits++;
      return pending;
    }
    const stamped = disk === undefined ? compute(self, args) : loadOrCompute(disk, key, self, args);
    const result = stamped.then((answer) => answer.value);
    inflight.set(key, result);
    stamped.then(
      (answer) => {
        // A clear() or delete() while computing removed this call from `inflight`: keep nothing.
        if (inflight.get(key) !== result) return;
        inflight.delete(key);
        memory.set(key, answer.value, result, answer.storedAt, answer.expiresAt);
      },
      () => {
        if (inflight.get(key) === result) inflight.delete(key);
      },
    );
    return result;
  }

  const call = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    let key: string | Promise<string>;
    try {
      key = keyOf(this, args);
    } catch (error) {
      return Promise.reject(error);
    }
    if (typeof key === 'string') return lookup(key, this, args);
    return key.then((digested) => lookup(digested, this, args));
  };

  const memoized = Object.assign(call, {
    async clear(): Promise<void> {
      forgetAll();
      await disk?.clear();
    },
    async delete(this: unknown, ...args: unknown[]): Promise<boolean> {
      const key = await keyOf(this, args);
      const inMemory = memory.get(key) !== undefined || inflight.has(key);
      forget(key);
      const onDisk = disk === undefined ? false : await disk.delete(key);
      return inMemory || onDisk;
    },
    stats: (): CacheStats => ({ ...stats, hits: stats.memoryHits + stats.diskHits, size: memory.size }),
  }) as unknown as Memoized<AnyFunction>;
  Object.defineProperty(memoized, 'name', { value: fn.name });
  registerCache(memoized, forgetAll);
  return memoized;
}
