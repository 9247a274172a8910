import { IdbMemoRangeError } from '../errors';
import { checkNames, describe, invalid, isOptionsObject, notAnObject, resolveOptions } from '../options';
import { TOKEN } from './http';
import type { Policy } from '../policies';

/**
 * How {@link cachedFetch} weighs the store against the network:
 * - `'cache-first'`: answer from the store while the entry is fresh (see `ttl`); else from the network,
 *   or from the stale entry (`'stale'`) when the network fails.
 * - `'network-first'`: always ask the network; the store only answers (`'stale'`) when it fails.
 * - `'stale-while-revalidate'`: answer from the store at once (`'stale'` past `ttl`) and refresh
 *   the entry in the background on every hit, one refresh per key at a time; a miss asks the network.
 */
export type FetchStrategy = 'cache-first' | 'network-first' | 'stale-while-revalidate';

/** Options of {@link cachedFetch} and {@link createCachedFetch}; every one is optional. */
export interface FetchCacheOptions {
  /**
   * How the store and the network are weighed (see {@link FetchStrategy}).
   * @default 'cache-first'
   */
  strategy?: FetchStrategy;
  /**
   * Seconds a stored response stays fresh after it arrived; a positive number. Given, it replaces
   * the lifetime the response's headers give (`Cache-Control: max-age` / `no-cache`, `Expires`,
   * heuristics); by default they decide (RFC 9111), and a response without them is stale at once.
   * A stale response is kept: it still answers when the network fails (as `'stale'`), unless it
   * says `must-revalidate` or `no-cache`. `Cache-Control: no-store` is never overridden.
   * @default the response's own freshness
   */
  ttl?: number;
  /**
   * Most responses kept (in memory, and on disk with `toDisk`); a positive integer, or Infinity.
   * @default 500
   */
  maxItems?: number;
  /**
   * Which response to evict when `maxItems` is reached: `'LRU'`, `'LFU'` or `'FIFO'`, any case.
   * @default 'LRU'
   */
  policy?: Policy | Lowercase<Policy>;
  /**
   * Name of the IndexedDB database.
   * @default config.cachePath, as it is at the time of each call
   */
  cachePath?: string;
  /**
   * Also keep responses in IndexedDB, so that they survive reloads and work offline.
   * @default true
   */
  toDisk?: boolean;
  /**
   * Which response statuses are stored, e.g. `(status) => status === 200 || status === 404`.
   * By default, as RFC 9111 says: any status with explicit freshness (`max-age`, `Expires`) or
   * `public` / `private`, and the heuristically cacheable ones (200, 203, 204, 300, 301, 308, 404,
   * 405, 410, 414, 501) without it; not an unknown status with `must-understand`. Opaque
   * (`no-cors`) responses, 206 (partial) and 304 answers, answers marked `Cache-Control: no-store`
   * and responses with `Vary: *` are never stored.
   * @default what RFC 9111 allows
   */
  cacheableStatuses?: (status: number) => boolean;
  /**
   * Request headers whose values do not split entries, e.g. `['x-request-id']` (any case); whether
   * one was sent still does, so an entry never answers a request sent with other headers (of any
   * instance). A response's `Vary` still applies to them.
   * @default [] (every request header the caller sets is part of the key)
   */
  ignoreHeaders?: readonly string[];
}

/** Fetch options after validation, with defaults filled in. */
export interface ResolvedFetchOptions {
  readonly strategy: FetchStrategy;
  /** Freshness in milliseconds; Infinity when there is no `ttl`. */
  readonly ttlMs: number;
  readonly maxItems: number;
  readonly policy: Policy;
  readonly cachePath: string | undefined;
  readonly toDisk: boolean;
  /** `cacheableStatuses`; undefined: the rules of RFC 9111. */
  readonly statuses: ((status: number) => boolean) | undefined;
  /** Lower-case names of the headers left out of keys. */
  readonly ignoreHeaders: readonly string[];
}

/**
 * Responses kept by default: enough for the distinct requests of a working session of an app
 * (each response is one entry, whatever its size), few enough that the memory tier, which holds
 * what the page used, and the index read at start stay small.
 */
export const DEFAULT_MAX_ITEMS = 500;

const STRATEGIES: readonly string[] = ['cache-first', 'network-first', 'stale-while-revalidate'];
const NAMES = ['strategy', 'ttl', 'maxItems', 'policy', 'cachePath', 'toDisk', 'cacheableStatuses', 'ignoreHeaders'];

/**
 * Validates fetch `options` and fills in defaults.
 * @throws IdbMemoTypeError for an unknown option or a value of the wrong type; IdbMemoRangeError for a value out of range
 */
export function resolveFetchOptions(options: FetchCacheOptions = {}): ResolvedFetchOptions {
  if (!isOptionsObject(options)) notAnObject('cachedFetch()', options);
  checkNames(options, NAMES, 'unknown cachedFetch() option');
  const { strategy = 'cache-first', cacheableStatuses: statuses, toDisk, ignoreHeaders = [], ...shared } = options as FetchCacheOptions;
  // Named for resolveOptions() only: a fetch store's namespace is its own.
  const base = resolveOptions({ ...shared, toDisk, name: toDisk === false ? undefined : 'cachedFetch' });
  if (!STRATEGIES.includes(strategy)) {
    throw new IdbMemoRangeError('OPTION_OUT_OF_RANGE', __DEV__ && `idb-memo: option "strategy" must be one of '${STRATEGIES.join("', '")}' (got ${describe(strategy)})`, 'strategy');
  }
  if (statuses !== undefined && typeof statuses !== 'function') {
    invalid('cacheableStatuses', 'a function', statuses);
  }
  if (!Array.isArray(ignoreHeaders) || !ignoreHeaders.every((name) => typeof name === 'string' && TOKEN.test(name))) {
    invalid('ignoreHeaders', 'an array of header names', ignoreHeaders);
  }
  return {
    ...base,
    maxItems: shared.maxItems ?? DEFAULT_MAX_ITEMS,
    strategy,
    ignoreHeaders: ignoreHeaders.map((name) => name.toLowerCase()),
    toDisk: toDisk !== false,
    statuses,
  };
}
