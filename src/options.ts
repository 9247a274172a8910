import { IdbMemoRangeError, IdbMemoTypeError } from './errors';
import type { HashFunc } from './key/encode';
import type { Policy } from './policies';
import type { UncheckedCacheOptions } from './types';

/** Options after validation, with defaults filled in. */
export interface ResolvedOptions {
  readonly maxItems: number;
  readonly policy: Policy;
  /** TTL in milliseconds; Infinity when there is none. */
  readonly ttlMs: number;
  readonly toDisk: boolean;
  readonly cachePath: string | undefined;
  readonly perSession: boolean;
  readonly hashFuncs: readonly HashFunc[];
  readonly key: ((this: unknown, ...args: never[]) => unknown) | undefined;
  readonly name: string | undefined;
  readonly version: string;
}

const OPTION_NAMES = ['maxItems', 'policy', 'ttl', 'toDisk', 'cachePath', 'perSession', 'hashFuncs', 'key', 'name', 'version'];
const POLICIES: readonly string[] = ['LRU', 'LFU', 'FIFO'];

/** Whether `value` looks like a bag of options rather than something else (a decorator's context). */
export function isOptionsObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !('kind' in value && 'addInitializer' in value);
}

/** Throws the `INVALID_OPTION` error of `option`, which `should` be something else than `value`. */
export function invalid(option: string, should: string, value: unknown): never {
  throw new IdbMemoTypeError('INVALID_OPTION', __DEV__ && `idb-memo: option "${option}" must be ${should} (got ${describe(value)})`, option);
}

/** Throws the `INVALID_OPTION` error of options that are not an object, given to `what`. */
export function notAnObject(what: string, value: unknown): never {
  throw new IdbMemoTypeError('INVALID_OPTION', __DEV__ && `idb-memo: ${what} options must be an object (got ${describe(value)})`);
}

/** Throws the `OPTION_OUT_OF_RANGE` error of `option`. */
function outOfRange(option: string, should: string, value: unknown): never {
  throw new IdbMemoRangeError('OPTION_OUT_OF_RANGE', __DEV__ && `idb-memo: option "${option}" must be ${should} (got ${describe(value)})`, option);
}

/** Throws unless every key of `options` is one of `known`; `unknown` begins the message (`unknown cache() option`). */
export function checkNames(options: object, known: readonly string[], unknown: string): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    throw new IdbMemoTypeError(
      'INVALID_OPTION',
      __DEV__ && `idb-memo: ${unknown} "${name}". ${known.includes(camel) ? `Did you mean "${camel}"?` : `Known: ${known.join(', ')}.`}`,
      name,
    );
  }
}

/**
 * Validates `options` and fills in defaults.
 * @throws IdbMemoTypeError (`INVALID_OPTION`) for an unknown option, a value of the wrong type, or `toDisk` without `name`; IdbMemoRangeError for a value out of range
 */
export function resolveOptions(options: UncheckedCacheOptions<never, never> = {}): ResolvedOptions {
  if (!isOptionsObject(options)) notAnObject('cache()', options);
  checkNames(options, OPTION_NAMES, 'unknown cache() option');
  const { maxItems = Infinity, policy = 'LRU', ttl, toDisk = false, cachePath, perSession = false, hashFuncs, key, name, version = '' } = options as UncheckedCacheOptions;
  if (typeof maxItems !== 'number') invalid('maxItems', 'a number', maxItems);
  if (maxItems !== Infinity && !(Number.isInteger(maxItems) && maxItems > 0)) outOfRange('maxItems', 'a positive integer', maxItems);
  if (ttl !== undefined && typeof ttl !== 'number') invalid('ttl', 'a number of seconds', ttl);
  if (ttl !== undefined && !(ttl > 0)) outOfRange('ttl', 'a positive number of seconds', ttl);
  if (typeof policy !== 'string') invalid('policy', "one of 'LRU', 'LFU', 'FIFO'", policy);
  if (!POLICIES.includes(policy.toUpperCase())) outOfRange('policy', "one of 'LRU', 'LFU', 'FIFO'", policy);
  if (typeof toDisk !== 'boolean') invalid('toDisk', 'a boolean', toDisk);
  if (typeof perSession !== 'boolean') invalid('perSession', 'a boolean', perSession);
  if (key !== undefined && typeof key !== 'function') invalid('key', 'a function', key);
  checkName('cachePath', cachePath);
  checkName('name', name);
  if (typeof version !== 'string' && typeof version !== 'number') invalid('version', 'a string or a number', version);
  if (String(version).includes('\0')) outOfRange('version', 'free of NUL characters', version);
  if (toDisk && name === undefined) {
    // Stored results outlive the page: only a name the app gives survives a rebuild (a minified function's does not).
    invalid('name', 'a string when toDisk is true, naming the stored results (e.g. name: "loadUser")', name);
  }
  return {
    maxItems,
    policy: policy.toUpperCase() as Policy,
    ttlMs: ttl === undefined ? Infinity : ttl * 1000,
    toDisk,
    cachePath,
    perSession,
    hashFuncs: resolveHashFuncs(hashFuncs),
    key: key as ResolvedOptions['key'],
    name,
    version: String(version),
  };
}

function resolveHashFuncs(hashFuncs: unknown): readonly HashFunc[] {
  if (hashFuncs === undefined) return [];
  const entries: unknown[] =
    hashFuncs instanceof Map
      ? [...hashFuncs.entries()]
      : Array.isArray(hashFuncs)
        ? hashFuncs
        : isOptionsObject(hashFuncs)
          ? Object.entries(hashFuncs).map(([name, hash]) => {
              // A minifier renames the app's classes, never the platform's: only those names hold in production.
              if (typeof (globalThis as Record<string, unknown>)[name] !== 'function') {
                invalid(`hashFuncs.${name}`, `the name of a built-in class (a minifier renames your own: use [[${name}, hash]])`, name);
              }
              return { test: (value: unknown) => classNameOf(value) === name, hash };
            })
          : invalid('hashFuncs', 'a Map, an array or an object keyed by class name', hashFuncs);
  return entries.map((entry, i): HashFunc => {
    let matcher: unknown, hash: unknown, isClass: boolean | undefined;
    if (Array.isArray(entry)) [matcher, hash] = entry;
    else if (typeof entry === 'object' && entry !== null && 'hash' in entry) {
      hash = entry.hash;
      if ('type' in entry) [matcher, isClass] = [entry.type, true];
      else if ('test' in entry) [matcher, isClass] = [entry.test, false];
    }
    if (typeof matcher !== 'function' || typeof hash !== 'function') invalid(`hashFuncs[${i}]`, 'a class or predicate paired with a hash function', entry);
    const hashValue = hash as (value: unknown) => unknown;
    // A class has a prototype object; an arrow-function predicate has none.
    if (isClass ?? typeof matcher.prototype === 'object') {
      const type = matcher as abstract new (...args: never[]) => unknown;
      return { matches: (value) => value instanceof type, hash: hashValue };
    }
    return { matches: matcher as (value: unknown) => boolean, hash: hashValue };
  });
}

/** The name of the class `value` is an instance of ('' for primitives and null-prototype objects). */
function classNameOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  return (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name ?? '';
}

/** Validates an optional non-empty string option free of NUL characters (which separate the parts of a namespace). */
export function checkName(option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string') invalid(option, 'a string', value);
  if (value === '') throw new IdbMemoRangeError('OPTION_OUT_OF_RANGE', __DEV__ && `idb-memo: option "${option}" must not be empty`, option);
  if (value.includes('\0')) outOfRange(option, 'free of NUL characters', value);
}

/** A short description of a bad value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object' || typeof value === 'function') return `a ${typeof value}`;
  return `${typeof value} ${String(value)}`;
}
