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

const OPTION_NAMES = new Set(['maxItems', 'policy', 'ttl', 'toDisk', 'cachePath', 'perSession', 'hashFuncs', 'key', 'name', 'version']);
const POLICIES: readonly Policy[] = ['LRU', 'LFU', 'FIFO'];

/** Whether `value` looks like a bag of {@link UncheckedCacheOptions} rather than something else. */
export function isOptionsObject(value: unknown): value is UncheckedCacheOptions {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !('kind' in value && 'name' in value && 'addInitializer' in value);
}

/**
 * Validates `options` and fills in defaults.
 * @throws TypeError for an unknown option or a value of the wrong type; RangeError for a value out of range
 */
export function resolveOptions(options: UncheckedCacheOptions<never, never> = {}): ResolvedOptions {
  if (!isOptionsObject(options)) throw new IdbMemoTypeError('INVALID_OPTION', `idb-memo: cache() options must be an object (got ${describe(options)})`);
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) {
      const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      const hint = OPTION_NAMES.has(camel) ? ` Did you mean "${camel}"?` : ` Known options: ${[...OPTION_NAMES].join(', ')}.`;
      throw new IdbMemoTypeError('INVALID_OPTION', `idb-memo: unknown cache() option "${name}".${hint}`);
    }
  }
  const { maxItems, policy, ttl, toDisk, cachePath, perSession, hashFuncs, key, name, version } = options;
  if (maxItems !== undefined) {
    if (typeof maxItems !== 'number') throw new IdbMemoTypeError('INVALID_OPTION', `idb-memo: option "maxItems" must be a number (got ${describe(maxItems)})`);
    if (maxItems !== Infinity && (!Number.isInteger(maxItems) || maxItems < 1)) {
      throw new IdbMemoRangeError('OPTION_OUT_OF_RANGE', `idb-memo: option "maxItems" must be a positive integer (got ${maxItems})`);
    }
  }
  if (ttl !== undefined) {
    if (typeof ttl !== 'number') throw new IdbMemoTypeError('INVALID_OPTION', `idb-memo: option "ttl" must be a number of seconds (got ${describe(ttl)})`);
    if (!(ttl > 0)) throw new IdbMemoRangeError('OPTION_OUT_OF_RANGE', `idb-memo: option "ttl" must be a positive number of seconds (got ${ttl})`);
  }
  checkType('toDisk', toDisk, 'boolean');
  checkType('perSession', perSession, 'boolean');
  checkType('key', key, 'function');
  checkName('cachePath', cachePath);
  checkName('name', name);
  if (version !== undefined && typeof version !== 'string' && typeof version !== 'number') {
    throw new IdbMemoTypeError('INVALID_OPTION', `idb-memo: option "version" must be a string or a number (got ${describe(version)})`);
  }
  return {
    maxItems: maxItems ?? Infinity,
    policy: resolvePolicy(policy),
    ttlMs: ttl === undefined ? Infinity : ttl * 1000,
    toDisk: toDisk ?? false,
    cachePath,
    perSession: perSession ?? false,
    hashFuncs: resolveHashFuncs(hashFuncs),
    key: key as ResolvedOptions['key'],
    name,
    version: version === undefined ? '' : String(version),
  };
}

function resolvePolicy(policy: unknown): Policy {
  if (policy === undefined) return 'LRU';
  if (typeof policy !== 'string') throw new IdbMemoTypeError('INVALID_OPTION', `idb-memo: option "policy" must be a string (got ${describe(policy)})`);
  const upper = policy.toUpperCase() as Policy;
  if (!POLICIES.includes(upper)) {
    throw new IdbMemoRangeError('OPTION_OUT_OF_RANGE', `idb-memo: option "policy" must be one of 'LRU', 'LFU', 'FIFO' (got '${policy}')`);
  }
  return upper;
}

function resolveHashFuncs(hashFuncs: unknown): readonly HashFunc[] {
  if (hashFuncs === undefined) return [];
  const entries: unknown[] =
    hashFuncs instanceof Map
      ? [...hashFuncs.entries()]
      : Array.isArray(hashFuncs)
        ? hashFuncs
        : isOptionsObject(hashFuncs)
          ? Object.entries(hashFuncs).map(([name, hash]) => ({ test: (value: unknown) => classNameOf(value) === name, hash }))
          : fail();
  return entries.map((entry, i): HashFunc => {
    const where = `hashFuncs[${i}]`;
    let matcher: unknown, hash: unknown, isClass: boolean | undefined;
    if (Array.isArray(entry)) [matcher, hash] = entry;
    else if (typeof entry === 'object' && entry !== null && 'hash' in entry) {
      hash = entry.hash;
      if ('type' in entry) [matcher, isClass] = [entry.type, true];
      else if ('test' in entry) [matcher, isClass] = [entry.test, false];
    }
    if (typeof matcher !== 'function' || typeof hash !== 'function') {
      throw new IdbMemoTypeError('INVALID_OPTION', `idb-memo: option "${where}" must pair a class or predicate with a hash function`);
    }
    const hashValue = hash as (value: unknown) => unknown;
    // A class has a prototype object; an arrow-function predicate has none.
    if (isClass ?? typeof matcher.prototype === 'object') {
      const type = matcher as abstract new (...args: never[]) => unknown;
      return { matches: (value) => value instanceof type, hash: hashValue };
    }
    return { matches: matcher as (value: unknown) => boolean, hash: hashValue };
  });

  function fail(): never {
    throw new IdbMemoTypeError('INVALID_OPTION', `idb-memo: option "hashFuncs" must be a Map, an array or an object keyed by class name (got ${describe(hashFuncs)})`);
  }
}

/** The name of the class `value` is an instance of ('' for primitives and null-prototype objects). */
function classNameOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  return proto?.constructor?.name ?? '';
}

function checkType(option: string, value: unknown, type: 'boolean' | 'function'): void {
  if (value !== undefined && typeof value !== type) {
    throw new IdbMemoTypeError('INVALID_OPTION', `idb-memo: option "${option}" must be a ${type} (got ${describe(value)})`);
  }
}

/** Validates an optional non-empty string option. */
export function checkName(option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string') throw new IdbMemoTypeError('INVALID_OPTION', `idb-memo: option "${option}" must be a string (got ${describe(value)})`);
  if (value === '') throw new IdbMemoRangeError('OPTION_OUT_OF_RANGE', `idb-memo: option "${option}" must not be empty`);
}

/** A short description of a bad value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object' || typeof value === 'function') return `a ${typeof value}`;
  return `${typeof value} ${String(value)}`;
}
