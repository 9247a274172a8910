import { isExpired, pageNow } from '../memory';
import { logoutCount } from '../registry';
import { directives, lifetimeOf, requestRules, type RequestRules } from './http';
import { requestKeys, varyDigest, varyNames } from './key';
import { resolveFetchOptions, type FetchCacheOptions, type ResolvedFetchOptions } from './options';
import { mark, toResponse, type StoredResponse } from './response';
import { secretOf } from './secret';
import { begin, clearShelf, lookup, remove, save, shelfFor, shelfNow, type Shelf, type Source, type Token } from './shelf';

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
 * - Only GET and HEAD requests are cached; other methods, requests with `cache: 'no-store'` or
 *   `Cache-Control: no-store`, and `Range` requests pass straight to `fetch`. `cache: 'reload'` skips
 *   the store but stores the answer; `'no-cache'` (or `Cache-Control: no-cache` / `max-age=0`)
 *   revalidates; `'force-cache'` takes a stored answer however old; `'only-if-cached'` never asks
 *   the network (a 504 when nothing is stored).
 * - Key: a keyed hash (HMAC-SHA-256 with a random secret per database) of the method, the URL, the
 *   credentials and redirect modes, the integrity and every request header but `Cache-Control`
 *   (of those in `ignoreHeaders`, only whether they were sent); then the request headers the
 *   response's `Vary` names. No request header and no
 *   request URL is stored in clear (only the final URL of a redirected answer).
 * - Stored: status, statusText, headers (but `Set-Cookie`), body bytes, time and freshness.
 *   Never stored: answers with `Cache-Control: no-store` (which also remove what was stored),
 *   206 answers, opaque ones, `Vary: *`, `Vary: Cookie` unless `credentials: 'omit'`.
 * - Freshness: `ttl` when given; else the answer's `Cache-Control: max-age` / `no-cache`, or
 *   `Expires`, less its `Age`; without them, forever. A stale answer with an `ETag` or
 *   `Last-Modified` is revalidated with a conditional request; a 304 refreshes it.
 * - A damaged or foreign record is a miss: the network answers, and its answer overwrites it.
 * - Every answer is a fresh `Response` with its own body; {@link cacheStatus} tells how it was
 *   produced, for it and for its `clone()`s. A response made from the store has `type` `'default'`.
 * - A network failure falls back to the stored response (`'stale'`), expired or not.
 * - Identical concurrent requests share one network request, whose answer is read whole before it
 *   is handed out; never across a clear (`clear()`, `clearFetchCache()`, `clearCaches()`): a
 *   request made after one never gets an answer asked for before it. Aborting a caller's `signal`
 *   rejects that caller's promise with the signal's reason (an `AbortError`); the shared request
 *   goes on, and its answer is stored.
 * - Under `'stale-while-revalidate'` one background refresh per key runs at a time, across tabs
 *   too (Web Locks).
 *
 * Do not assign the result to `globalThis.fetch`: it calls `globalThis.fetch` for the network.
 * @throws TypeError or RangeError naming an invalid option
 */
export function createCachedFetch(options?: FetchCacheOptions): CachedFetch {
  const o = resolveFetchOptions(options);
  return Object.assign((input: RequestInfo | URL, init?: RequestInit) => call(o, input, init), {
    clear: () => clearShelf(o),
  });
}

async function call(o: ResolvedFetchOptions, input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const like = input as Partial<Request>;
  const mode = init.cache ?? like.cache ?? 'default';
  // Checked before making a Request, which would use up the body of a Request `input`.
  if (!/^(GET|HEAD)$/i.test(init.method ?? like.method ?? 'GET') || mode === 'no-store') return fetch(input, init);
  const request = new Request(input, init);
  const rules = requestRules(request, mode);
  // Never stored, and never answered from the store: `no-store` asked for, or a part of the resource.
  if (rules.noStore) return fetch(request);
  const { signal } = request;
  signal.throwIfAborted();
  // Taken as the request begins: a clear() or clearCaches() made after it keeps its answer from being stored.
  const logouts = logoutCount();
  const now = shelfNow(o);
  const token = now && begin(now, logouts);
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort);
    void (now ? Promise.resolve(now) : shelfFor(o))
      .then((shelf) => answer(shelf, o, request, rules, token ?? begin(shelf, logouts)))
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', abort));
  });
}

async function answer(shelf: Shelf, o: ResolvedFetchOptions, request: Request, rules: RequestRules, token: Token): Promise<Response> {
  const secret = await secretOf(shelf.db);
  const [key, requestFlight] = requestKeys(request, secret, o.ignoreHeaders, rules.mode);
  // Requests made on either side of a clear never share one: a request started before it (with the
  // previous user's cookies, say) answers its own callers only.
  const flight = `${token.generation}:${token.logouts} ${requestFlight}`;
  const found = rules.mode === 'reload' ? undefined : await lookup(shelf, key, request, o, secret, token);
  const { url } = request;
  if (rules.onlyIfCached) {
    return found ? toResponse(found.stored, isFresh(found.stored, o, rules) ? found.from : 'stale', url) : new Response(null, { status: 504, statusText: 'Gateway Timeout' });
  }
  const revalidating = o.strategy === 'stale-while-revalidate';
  if (found && o.strategy !== 'network-first' && !rules.revalidate) {
    const fresh = rules.mode === 'force-cache' || isFresh(found.stored, o, rules);
    if (revalidating) revalidate(shelf, key, flight, request, o, found.stored, secret, token);
    if (fresh || revalidating) return toResponse(found.stored, fresh ? found.from : 'stale', url);
  }
  let source: Source;
  try {
    source = await share(shelf, flight, () => network(shelf, key, request, o, found?.stored, secret, token, rules.mode === 'reload'));
  } catch (error) {
    if (found) return toResponse(found.stored, 'stale', url);
    throw error;
  }
  return source instanceof Response ? mark(source.clone(), 'network') : toResponse(source, 'network', url);
}

/** Whether `stored` is fresh: within `ttl` when there is one, else within its own lifetime, and the request's `max-age`. */
function isFresh(stored: StoredResponse, o: ResolvedFetchOptions, rules: RequestRules): boolean {
  const lifetime = Math.min(o.ttlMs < Infinity ? o.ttlMs : stored.lifetime, rules.maxAge);
  return lifetime > 0 && !isExpired(stored.time, stored.time + lifetime, Date.now());
}

/** Joins the network request in progress for `flight`, or starts one (in the tier's `inflight`, which every clear empties). */
function share(shelf: Shelf, flight: string, start: () => Promise<Source>): Promise<Source> {
  const { inflight } = shelf.tiers.memory as unknown as { inflight: Map<string, Promise<Source>> };
  let pending = inflight.get(flight);
  if (!pending) inflight.set(flight, (pending = start().finally(() => inflight.get(flight) === pending && inflight.delete(flight))));
  return pending;
}

/** Response headers never stored: they set cookies, and the page cannot read them anyway. */
const UNSTORED = /^set-cookie2?$/;

/**
 * Asks the network (with a signal of its own: no caller can abort it) and stores a storable answer.
 * With a `stored` response that has an `ETag` or `Last-Modified`, the request is conditional, and a
 * 304 refreshes `stored`. An answer marked `no-store` is not stored, and removes what was: `stored`,
 * or whatever is under `key` when the store was `unread` (`cache: 'reload'`).
 */
async function network(
  shelf: Shelf,
  key: string,
  request: Request,
  o: ResolvedFetchOptions,
  stored: StoredResponse | undefined,
  secret: Uint8Array,
  token: Token,
  unread = false,
): Promise<Source> {
  const headers = new Headers(request.headers);
  const validators = stored && new Headers(stored.headers);
  const etag = validators?.get('etag');
  const modified = validators?.get('last-modified');
  const conditional = !headers.has('if-none-match') && !headers.has('if-modified-since') && (etag ?? modified ?? null) !== null;
  if (conditional && etag) headers.set('if-none-match', etag);
  else if (conditional && modified) headers.set('if-modified-since', modified);
  const response = await fetch(new Request(request, { signal: new AbortController().signal, headers }));
  const keep = (fresh: StoredResponse) => {
    save(shelf, key, fresh, token);
    return fresh;
  };
  const noStore = directives(response.headers).has('no-store');
  if (noStore && (stored || unread) && token.generation === shelf.tiers.memory.generation) void remove(shelf, key);
  if (response.status === 304 && conditional && stored) {
    // The stored response is still good: take the 304's headers (Date, Cache-Control, ETag…) but its length.
    const merged = new Headers(stored.headers);
    for (const [name, value] of response.headers) if (name !== 'content-length' && !UNSTORED.test(name)) merged.set(name, value);
    const refreshed = { ...stored, headers: [...merged], time: pageNow(), lifetime: lifetimeOf(merged) };
    return noStore ? refreshed : keep(refreshed);
  }
  const vary = varyNames(response);
  // Status 0: an opaque response, whose body and status cannot be read. 206: a part, never the whole.
  // A Vary on Cookie cannot be checked (the page cannot read cookies) unless none were sent.
  const unknowable = vary.includes('*') || (vary.includes('cookie') && request.credentials !== 'omit');
  if (noStore || unknowable || !response.status || response.status === 206 || !o.cacheable(response.status)) return response;
  return keep({
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers].filter(([name]) => !UNSTORED.test(name)),
    body: await response.arrayBuffer(),
    url: response.url && response.url !== request.url.replace(/#.*/s, '') ? response.url : '',
    time: pageNow(),
    lifetime: lifetimeOf(response.headers),
    vary,
    varyDigest: varyDigest(vary, request.headers, secret),
  });
}

/** Refreshes `key` in the background, unless this tab or another is refreshing it already. */
function revalidate(
  shelf: Shelf,
  key: string,
  flight: string,
  request: Request,
  o: ResolvedFetchOptions,
  stored: StoredResponse,
  secret: Uint8Array,
  token: Token,
): void {
  const { memory, disk } = shelf.tiers;
  if (memory.inflight.has(flight)) return;
  const locks = disk && typeof navigator === 'object' ? navigator.locks : undefined;
  const refresh = () => network(shelf, key, request, o, stored, secret, token);
  // In flight at once: the hits that follow join it rather than start their own.
  void share(shelf, flight, () =>
    locks
      ? // Another tab holds the lock: it is refreshing; read its answer from the disk next time.
        (locks.request(`${disk!.ns} ${shelf.db} ${key}`, { ifAvailable: true }, (lock) => (lock ? refresh() : (memory.delete(key), stored))) as Promise<Source>)
      : refresh(),
  ).catch(() => {});
}
