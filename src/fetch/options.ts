import { IdbMemoRangeError, IdbMemoTypeError } from '../errors';
import { checkNames, describe, invalid, isOptionsObject, notAnObject, resolveOptions } from '../options';
import { TOKEN } from './http';
import type { Policy } from '../policies';

/**
 * How {@link cachedFetch} weighs the store against the network:
 * - `'cache-first'`: answer from the store while the entry is within `ttl`; else from the network,
 *   or from the expired entry (`'stale'`) when the network fails.
 * - `'network-first'`: always ask the network; the store only answers (`'stale'`) when it fails.
 * - `'stale-while-revalidate'`: answer from the store at once (`'stale'` past `ttl`) and refresh
 *   the entry in the background on every hit, one refresh per key at a time; a miss asks the network.
 */
export type FetchStrategy = 'cache-first' | 'network-first' | 'stale-while-revalidate';

/** Options of {@link cachedFetch} and {@link createCachedFetch}; every one is optional. */
export interface FetchCacheOptions {
  /** Default: `'cache-first'`. */
  strategy?: FetchStrategy;
  /**
   * Seconds a stored response stays fresh; a positive number. Given, it overrides the response's
   * own `Cache-Control: max-age` / `no-cache` and `Expires`; by default they decide, and a response
   * without them stays fresh forever. An expired response is kept: it still answers when the
   * network fails (as `'stale'`). `Cache-Control: no-store` is never overridden.
   */
  ttl?: number;
  /** Most responses kept (in memory, and on disk with `toDisk`); a positive integer. Default: unbounded. */
  maxItems?: number;
  /** Which response to evict when `maxItems` is reached: `'LRU'` (default), `'LFU'` or `'FIFO'`, any case. */
  policy?: Policy | Lowercase<Policy>;
  /** Name of the IndexedDB database. Default: `config.cachePath` at the time of each call. */
  cachePath?: string;
  /** Also keep responses in IndexedDB, so that they survive reloads and work offline. Default: true. */
  toDisk?: boolean;
  /**
   * Which response statuses are stored, e.g. `(status) => status === 200 || status === 404`.
   * Default: 2xx only. Opaque (`no-cors`) responses, 206 (partial) answers, answers marked
   * `Cache-Control: no-store` and responses with `Vary: *` are never stored.
   */
  cacheableStatuses?: (status: number) => boolean;
  /**
   * Request headers whose values do not split entries, e.g. `['x-request-id']` (any case); whether
   * one was sent still does, so an entry never answers a request sent with other headers (of any
   * instance). Default: none: every request header the caller sets is part of the key. A
   * response's `Vary` still applies to them.
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
  readonly cacheable: (status: number) => boolean;
  /** Lower-case names of the headers left out of keys. */
  readonly ignoreHeaders: readonly string[];
}

const STRATEGIES: readonly string[] = ['cache-first', 'network-first', 'stale-while-revalidate'];
const NAMES = ['strategy', 'ttl', 'maxItems', 'policy', 'cachePath', 'toDisk', 'cacheableStatuses', 'ignoreHeaders'];

/**
 * Validates fetch `options` and fills in defaults.
 * @throws TypeError for an unknown option or a value of the wrong type; RangeError for a value out of range
 */
export function resolveFetchOptions(options: FetchCacheOptions = {}): ResolvedFetchOptions {
  if (!isOptionsObject(options)) notAnObject('cachedFetch()', options);
  checkNames(options, NAMES, 'unknown cachedFetch() option');
  const { strategy = 'cache-first', cacheableStatuses: statuses, toDisk, ignoreHeaders = [], ...shared } = options as FetchCacheOptions;
  // Named for resolveOptions() only: a fetch store's namespace is its own.
  const base = resolveOptions({ ...shared, toDisk, name: toDisk === false ? undefined : 'cachedFetch' });
  if (!STRATEGIES.includes(strategy)) {
    throw new IdbMemoRangeError('OPTION_OUT_OF_RANGE', `idb-memo: option "strategy" must be one of '${STRATEGIES.join("', '")}' (got ${describe(strategy)})`);
  }
  if (statuses !== undefined && typeof statuses !== 'function') {
    throw new IdbMemoTypeError('INVALID_OPTION', `idb-memo: option "cacheableStatuses" must be a function (got ${describe(statuses)})`);
  }
  if (!Array.isArray(ignoreHeaders) || !ignoreHeaders.every((name) => typeof name === 'string' && TOKEN.test(name))) {
    invalid('ignoreHeaders', 'an array of header names', ignoreHeaders);
  }
  return { ...base, strategy, ignoreHeaders: ignoreHeaders.map((name) => name.toLowerCase()), toDisk: toDisk !== false, cacheable: statuses ?? ((status) => status >= 200 && status < 300) };
}
