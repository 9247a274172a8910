import { navigatorLocks } from '../disk/session';
import { isExpired, orderedNow } from '../tier';
import { requestKeys, varyDigest, varyNames } from './key';
import { resolveFetchOptions, type FetchCacheOptions, type ResolvedFetchOptions } from './options';
import { mark, toResponse, type StoredResponse } from './response';
import { clearShelf, lookup, save, shelfFor, type Shelf, type Source } from './shelf';

/** A configured {@link cachedFetch}, made by {@link createCachedFetch}. */
export interface CachedFetch {
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Removes every response stored with this instance's storage options (memory, disk, other tabs). */
  clear(): Promise<void>;
}

/**
 * `fetch`, answered from a memory tier and IndexedDB per `options.strategy`, so that data loaded
 * once is there again after a reload and when the network is gone. See {@link createCachedFetch}
 * for the behaviour; instances share stored responses when their storage options agree.
 * @throws (rejects) TypeError or RangeError naming an invalid option
 */
export async function cachedFetch(input: RequestInfo | URL, init?: RequestInit, options?: FetchCacheOptions): Promise<Response> {
  return call(resolveFetchOptions(options), input, init);
}

/**
 * Makes a configured {@link cachedFetch}.
 *
 * - Only GET and HEAD requests are cached; other methods, and requests with
 *   `cache: 'no-store'`, pass straight to `fetch`. `cache: 'reload'` skips the store but stores the answer.
 * - Key: method, absolute URL, and the Accept, Accept-Language and Authorization headers
 *   (hashed, never stored in clear), then the request headers the response's `Vary` names.
 * - Stored: status, statusText, headers, body bytes, final URL and time. HTTP caching headers
 *   (`Cache-Control`, `Expires`) are not consulted: `ttl` and the strategy decide.
 * - Every answer is a fresh `Response` with its own body; {@link cacheStatus} tells how it was
 *   produced, for it and for its `clone()`s. A response made from the store has `type` `'default'`.
 * - A network failure falls back to the stored response (`'stale'`), expired or not.
 * - Identical concurrent requests share one network request, whose answer is read whole before it
 *   is handed out. Aborting a caller's `signal` rejects that caller's promise with the signal's
 *   reason (an `AbortError`); the shared request goes on, and its answer is stored.
 * - Under `'stale-while-revalidate'` one background refresh per key runs at a time, across tabs
 *   too (Web Locks).
 *
 * Do not assign the result to `globalThis.fetch`: it calls `globalThis.fetch` for the network.
 * @throws TypeError or RangeError naming an invalid option
 */
export function createCachedFetch(options?: FetchCacheOptions): CachedFetch {
  const o = resolveFetchOptions(options);
  return Object.assign((input: RequestInfo | URL, init?: RequestInit) => call(o, input, init), {
    clear: () => clearShelf(shelfFor(o)),
  });
}

async function call(o: ResolvedFetchOptions, input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const like = input as Partial<Request>;
  const mode = init.cache ?? like.cache;
  // Checked before making a Request, which would use up the body of a Request `input`.
  if (!/^(GET|HEAD)$/i.test(init.method ?? like.method ?? 'GET') || mode === 'no-store') return fetch(input, init);
  const request = new Request(input, init);
  const { signal } = request;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort);
    void answer(o, request, mode === 'reload')
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', abort));
  });
}

async function answer(o: ResolvedFetchOptions, request: Request, reload: boolean): Promise<Response> {
  const shelf = shelfFor(o);
  const [key, flight] = await requestKeys(request);
  const found = reload ? undefined : await lookup(shelf, key, request, o);
  const revalidating = o.strategy === 'stale-while-revalidate';
  if (found && o.strategy !== 'network-first') {
    const fresh = !isExpired(found.stored.time, found.stored.time + o.ttlMs, Date.now());
    if (revalidating) revalidate(shelf, key, flight, request, o);
    if (fresh || revalidating) return toResponse(found.stored, fresh ? found.from : 'stale');
  }
  let source: Source;
  try {
    source = await share(shelf, flight, () => network(shelf, key, request, o));
  } catch (error) {
    if (found) return toResponse(found.stored, 'stale');
    throw error;
  }
  return source instanceof Response ? mark(source.clone(), 'network') : toResponse(source, 'network');
}

/** Joins the network request in progress for `flight`, or starts one. */
function share(shelf: Shelf, flight: string, start: () => Promise<Source>): Promise<Source> {
  const { inflight } = shelf;
  let pending = inflight.get(flight);
  if (!pending) inflight.set(flight, (pending = start().finally(() => inflight.delete(flight))));
  return pending;
}

/** Asks the network (with a signal of its own: no caller can abort it) and stores a storable answer. */
async function network(shelf: Shelf, key: string, request: Request, o: ResolvedFetchOptions): Promise<Source> {
  const { generation } = shelf.tier;
  const startedAt = orderedNow();
  const response = await fetch(new Request(request, { signal: new AbortController().signal }));
  const vary = varyNames(response);
  // Status 0: an opaque response, whose body and status cannot be read.
  if (!response.status || !o.cacheable(response.status) || vary.includes('*')) return response;
  const stored: StoredResponse = {
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers],
    body: await response.arrayBuffer(),
    url: response.url || request.url,
    time: orderedNow(),
    vary,
    varyDigest: await varyDigest(vary, request.headers),
  };
  if (generation === shelf.tier.generation) save(shelf, key, stored, startedAt);
  return stored;
}

/** Refreshes `key` in the background, unless this tab or another is refreshing it already. */
function revalidate(shelf: Shelf, key: string, flight: string, request: Request, o: ResolvedFetchOptions): void {
  if (shelf.inflight.has(flight)) return;
  const refresh = () => share(shelf, flight, () => network(shelf, key, request, o)).catch(() => {});
  const disk = shelf.tier.disk;
  const locks = disk && navigatorLocks();
  if (!disk || !locks) return void refresh();
  void locks
    // Another tab holds the lock: it is refreshing; read its answer from the disk next time.
    .request(`${disk.ns} ${shelf.db} ${key}`, { ifAvailable: true }, (lock) => (lock ? refresh() : shelf.tier.dropDiskKey(key)))
    .catch(() => {});
}
