import { config } from './config';
import { withLock } from './disk/cross-tab';
import { diskTierFor } from './disk/disk-tier';
import { sessionId, sessionReady } from './disk/session';
import { memoryKeyOf } from './key/digest';
import { encodeKey, toStringTag, UnkeyableValueError } from './key/encode';
import { isOptionsObject, resolveOptions, type CacheOptions, type ResolvedOptions } from './options';
import { registerCache } from './registry';
import { orderedNow, Tier, type Stamped } from './tier';

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

/** How a call was answered when memory had no result. */
interface Answer extends Stamped {
  readonly fromDisk: boolean;
}

/**
 * The memoized function. It owns the sequence of a call: memory → call in progress → disk →
 * cross-tab lock → compute → store; the {@link Tier} keeps both tiers in step.
 */
function memoize(fn: Compute, options: ResolvedOptions, isMethod: boolean): Memoized<AnyFunction> {
  const stats = { memoryHits: 0, diskHits: 0, misses: 0, evictions: 0 };
  const { ttlMs, hashFuncs, key: customKey } = options;
  const own = options.toDisk ? undefined : new Tier<unknown>(options.maxItems, options.policy);
  const perSession = options.toDisk && options.perSession;
  let lastDb: string | undefined;
  let lastSession: string | undefined;
  let lastTier: Tier<unknown> | undefined;
  /** Every tier this function has used (`config.cachePath` may change between calls): clear() reaches them all. */
  const used = new Set<Tier<unknown>>();

  /**
   * This function's tier now: its own, or (toDisk) the shared one of its namespace in the current
   * database; undefined while a per-session function waits for its session to be known.
   */
  function tierNow(): Tier<unknown> | undefined {
    if (own) return own;
    const session = perSession ? sessionId() : undefined;
    if (perSession && session === undefined) return undefined;
    const db = options.cachePath ?? config.cachePath;
    if (db !== lastDb || session !== lastSession || !lastTier) {
      lastTier = diskTierFor(fn, options, db, session);
      used.add(lastTier);
      lastDb = db;
      lastSession = session;
    }
    return lastTier;
  }

  /** Runs `use` on the tier once it is ready; uses asked for before that run in the order they came. */
  function withTier<T>(use: (tier: Tier<unknown>) => T): T | Promise<Awaited<T>> {
    const tier = tierNow();
    if (tier === undefined) return sessionReady().then(() => withTier(use)) as Promise<Awaited<T>>;
    return tier.whenReady(() => use(tier));
  }

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
  async function compute(self: unknown, args: unknown[]): Promise<Answer> {
    stats.misses++;
    const value = await fn.apply(self, args);
    const storedAt = orderedNow();
    return { value, storedAt, expiresAt: storedAt + ttlMs, fromDisk: false };
  }

  /**
   * A cold call of a disk tier: from the disk if stored, else computed while holding a cross-tab
   * lock for the key (reading again if another tab held it first), so that tabs making the same
   * call at once compute it once. The lock is held until the result is written (`saved`).
   */
  async function fromDiskOrCompute(tier: Tier<unknown>, key: string, self: unknown, args: unknown[], saved: Promise<unknown>): Promise<Answer> {
    const stored = await tier.load(key, ttlMs, stats);
    if (stored) return { ...stored, fromDisk: true };
    const disk = tier.disk!;
    return new Promise<Answer>((resolve, reject) => {
      const task = async (waited: boolean) => {
        const found = waited ? await tier.load(key, ttlMs, stats) : undefined;
        if (found) return resolve({ ...found, fromDisk: true });
        try {
          resolve(await compute(self, args));
        } catch (error) {
          return reject(error);
        }
        await saved;
      };
      withLock(`idb-memo:${disk.store.connection.name}:${disk.ns}:${disk.diskKeyOf(key)}`, task).catch(reject);
    });
  }

  function lookup(tier: Tier<unknown>, key: string, self: unknown, args: unknown[]): Promise<unknown> {
    const entry = tier.get(key, ttlMs);
    if (entry !== undefined) {
      if (entry.owner === stats) stats.memoryHits++;
      else {
        // Brought into memory by another function of the same namespace: for this one, read from the disk tier.
        stats.diskHits++;
        entry.owner = stats;
      }
      return entry.promise!;
    }
    const pending = tier.inflight.get(key);
    if (pending !== undefined) {
      stats.memoryHits++;
      tier.useOnDisk(key);
      return pending;
    }
    const startedAt = orderedNow();
    let markSaved: (saved: Promise<unknown>) => void = () => {};
    const saved = new Promise<unknown>((resolve) => (markSaved = resolve));
    const answer = tier.disk ? fromDiskOrCompute(tier, key, self, args, saved) : compute(self, args);
    const result = answer.then((answered) => answered.value);
    tier.inflight.set(key, result);
    answer.then(
      (answered) => {
        // A clear() or delete() while computing removed this call from `inflight`: keep nothing.
        if (tier.inflight.get(key) !== result) return markSaved(Promise.resolve());
        tier.inflight.delete(key);
        if (answered.fromDisk) {
          stats.diskHits++;
          return markSaved(Promise.resolve());
        }
        const stored = tier.set(key, answered, stats, startedAt);
        stats.evictions += stored.evicted;
        markSaved(stored.saved);
      },
      () => {
        if (tier.inflight.get(key) === result) tier.inflight.delete(key);
        markSaved(Promise.resolve());
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
    if (typeof key === 'string') return withTier((tier) => lookup(tier, key, this, args));
    return key.then((digested) => withTier((tier) => lookup(tier, digested, this, args)));
  };

  function remove(self: unknown, args: unknown[]): Promise<boolean> {
    const key = keyOf(self, args);
    if (typeof key === 'string') return Promise.resolve(withTier((tier) => tier.delete(key)));
    return key.then((digested) => withTier((tier) => tier.delete(digested)));
  }

  const memoized = Object.assign(call, {
    async clear(): Promise<void> {
      const others = [...used].filter((tier) => tier !== lastTier);
      await Promise.all([withTier((tier) => tier.clear()), ...others.map((tier) => tier.whenReady(() => tier.clear()))]);
    },
    delete(this: unknown, ...args: unknown[]): Promise<boolean> {
      try {
        return remove(this, args);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    stats: (): CacheStats => ({ ...stats, hits: stats.memoryHits + stats.diskHits, size: tierNow()?.size ?? 0 }),
  }) as unknown as Memoized<AnyFunction>;
  Object.defineProperty(memoized, 'name', { value: fn.name });
  // A disk tier is registered by itself (src/disk/disk-tier.ts): clearing it here would do nothing more.
  // The inspector looks at the tier of the last call (`config.cachePath` may have changed since).
  registerCache(memoized, () => own?.dropAll(), () => [lastTier ?? tierNow(), options]);
  return memoized;
}
