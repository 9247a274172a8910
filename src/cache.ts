import { config } from './config';
import { diskModule, loadDisk } from './disk/lazy';
import { opaqueSource } from './key/classes';
import { memoryKeyOf } from './key/digest';
import { encodeKey, UnkeyableValueError } from './key/encode';
import { IdbMemoTypeError } from './errors';
import { describe, isOptionsObject, resolveOptions, type ResolvedOptions } from './options';
import type { AnyFunction, CacheControls, CacheFunction, CacheOptions, CacheStats, Memoized } from './types';
import { listenForWipes, registerCache, wipeCount, wipedSince } from './registry';
import { orderedNow, Tier, type Stamped } from './tier';

/**
 * Memoizes `fn`: repeated calls with equal arguments are answered from the cache. See
 * {@link CacheFunction} for its forms: `cache(fn, options?)`, `cache(options)(fn)`, `@cache`.
 */
export const cache = function cache(fnOrOptions?: unknown, optionsOrContext?: unknown): unknown {
  if (typeof fnOrOptions !== 'function') {
    if (fnOrOptions !== undefined && !isOptionsObject(fnOrOptions)) {
      throw new IdbMemoTypeError('INVALID_ARGUMENT', 'idb-memo: cache() takes a function, a function and options, or options alone');
    }
    const resolved = resolveOptions(fnOrOptions as CacheOptions<never, never>);
    return (fn: unknown, context?: unknown) => wrap(fn, resolved, context);
  }
  if (isMethodContext(optionsOrContext)) return wrap(fnOrOptions, resolveOptions(), optionsOrContext);
  return wrap(fnOrOptions, resolveOptions(optionsOrContext as CacheOptions<never, never>), undefined);
} as CacheFunction;

/** Every memoized function and bound method view: what {@link cacheOf} accepts. */
const memoizedFunctions = new WeakSet<object>();

/**
 * The cache controls (`clear`, `delete`, `stats`) of a memoized function or of an `@cache` method,
 * typed: `cacheOf(explorer.fetchData).delete()` removes the result of `explorer.fetchData()`.
 * @throws IdbMemoTypeError (`NOT_MEMOIZED`) when `fn` is not memoized by this library
 */
export function cacheOf<F extends AnyFunction>(fn: F): CacheControls<Parameters<F>> {
  if (typeof fn !== 'function' || !memoizedFunctions.has(fn)) {
    throw new IdbMemoTypeError('NOT_MEMOIZED', `idb-memo: cacheOf() takes a function memoized by cache() or an @cache method (got ${describe(fn)})`);
  }
  return fn as unknown as CacheControls<Parameters<F>>;
}

function wrap(fn: unknown, options: ResolvedOptions, context: unknown): unknown {
  if (typeof fn !== 'function') throw new IdbMemoTypeError('INVALID_ARGUMENT', `idb-memo: cache() needs a function to memoize (got ${typeof fn})`);
  if (context !== undefined && !isMethodContext(context)) {
    throw new IdbMemoTypeError('INVALID_ARGUMENT', 'idb-memo: @cache decorates class methods only');
  }
  if (options.toDisk && options.name === undefined) {
    const opaque = opaqueSource(fn as Compute);
    if (opaque !== undefined) {
      throw new TypeError(
        `idb-memo: toDisk needs a \`name\` option for ${opaque}: its source text is not its own, so it cannot name the function's stored results (every such function would share them)`,
      );
    }
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
  const view = Object.assign(call, {
    clear: memoized.clear,
    delete: (...args: unknown[]) => memoized.delete.apply(self, args as never),
    stats: memoized.stats,
  });
  memoizedFunctions.add(view);
  return view;
}

/**
 * Whether `fn` may read a call's `this`: its source says `this` or `super`, or cannot be read (a
 * native or proxied function: `Array.prototype.join`). A bound function cannot.
 */
function mentionsThis(fn: Compute): boolean {
  const opaque = opaqueSource(fn);
  if (opaque !== undefined) return !fn.name.startsWith('bound ');
  return /\b(?:this|super)\b/.test(Function.prototype.toString.call(fn));
}

/** Whether `fn` is an arrow function (no `prototype`, source `(…) =>`, `x =>`, `async …`). */
function isArrowFunction(fn: Compute): boolean {
  if (Object.prototype.hasOwnProperty.call(fn, 'prototype')) return false;
  try {
    return /^(?:async\s*)?(?:\(|[\p{ID_Start}$_][\p{ID_Continue}$]*\s*=>)/u.test(Function.prototype.toString.call(fn));
  } catch {
    return false;
  }
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
  /** Keys of disk entries must mean the same in the next page. */
  const persistent = options.toDisk;
  /** A method's `this` is part of its key; a function's when it can read it (not an arrow function, and its source says `this`). */
  const keysThis = isMethod || (!isArrowFunction(fn) && mentionsThis(fn));
  const own = options.toDisk ? undefined : new Tier<unknown>(options.maxItems, options.policy);
  const perSession = options.toDisk && options.perSession;
  // Another tab's clearCaches() (a logout) empties this function's memory tier too.
  listenForWipes();
  if (options.toDisk) void loadDisk();
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
    const disk = diskModule();
    if (!disk) return undefined;
    const session = perSession ? disk.sessionId() : undefined;
    if (perSession && session === undefined) return undefined;
    const db = options.cachePath ?? config.cachePath;
    if (db !== lastDb || session !== lastSession || !lastTier) {
      lastTier = disk.diskTierFor(fn, options, db, session);
      used.add(lastTier);
      lastDb = db;
      lastSession = session;
    }
    return lastTier;
  }

  /**
   * Runs `use` on the tier once it is ready (the disk tier loaded, the session known); uses asked
   * for before that run in the order they came.
   */
  function withTier<T>(use: (tier: Tier<unknown>) => T): T | Promise<Awaited<T>> {
    const tier = tierNow();
    if (tier === undefined) {
      const disk = diskModule();
      return (disk ? disk.sessionReady() : loadDisk()).then(() => withTier(use)) as Promise<Awaited<T>>;
    }
    return tier.whenReady(() => use(tier));
  }

  /**
   * The `this` that belongs in the key: a decorated method's instance, or the `this` a function
   * that reads it was called with, unless there is none (undefined, or the global object of a
   * plain call in sloppy mode).
   */
  function selfOf(self: unknown): unknown {
    return customKey !== undefined || !keysThis || self === globalThis ? undefined : self;
  }

  function keyOf(self: unknown, args: unknown[]): string | Promise<string> {
    try {
      if (customKey !== undefined) return memoryKeyOf(encodeKey([customKey.apply(self, args as never[])], undefined, hashFuncs, persistent));
      return memoryKeyOf(encodeKey(args, selfOf(self), hashFuncs, persistent));
    } catch (error) {
      throw error instanceof UnkeyableValueError ? error.finish() : error;
    }
  }

  /** Runs the function: every miss goes through here. */
  async function compute(self: unknown, args: unknown[]): Promise<Answer> {
    stats.misses++;
    const value = await fn.apply(self, args);
    return { value, storedAt: 0, expiresAt: 0, fromDisk: false }; // stamped when stored
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
      diskModule()!.withLock(`idb-memo:${disk.store.connection.name}:${disk.ns}:${disk.diskKeyOf(key)}`, task).catch(reject);
    });
  }

  /** A call made at `startedAt` (when it was made, though it reached its tier later) of `key`. */
  function lookup(tier: Tier<unknown>, key: string, self: unknown, args: unknown[], startedAt: number): Promise<unknown> {
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
    let markSaved: (saved: Promise<unknown>) => void = () => {};
    const saved = new Promise<unknown>((resolve) => (markSaved = resolve));
    // In `inflight` before the function runs: a delete() or clear() it makes itself drops this call.
    let settle!: { resolve: (value: unknown) => void; reject: (error: unknown) => void };
    const result = new Promise<unknown>((resolve, reject) => (settle = { resolve, reject }));
    tier.inflight.set(key, result);
    const answer = tier.disk ? fromDiskOrCompute(tier, key, self, args, saved) : compute(self, args);
    /** Keeps `answered` (unless removed meanwhile); what is being written, to release the cross-tab lock after. */
    const keep = (answered: Answer): Promise<unknown> | undefined => {
      // A clear() or delete() while computing removed this call from `inflight`: keep nothing.
      if (tier.inflight.get(key) !== result) return;
      tier.inflight.delete(key);
      if (answered.fromDisk) {
        stats.diskHits++;
        return;
      }
      // Stamped as it enters memory, so that both tiers order it among other entries alike.
      const storedAt = orderedNow();
      const stored = tier.set(key, { ...answered, storedAt, expiresAt: storedAt + ttlMs }, stats, startedAt);
      stats.evictions += stored.evicted;
      return stored.saved;
    };
    answer.then(
      (answered) => {
        settle.resolve(answered.value);
        let saved: Promise<unknown> | undefined;
        try {
          saved = keep(answered);
        } finally {
          // Always: the cross-tab lock of this key is held until then.
          markSaved(saved ?? Promise.resolve());
        }
      },
      (error: unknown) => {
        settle.reject(error);
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
    // A call still waiting for its tier (being loaded) or its key (being digested) when the caches
    // are wiped belongs before the wipe: it is answered, and stores nothing.
    const wipes = wipeCount();
    const startedAt = orderedNow();
    const use = (tier: Tier<unknown>, digested: string) =>
      !wipedSince(wipes, startedAt)
        ? lookup(tier, digested, this, args, startedAt)
        : compute(this, args).then((answered) => answered.value);
    if (typeof key === 'string') return withTier((tier) => use(tier, key));
    return key.then((digested) => withTier((tier) => use(tier, digested)));
  };

  /** Runs `use` on the tier of now and on every other tier this function used (`config.cachePath` may have changed). */
  function onEveryTier<T>(use: (tier: Tier<unknown>) => Promise<T>): Promise<T[]> {
    const now = tierNow();
    const others = [...used].filter((tier) => tier !== now);
    return Promise.all([withTier(use), ...others.map((tier) => tier.whenReady(() => use(tier)))]);
  }

  function remove(key: string | Promise<string>, at: number): Promise<boolean> {
    // A known key reaches the tier at once, before any call made after this delete().
    const removeKey = (digested: string) => onEveryTier((tier) => tier.delete(digested, at)).then((removed) => removed.includes(true));
    return typeof key === 'string' ? removeKey(key) : key.then(removeKey);
  }

  const memoized = Object.assign(call, {
    async clear(): Promise<void> {
      const at = orderedNow();
      await onEveryTier((tier) => tier.clear(undefined, at));
    },
    delete(this: unknown, ...args: unknown[]): Promise<boolean> {
      try {
        // Stamped when asked for: calls made after it, even those that reach the tier first, are kept.
        return remove(keyOf(this, args), orderedNow());
      } catch (error) {
        return Promise.reject(error);
      }
    },
    stats: (): CacheStats => ({ ...stats, hits: stats.memoryHits + stats.diskHits, size: tierNow()?.size ?? 0 }),
  }) as unknown as Memoized<AnyFunction>;
  Object.defineProperty(memoized, 'name', { value: fn.name });
  memoizedFunctions.add(memoized);
  // A disk tier is registered by itself (src/disk/disk-tier.ts): clearing it here would do nothing more.
  // The inspector looks at the tier of the last call (`config.cachePath` may have changed since).
  registerCache(memoized, () => own?.dropAll(), () => [lastTier ?? tierNow(), options]);
  return memoized;
}
