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
 * keyed by the name of a built-in class (`{ WeakMap: (map: WeakMap<object, unknown>) => 'id' }`;
 * an app's own class names are refused: a minifier renames them).
 */
export type HashFuncs =
  | HashFuncList<readonly unknown[]>
  | ReadonlyMap<Constructor<unknown> | ((value: never) => boolean), Hasher<never>>
  | { readonly [className: string]: Hasher<never> };

/**
 * The options of {@link cache} that do not depend on `toDisk`; every one is optional. Names are the
 * camelCase of Panel's `pn.cache`. `This` and `Args` are the memoized function's, for `key`.
 */
export interface CacheOptionsBase<This = unknown, Args extends readonly unknown[] = unknown[], HF = HashFuncs> {
  /**
   * Most results kept (in memory, and on disk with `toDisk`); a positive integer, or Infinity.
   * @default Infinity
   */
  maxItems?: number;
  /**
   * Which result to evict when `maxItems` is reached: `'LRU'`, `'LFU'` or `'FIFO'`, any case.
   * @default 'LRU'
   */
  policy?: Policy | Lowercase<Policy>;
  /**
   * Seconds a result stays valid; a positive number.
   * @default Infinity
   */
  ttl?: number;
  /**
   * Name of the IndexedDB database for `toDisk`.
   * @default config.cachePath, as it is at the time of each call
   */
  cachePath?: string;
  /**
   * Scope results to this tab's session (kept across its reloads, invisible to other tabs).
   * @default false
   */
  perSession?: boolean;
  /**
   * Custom hashers for argument types the key rule (docs/keys.md) refuses or should treat
   * differently: `[[Point, (p) => [p.x, p.y]]]`.
   * @default none
   */
  hashFuncs?: HF;
  /**
   * Computes the key from the arguments instead of encoding them all; called with the method's
   * `this` for methods. Its result is encoded canonically, so it may be any keyable value.
   * @default every argument (and `this`)
   */
  // Method syntax on purpose: its parameters are bivariant, so an options object typed for any
  // arguments (plain `CacheOptions`) can be passed to cache() for a specific function.
  key?(this: This, ...args: Args): unknown;
  /**
   * Stable identity of the function's results; required with `toDisk: true`.
   * @default the function's name (memory only)
   */
  name?: string;
  /**
   * Bump to invalidate every stored result of this `name`.
   * @default ''
   */
  version?: string | number;
}

/** {@link CacheOptions} of a cache kept in memory only. */
export interface MemoryCacheOptions<This = unknown, Args extends readonly unknown[] = unknown[], HF = HashFuncs>
  extends CacheOptionsBase<This, Args, HF> {
  /**
   * Also keep results in IndexedDB (then `name` is required).
   * @default false
   */
  toDisk?: false;
}

/** {@link CacheOptions} of a cache that also keeps its results in IndexedDB: `name` is required. */
export interface ToDiskCacheOptions<This = unknown, Args extends readonly unknown[] = unknown[], HF = HashFuncs>
  extends CacheOptionsBase<This, Args, HF> {
  /** Also keep results in IndexedDB, so that they survive reloads and are shared between tabs. */
  toDisk: true;
  /**
   * Stable identity of the function's stored results, a non-empty string: the next page (another
   * build of the app) finds them by this name. Required with `toDisk: true`.
   */
  name: string;
}

/**
 * Options of {@link cache}; every one is optional, except `name` with `toDisk: true`. `This` and
 * `Args` are the memoized function's, for `key`.
 */
export type CacheOptions<This = unknown, Args extends readonly unknown[] = unknown[]> = MemoryCacheOptions<This, Args> | ToDiskCacheOptions<This, Args>;

/**
 * {@link CacheOptions} whose `hashFuncs` is a list, typed entry by entry (`H` is inferred: the value
 * type of each entry), so that hashers' parameters need no annotation.
 */
export type CacheOptionsWithList<This, Args extends readonly unknown[], H extends readonly unknown[]> =
  | MemoryCacheOptions<This, Args, HashFuncList<H>>
  | ToDiskCacheOptions<This, Args, HashFuncList<H>>;

/**
 * Every option with its widest type (`toDisk` any boolean, `name` optional): what `cache()` checks
 * at run time, where a missing `name` with `toDisk: true` is an `INVALID_OPTION` error.
 */
export interface UncheckedCacheOptions<This = unknown, Args extends readonly unknown[] = unknown[]> extends CacheOptionsBase<This, Args> {
  toDisk?: boolean;
}

/**
 * Counters of one memoized function since it was made or since the last `clearCaches()`, which
 * resets them (its own `clear()` empties the cache, not the counters).
 */
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
 * The compile-time refusal of `@cache` compiled as a legacy decorator (`experimentalDecorators`):
 * `@cache` is a TC39 standard decorator.
 */
export type ExperimentalDecoratorsUnsupported =
  'idb-memo: @cache is a TC39 standard decorator; remove "experimentalDecorators": true from tsconfig.json, or memoize without the decorator: cache(fn, options)';

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
  /** Refuses `@cache(options)` under `experimentalDecorators`, with {@link ExperimentalDecoratorsUnsupported}. */
  (target: object, propertyKey: string | symbol, descriptor: ExperimentalDecoratorsUnsupported): never;
}

/** The option names, other than `name` (a decorator context has one too). */
type OptionName = Exclude<keyof CacheOptionsBase | 'toDisk', 'name'>;

/**
 * What the second argument of `cache(fn, …)` may be: options `O`, or, for `@cache` on a method,
 * its decorator context. The context carries the option names as absent, so that a misspelt option
 * is still matched against the option names ("Did you mean to write 'maxItems'?").
 */
type OptionsOrContext<F, O> =
  | (O & NotAContext)
  | (MethodContext<ThisOf<F>, ArgsOf<F>, ReturnOf<F>> & { readonly [K in OptionName]?: never });

/** Keeps a decorator's context from passing for options (its `name` alone would). */
interface NotAContext {
  readonly kind?: never;
}

/** Keeps a function (or a bare `@cache` method) from passing for options: its `name` alone would. */
interface NotAFunction {
  readonly call?: never;
}

/** `F`'s `this` type, for an `F` not known to be a function. */
type ThisOf<F> = F extends AnyFunction ? ThisParameterType<F> : unknown;
/** `F`'s parameters, for an `F` not known to be a function. */
type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : never;
/** `F`'s return type, for an `F` not known to be a function. */
type ReturnOf<F> = F extends (...args: never) => infer R ? R : never;

/**
 * What `cache(fn, …)` returns: `F` memoized. For a call that matches no form, what TypeScript
 * makes of it goes on without further errors: a {@link CacheDecorator} when `fn` is no function (a
 * misspelt option of `@cache({ … })` is then the only error, not the decorator's call too), a
 * memoized function of any arguments when `fn` was not read (a `function` expression).
 */
export type CacheResult<F> = 0 extends 1 & F
  ? Memoized<AnyFunction>
  : unknown extends F
    ? Memoized<(...args: any[]) => any> // eslint-disable-line @typescript-eslint/no-explicit-any -- see above
    : F extends AnyFunction
      ? Memoized<F>
      : CacheDecorator;

/**
 * Memoizes `fn`: repeated calls with equal arguments are answered from the cache.
 *
 * - `cache(fn, options?)` returns the memoized function.
 * - `cache(options)` returns a decorator-like function taking `fn` (a {@link CacheDecorator}).
 * - `@cache` / `@cache(options)` decorate an async class method (TC39 standard decorators); `this`
 *   is part of the key (its own enumerable data, unless `key` says otherwise). A method that does
 *   not return a Promise is refused at compile time; {@link cacheOf} reaches its cache controls.
 *
 * The order of its overloads is deliberate. When a call matches none, TypeScript 5.9 reports it
 * against every overload that takes as many arguments (against the last alone when they are more
 * than three), and TypeScript 7 against the last: each overload that takes options reports a
 * misspelt or wrong option at the option ("Did you mean to write 'maxItems'?"), and no overload
 * for the decorator stands last. There are two of each form because a `hashFuncs` list is typed
 * entry by entry only where the option's type is the list alone.
 *
 * @throws IdbMemoTypeError (`INVALID_OPTION`, `INVALID_ARGUMENT`) or IdbMemoRangeError (`OPTION_OUT_OF_RANGE`) naming the problem
 */
export interface CacheFunction {
  // First: TypeScript types a call that matches no form by the first form that takes as many
  // arguments (hence CacheResult's CacheDecorator for a call whose `fn` is no function).
  <F, const H extends readonly unknown[] = []>(
    fn: F & AnyFunction,
    options?: OptionsOrContext<F, CacheOptionsWithList<ThisOf<F>, ArgsOf<F>, H>>,
  ): CacheResult<F>;
  // Last of the two-argument forms: the one TypeScript 7 reports a call that matches none against.
  <F extends AnyFunction>(fn: F, options?: OptionsOrContext<F, CacheOptions<ThisParameterType<F>, Parameters<F>>>): CacheResult<F>;
  <KeyThis = unknown, KeyArgs extends unknown[] = unknown[], const H extends readonly unknown[] = []>(
    options?: CacheOptionsWithList<KeyThis, KeyArgs, H> & NotAFunction,
  ): CacheDecorator<KeyThis, KeyArgs>;
  // Last of the one-argument forms: the one a misspelt `cache({ … })` is reported against, and
  // `@cache` on a sync method, which TypeScript tries with one argument too (hence AsyncMethodsOnly).
  <KeyThis = unknown, KeyArgs extends unknown[] = unknown[]>(
    options?: (CacheOptions<KeyThis, KeyArgs> & NotAFunction) | AsyncMethodsOnly,
  ): CacheDecorator<KeyThis, KeyArgs>;
  /** Refuses `@cache` under `experimentalDecorators`, with {@link ExperimentalDecoratorsUnsupported}. */
  (target: object, propertyKey: string | symbol, descriptor: ExperimentalDecoratorsUnsupported): never;
}
