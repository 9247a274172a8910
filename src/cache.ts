import { config } from './config';
import { IdbMemoTypeError } from './errors';
import { isExpired, type Entry, type Moment, type Stored } from './memory';
import { digestOf, finishKey } from './key/digest';
import { encodeCall, isNoThis } from './key/encode';
import { describe, invalid, isOptionsObject, resolveOptions, type ResolvedOptions } from './options';
import { loadDisk, loadedDisk, logoutCount, register, type Registered } from './registry';
import { sharedTiers, Tiers } from './tiers';
import type { AnyFunction, CacheControls, CacheFunction, CacheOptions, CacheStats, Memoized } from './types';
import type { Read, Since } from './disk/index';

/**
 * Memoizes `fn`: repeated calls with equal arguments are answered from the cache. See
 * {@link CacheFunction} for its forms: `cache(fn, options?)`, `cache(options)(fn)`, `@cache`.
 */
export const cache = function cache(fnOrOptions?: unknown, optionsOrContext?: unknown): unknown {
  if (arguments.length === 3) legacyDecorator();
  if (typeof fnOrOptions !== 'function') {
    if (fnOrOptions !== undefined && !isOptionsObject(fnOrOptions)) {
      throw new IdbMemoTypeError('INVALID_ARGUMENT', __DEV__ && 'idb-memo: cache() takes a function, a function and options, or options alone');
    }
    const resolved = resolveOptions(fnOrOptions as CacheOptions<never, never>);
    return function (fn: unknown, context?: unknown) {
      if (arguments.length === 3) legacyDecorator();
      return wrap(fn, resolved, context);
    };
  }
  if (isMethodContext(optionsOrContext)) return wrap(fnOrOptions, resolveOptions(), optionsOrContext);
  return wrap(fnOrOptions, resolveOptions(optionsOrContext as CacheOptions<never, never>), undefined);
} as CacheFunction;

/** A decorator called as TypeScript's `experimentalDecorators` call them: `(prototype, name, descriptor)`. */
function legacyDecorator(): never {
  throw new IdbMemoTypeError(
    'INVALID_ARGUMENT',
    __DEV__ &&
      'idb-memo: @cache is a standard (TC39) decorator, but this code was compiled with `experimentalDecorators: true`. Remove `experimentalDecorators` from tsconfig.json (TypeScript 5+ compiles standard decorators), or call cache(fn) without the decorator syntax',
  );
}

/** What the library knows of each memoized function and bound method view (for cacheOf() and the inspector). */
export const memoized = new WeakMap<object, MemoizedInfo>();

/** A memoized function as the registry (logouts) and the inspector see it. */
export interface MemoizedInfo extends Registered {
  readonly name: string;
  readonly options: ResolvedOptions;
  /** Its tiers of now (or of its last call), if they are ready. */
  tiers(): Tiers | undefined;
  stats(): CacheStats;
}

/**
 * The cache controls (`clear`, `delete`, `stats`) of a memoized function or of an `@cache` method,
 * typed: `cacheOf(explorer.fetchData).delete()` removes the result of `explorer.fetchData()`.
 * @throws IdbMemoTypeError (`NOT_MEMOIZED`) when `fn` is not memoized by this library
 */
export function cacheOf<F extends AnyFunction>(fn: F): CacheControls<Parameters<F>> {
  if (!memoized.has(fn)) throw notMemoized('cacheOf()', fn);
  return fn as unknown as CacheControls<Parameters<F>>;
}

/** The `NOT_MEMOIZED` error of `what`, given `fn`. */
export function notMemoized(what: string, fn: unknown): IdbMemoTypeError {
  return new IdbMemoTypeError('NOT_MEMOIZED', __DEV__ && `idb-memo: ${what} takes a function made by cache() or an @cache method (got ${describe(fn)})`);
}

function isMethodContext(value: unknown): value is ClassMethodDecoratorContext {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'method';
}

type Compute = (this: unknown, ...args: unknown[]) => unknown;

function wrap(fn: unknown, options: ResolvedOptions, context: unknown): unknown {
  if (typeof fn !== 'function') throw new IdbMemoTypeError('INVALID_ARGUMENT', __DEV__ && `idb-memo: cache() needs a function to memoize (got ${describe(fn)})`);
  if (context !== undefined && !isMethodContext(context)) throw new IdbMemoTypeError('INVALID_ARGUMENT', __DEV__ && 'idb-memo: @cache decorates class methods only');
  if (context !== undefined && options.toDisk && !options.key) {
    // A method's `this` is an instance, which a stored result cannot name after a reload.
    throw new IdbMemoTypeError(
      'INVALID_OPTION',
      __DEV__ && `idb-memo: a toDisk method (${String(context.name)}) needs a \`key\` option, e.g. key() { return this.dataset }: its \`this\` is an instance, which a stored result cannot name`,
      'key',
    );
  }
  const made = memoize(fn as Compute, options);
  if (context !== undefined && !context.static && !context.private) {
    // Each instance gets its own bound view, so that `instance.method.delete()` knows its `this`.
    context.addInitializer(function (this: unknown) {
      Object.defineProperty(this, context.name, { value: bind(made, this), configurable: true, writable: true });
    });
  }
  return made;
}

function bind(made: Memoized<AnyFunction>, self: unknown): Memoized<AnyFunction> {
  const view = Object.assign((...args: unknown[]) => made.apply(self as never, args as never), {
    clear: made.clear,
    delete: (...args: unknown[]) => made.delete.apply(self, args as never),
    stats: made.stats,
  });
  memoized.set(view, memoized.get(made)!);
  return view;
}

/** How a call was answered when memory had no result. */
interface Outcome {
  readonly value: unknown;
  /** Read from the disk: its record's times and uses, and the moment of the call. */
  readonly stored?: Stored;
  readonly diskKey?: string;
  /** What the call's disk read saw (computed results only): its write checks it. */
  readonly since?: Since;
}

/**
 * The memoized function. It owns the sequence of a call: memory → call in progress → disk →
 * cross-tab lock → compute → memory and disk.
 */
function memoize(fn: Compute, options: ResolvedOptions): Memoized<AnyFunction> {
  const { ttlMs, hashFuncs, key: customKey, toDisk, perSession } = options;
  const stats = { memoryHits: 0, diskHits: 0, misses: 0, evictions: 0 };
  const own = toDisk ? undefined : new Tiers(options.maxItems, options.policy);
  /** Whether a single string argument (no `this`) can be its own key: the commonest call costs one map lookup. */
  const plainStrings = hashFuncs.length === 0 && !customKey;
  let last: Tiers | undefined;
  let lastDb: string | undefined;
  let lastSession: string | undefined;
  /** Every tier this function used (`config.cachePath` may change between calls): clear() reaches them all. */
  const used = new Set<Tiers>();
  if (toDisk) void loadDisk();

  /** The tiers of a call now: undefined while the disk tier loads, or a per-session function waits for its session. */
  function tiersNow(): Tiers | undefined {
    if (own) return own;
    const disk = loadedDisk();
    const session = perSession ? disk?.sessionId() : undefined;
    if (!disk || (perSession && session === undefined)) return undefined;
    const db = options.cachePath ?? config.cachePath;
    if (db !== lastDb || session !== lastSession || !last) {
      const ns = `${options.name!}\0${options.version}${session === undefined ? '' : `\0${session}`}`;
      last = sharedTiers(db, ns, options.maxItems, options.policy, ttlMs, () => disk.disk(db, ns, options.maxItems, options.policy, options.name!));
      used.add(last);
      lastDb = db;
      lastSession = session;
    }
    return last;
  }

  /** Runs `use` on the tiers of now, once they are ready; uses asked for before that run in the order they came. */
  function withTiers<T>(use: (tiers: Tiers) => T | Promise<T>): T | Promise<T> {
    const tiers = tiersNow();
    if (tiers) return use(tiers);
    const disk = loadedDisk();
    return (disk ? disk.sessionReady() : loadDisk()).then(() => withTiers(use));
  }

  /** The key of a call; a single string argument with no `this` is its own (the hot path of `call` tests the same). */
  function keyOf(self: unknown, args: ArrayLike<unknown>): string | Promise<string> {
    const only = args[0];
    if (plainStrings && args.length === 1 && typeof only === 'string' && only.charCodeAt(0) !== 1 && isNoThis(self)) return only;
    if (customKey) {
      const made: unknown = customKey.apply(self, args as never[]);
      // An async key would be a new Promise every call: a key of its own each time, never a hit.
      if (typeof (made as PromiseLike<unknown> | undefined)?.then === 'function') invalid('key', 'a function that returns the key itself, not a Promise', made);
      return finishKey(encodeCall([made], undefined, hashFuncs, toDisk));
    }
    return finishKey(encodeCall(args, self, hashFuncs, toDisk));
  }

  async function compute(self: unknown, args: ArrayLike<unknown>): Promise<unknown> {
    stats.misses++;
    return fn.apply(self, args as unknown[]);
  }

  function hit(entry: Entry): Promise<unknown> {
    if (entry.owner === stats) stats.memoryHits++;
    else {
      // Stored by another function of the same name: for this one, it came from the disk tier.
      stats.diskHits++;
      entry.owner = stats;
    }
    return entry.promise!;
  }

  /** A stored record if it is still fresh for this function's `ttl`, read by a call made at `at`. */
  function fresh(read: Read, at: Moment): Stored | undefined {
    const record = read.record;
    if (!record) return undefined;
    const expiresAt = Math.min(record.expiresAt, record.storedAt + ttlMs);
    return isExpired(record.storedAt, expiresAt, Date.now()) ? undefined : { storedAt: record.storedAt, expiresAt, hits: record.hits, at };
  }

  /**
   * A cold call of a disk tier: from the disk if stored, else computed under a cross-tab lock of
   * its key (reading again if another tab held it first), held until the result is written.
   */
  async function fromDiskOrCompute(tiers: Tiers, key: string, self: unknown, args: ArrayLike<unknown>, saved: Promise<unknown>): Promise<Outcome> {
    const disk = tiers.disk!;
    // A hit counts for eviction as made now, when memory would have answered it.
    const at = tiers.memory.moment();
    const read = await tiers.inTurn(digestOf(key), (known) => {
      tiers.noteDiskKey(known, key);
      tiers.memory.useCold(known, at);
      return disk.read(known).then((found) => [known, found] as const);
    });
    const [known, found] = read;
    const stored = fresh(found, at);
    if (stored) return { value: found.record!.value, stored, diskKey: known };
    return new Promise<Outcome>((resolve, reject) => {
      void loadedDisk()!
        .withLock(`idb-memo:${disk.db}:${disk.ns}:${known}`, async (waited) => {
          const again = waited ? await disk.read(known) : undefined;
          const stored = again && fresh(again, tiers.memory.moment());
          if (stored) return resolve({ value: again.record!.value, stored, diskKey: known });
          try {
            resolve({ value: await compute(self, args), diskKey: known, since: (again ?? found).since });
          } catch (error) {
            return reject(error);
          }
          await saved;
        })
        .catch(reject);
    });
  }

  /** A call of `key`; `logouts` as when the call was made. */
  function lookup(tiers: Tiers, key: string, self: unknown, args: ArrayLike<unknown>, logouts: number): Promise<unknown> {
    const entry = tiers.memory.get(key);
    return entry ? hit(entry) : start(tiers, key, self, args, logouts);
  }

  /** A call of `key` that memory did not hold: it joins an identical call in progress, or starts one. */
  function start(tiers: Tiers, key: string, self: unknown, args: ArrayLike<unknown>, logouts: number): Promise<unknown> {
    const memory = tiers.memory;
    const pending = memory.inflight.get(key);
    if (pending) {
      stats.memoryHits++;
      // Joining a read of the disk is a use of what it holds, which orders eviction (none if it is computed).
      if (tiers.ordered) {
        const at = memory.moment();
        void tiers.inTurn(digestOf(key), async (known) => void memory.useCold(known, at));
      }
      return pending;
    }
    const generation = memory.generation;
    let markSaved!: (saved: Promise<unknown>) => void;
    const saved = new Promise<unknown>((resolve) => (markSaved = resolve));
    let settle!: { resolve: (value: unknown) => void; reject: (error: unknown) => void };
    const result = new Promise<unknown>((resolve, reject) => (settle = { resolve, reject }));
    // In `inflight` before the function runs: a delete() or clear() it makes itself drops this call.
    // It stays there until its result is kept: identical calls meanwhile join it.
    memory.inflight.set(key, result);
    const ours = () => memory.inflight.get(key) === result;
    /** Keeps the answer unless a removal of it, a clear or a logout came since the call began; returns the disk write. */
    const keepIfWanted = (answered: Outcome) => {
      if (!ours()) return undefined;
      memory.inflight.delete(key);
      return memory.generation === generation && logoutCount() === logouts ? keep(tiers, key, answered) : undefined;
    };
    const outcome = tiers.disk ? fromDiskOrCompute(tiers, key, self, args, saved) : compute(self, args).then((value): Outcome => ({ value }));
    outcome.then(
      (answered) => {
        // A bounded disk tier orders its entries with those only on disk: it keeps in turn, after
        // the reads of calls made before (their hits counted first), then answers.
        const answer = () => {
          settle.resolve(answered.value);
          return keepIfWanted(answered);
        };
        // The cross-tab lock of this key is held until the write is done (never waited for by the caller).
        if (!tiers.ordered) return markSaved(Promise.resolve(answer()));
        const kept = tiers.inTurn(answered.diskKey ?? '', async () => {
          const write = keepIfWanted(answered);
          settle.resolve(answered.value);
          return { write };
        });
        markSaved(kept.then(({ write }) => write, () => settle.resolve(answered.value)));
      },
      (error: unknown) => {
        settle.reject(error);
        if (ours()) memory.inflight.delete(key);
        markSaved(Promise.resolve());
      },
    );
    return result;
  }

  /** Keeps an answer in memory and, when computed, on disk (in turn with the operations asked for before); returns the disk write. */
  function keep(tiers: Tiers, key: string, { value, stored, diskKey, since }: Outcome): Promise<unknown> | undefined {
    const { memory, disk } = tiers;
    if (stored) stats.diskHits++;
    const { entry, evicted } = memory.set(key, value, stats, ttlMs, diskKey, stored);
    stats.evictions += evicted.length;
    if (!disk || diskKey === undefined || !entry) return undefined;
    tiers.noteDiskKey(diskKey, key);
    // What memory evicted leaves the disk too, so that both tiers hold the same entries.
    const gone = evicted.map((victim) => victim.diskKey!);
    if (stored) return gone.length ? disk.evict(gone) : undefined;
    // Without `since` the read failed: what the disk holds is unknown, and nothing is written.
    return since && tiers.writeThrough(entry, gone, since, !tiers.ordered);
  }

  // `arguments`, not rest parameters: a memory hit allocates no array (the hot path).
  /* eslint-disable prefer-rest-params, @typescript-eslint/no-this-alias */
  const call = function (this: unknown, only?: unknown): Promise<unknown> {
    const tiers = own ?? tiersNow();
    let key: string | Promise<string>;
    if (plainStrings && arguments.length === 1 && typeof only === 'string' && only.charCodeAt(0) !== 1 && this === undefined) key = only;
    else {
      try {
        key = keyOf(this, arguments);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (tiers && typeof key === 'string') {
      const entry = tiers.memory.get(key);
      return entry ? hit(entry) : start(tiers, key, this, arguments, logoutCount());
    }
    const logouts = logoutCount();
    const self = this;
    const args = [...arguments];
    // Waits in line with the calls, clears and deletes made before it (the tiers are not ready yet).
    const later = (known: string) => withTiers((ready) => lookup(ready, known, self, args, logouts)) as Promise<unknown>;
    return typeof key === 'string' ? later(key) : key.then(later);
  };
  /* eslint-enable prefer-rest-params, @typescript-eslint/no-this-alias */

  /** Runs `use` on the tiers of now and on every other tier this function used. */
  function everyTiers<T>(use: (tiers: Tiers) => Promise<T>): Promise<T[]> {
    const now = tiersNow();
    return Promise.all([withTiers(use), ...[...used].filter((tiers) => tiers !== now).map(use)]);
  }

  const made = Object.assign(call, {
    clear: async (): Promise<void> => {
      // Counted when asked: the tiers may be ready only after a logout begun meanwhile.
      const asked = logoutCount();
      await everyTiers((tiers) => tiers.clear(asked));
    },
    delete(this: unknown, ...args: unknown[]): Promise<boolean> {
      let key: string | Promise<string>;
      // Counted when asked: the key may be known only after a logout begun meanwhile.
      const asked = logoutCount();
      try {
        // `f.delete(x)` is called on the memoized function: that `this` is no call's.
        key = keyOf(this === made ? undefined : this, args);
      } catch (error) {
        return Promise.reject(error);
      }
      // A key known at once reaches memory at once, before any call made after this delete().
      const remove = (known: string) => everyTiers((tiers) => tiers.delete(known, () => digestOf(known), asked)).then((removed) => removed.includes(true));
      return typeof key === 'string' ? remove(key) : key.then(remove);
    },
    stats: (): CacheStats => ({ ...stats, hits: stats.memoryHits + stats.diskHits, size: (own ?? last ?? tiersNow())?.memory.size ?? 0 }),
  }) as unknown as Memoized<AnyFunction>;
  Object.defineProperty(made, 'name', { value: fn.name });
  const info: MemoizedInfo = {
    name: options.name ?? fn.name,
    options,
    tiers: () => own ?? last ?? tiersNow(),
    stats: made.stats,
    // A logout resets the counters too: `afterEach(() => clearCaches())` isolates tests.
    forget: () => void Object.assign(stats, { memoryHits: 0, diskHits: 0, misses: 0, evictions: 0 }),
  };
  memoized.set(made, info);
  // Held by `made` through `memoized`: the registry holds it weakly.
  register(info);
  return made;
}
