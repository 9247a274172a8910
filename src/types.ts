/** The public types of `cache()`: its options, its overloads and what it returns. */
import type { Policy } from './policies';

/** A class, matched with `instanceof`; its instances are `T`. */
export type Constructor<T> = abstract new (...args: never[]) => T;

/**
 * Selects the values a hasher handles: a class (`instanceof`), a type-guard predicate
 * (`(v: unknown): v is T`) or a plain predicate, whose parameter type is then the value type.
 * Only arrow functions (no `prototype`) are taken as predicates.
 */
export type ValueMatcher<T = never> = Constructor<T> | ((value: unknown) => value is T) | ((value: unknown) => boolean);

/**
 * Maps a matched value to its keyable stand-in. Its parameter is checked both ways (like a method's),
 * so a hasher annotated with a narrower type than a plain predicate proves still compiles.
 */
export type Hasher<T> = { hash(value: T): unknown }['hash'];

/** One `hashFuncs` entry for values of type `T`: `[matcher, hash]`, `{ type, hash }` or `{ test, hash }`. */
export type HashFuncEntry<T> =
  | readonly [ValueMatcher<T>, Hasher<T>]
  | { readonly type: Constructor<T>; readonly hash: Hasher<T> }
  | { readonly test: ((value: unknown) => value is T) | ((value: unknown) => boolean); readonly hash: Hasher<T> };

/**
 * A list of `hashFuncs` entries, the `I`-th for values of type `H[I]`: each entry's value type is
 * inferred from its class or predicate (`[[Date, (d) => d.getTime()]]` types `d` as `Date`).
 */
export type HashFuncList<H extends readonly unknown[]> = { readonly [I in keyof H]: HashFuncEntry<H[I]> };

/**
 * Custom hashers, checked before the built-in encoding: each maps the values it matches to a
 * keyable stand-in. Accepted forms: an array of entries ({@link HashFuncList}, where value types
 * are inferred); a `Map` from matchers to hashers; or, like Panel's `hash_funcs` dict, an object
 * keyed by class name (`{ WeakMap: (map: WeakMap<object, unknown>) => 'id' }`).
 */
export type HashFuncs =
  | HashFuncList<readonly unknown[]>
  | ReadonlyMap<Constructor<unknown> | ((value: never) => boolean), Hasher<never>>
  | { readonly [className: string]: Hasher<never> };

/**
 * Options of {@link cache}; every one is optional. Names are the camelCase of Panel's `pn.cache`.
 * `This` and `Args` are the memoized function's, for `key`.
 */
export interface CacheOptions<This = unknown, Args extends readonly unknown[] = unknown[]> {
  /** Most results kept (in memory, and on disk with `toDisk`); a positive integer, or Infinity. Default: unbounded. */
  maxItems?: number;
  /** Which result to evict when `maxItems` is reached: `'LRU'` (default), `'LFU'` or `'FIFO'`, any case. */
  policy?: Policy | Lowercase<Policy>;
  /** Seconds a result stays valid; a positive number. Default: forever. */
  ttl?: number;
  /** Also keep results in IndexedDB, so that they survive reloads and are shared between tabs. Default: false. */
  toDisk?: boolean;
  /** Name of the IndexedDB database for `toDisk`. Default: `config.cachePath` at the time of the call. */
  cachePath?: string;
  /** Scope results to this tab's session (kept across its reloads, invisible to other tabs). Default: false. */
  perSession?: boolean;
  /** Custom hashers for argument types the built-in encoding refuses or should treat differently. */
  hashFuncs?: HashFuncs;
  /**
   * Computes the key from the arguments instead of encoding them all; called with the method's
   * `this` for methods. Its result is encoded canonically, so it may be any keyable value.
   */
  // Method syntax on purpose: its parameters are bivariant, so an options object typed for any
  // arguments (plain `CacheOptions`) can be passed to cache() for a specific function.
  key?(this: This, ...args: Args): unknown;
  /** Stable identity of the function for persisted entries. Default: its name plus a hash of its source. */
  name?: string;
  /** Bump to invalidate every persisted result of the function. */
  version?: string | number;
}

/**
 * {@link CacheOptions} whose `hashFuncs` is a list, typed entry by entry (`H` is inferred: the
 * value type of each entry). What cache() takes, so that hashers' parameters need no annotation.
 */
export type CacheOptionsWithList<This, Args extends readonly unknown[], H extends readonly unknown[]> = Omit<
  CacheOptions<This, Args>,
  'hashFuncs'
> & {
  /** Custom hashers, each typed by its class or predicate. */
  hashFuncs?: HashFuncList<H>;
};

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

/** The cache controls of a memoized function: on a {@link Memoized} function, or from {@link cacheOf}. */
export interface CacheControls<Args extends readonly unknown[]> {
  /** Removes this function's results (memory and disk). */
  clear(): Promise<void>;
  /** Removes the result for these arguments; resolves true if one was removed. */
  delete(this: unknown, ...args: Args): Promise<boolean>;
  /** Hit, miss and eviction counters. */
  stats(): CacheStats;
}

/** The memoized counterpart of `F`: always returns a promise of `F`'s awaited result. */
export interface Memoized<F extends AnyFunction> extends CacheControls<Parameters<F>> {
  (this: ThisParameterType<F>, ...args: Parameters<F>): Promise<Awaited<ReturnType<F>>>;
}

/**
 * The compile-time refusal of `@cache` on a method that does not return a Promise: a memoized
 * method always returns one, and a decorator cannot change the method's declared type.
 */
export type AsyncMethodsOnly = 'idb-memo: @cache needs a method that returns a Promise (declare it async), since a memoized method always returns one';

/** The compile-time refusal of a function whose arguments the `key` option does not take. */
export type KeyDoesNotFit = "idb-memo: the `key` option does not take this function's arguments (or its `this`)";

/** Whether a `key` of `this` type `KeyThis` and arguments `KeyArgs` can be called with `F`'s. */
type KeyFits<KeyThis, KeyArgs extends unknown[], F extends AnyFunction> = [
  (this: KeyThis, ...args: KeyArgs) => unknown,
] extends [(this: ThisParameterType<F>, ...args: Parameters<F>) => unknown]
  ? true
  : false;

/** What a method decorator's context must be: the context of an async method whose arguments `key` takes. */
export type MethodContext<This, Args extends unknown[], R, KeyThis = unknown, KeyArgs extends unknown[] = unknown[]> = [R] extends [
  PromiseLike<unknown>,
]
  ? KeyFits<KeyThis, KeyArgs, (this: This, ...args: Args) => R> extends true
    ? ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>
    : KeyDoesNotFit
  : AsyncMethodsOnly;

/**
 * Turns a function into its {@link Memoized} form, or decorates an async method; what
 * `cache(options)` returns. `KeyThis` and `KeyArgs` are those the `key` option was declared with:
 * the function or method must be callable with them.
 */
export interface CacheDecorator<KeyThis = unknown, KeyArgs extends unknown[] = unknown[]> {
  <F extends AnyFunction>(fn: F & (KeyFits<KeyThis, KeyArgs, F> extends true ? unknown : KeyDoesNotFit), context?: undefined): Memoized<F>;
  <This, Args extends unknown[], R>(
    method: (this: This, ...args: Args) => R,
    context: MethodContext<This, Args, R, KeyThis, KeyArgs>,
  ): (this: This, ...args: Args) => R;
}

/** Keeps a decorator's context from passing for options (its `name` alone would), so that `@cache` on a sync method gets the decorator's message. */
interface NotAContext {
  readonly kind?: never;
}

/**
 * Memoizes `fn`: repeated calls with equal arguments are answered from the cache.
 *
 * - `cache(fn, options?)` returns the memoized function.
 * - `cache(options)` returns a decorator-like function taking `fn` (a {@link CacheDecorator}).
 * - `@cache` / `@cache(options)` decorate an async class method (TC39 standard decorators); `this`
 *   is part of the key (its own enumerable data, unless `key` says otherwise). A method that does
 *   not return a Promise is refused at compile time; {@link cacheOf} reaches its cache controls.
 *
 * @throws IdbMemoTypeError (`INVALID_OPTION`, `INVALID_ARGUMENT`) or IdbMemoRangeError (`OPTION_OUT_OF_RANGE`) naming the problem
 */
export interface CacheFunction {
  <F extends AnyFunction, const H extends readonly unknown[] = []>(
    fn: F,
    options?: CacheOptionsWithList<ThisParameterType<F>, Parameters<F>, H> & NotAContext,
  ): Memoized<F>;
  <F extends AnyFunction>(fn: F, options?: CacheOptions<ThisParameterType<F>, Parameters<F>> & NotAContext): Memoized<F>;
  <KeyThis = unknown, KeyArgs extends unknown[] = unknown[], const H extends readonly unknown[] = []>(
    options?: CacheOptionsWithList<KeyThis, KeyArgs, H>,
  ): CacheDecorator<KeyThis, KeyArgs>;
  <KeyThis = unknown, KeyArgs extends unknown[] = unknown[]>(options?: CacheOptions<KeyThis, KeyArgs>): CacheDecorator<KeyThis, KeyArgs>;
  // Last, so that a refused @cache reports this overload's message.
  <This, Args extends unknown[], R>(
    method: (this: This, ...args: Args) => R,
    context: MethodContext<This, Args, R>,
  ): (this: This, ...args: Args) => R;
}
