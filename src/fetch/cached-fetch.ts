import { requestRules, useOf, type RequestRules } from './http';
import { requestKeys, urlKey, varyDigest, varyNames } from './key';
import { allowed, drain, network, share, type Call } from './network';
import { resolveFetchOptions, type FetchCacheOptions, type ResolvedFetchOptions } from './options';
import { cacheStatus, isUsable, mark, toResponse, type CacheStatus, type StoredResponse } from './response';
import { everyShelf, shelfFor, type Shelf, type Token } from './shelf';

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
 * @throws (rejects) IdbMemoTypeError or IdbMemoRangeError naming an invalid option
 */
export async function cachedFetch(input: RequestInfo | URL, init?: RequestInit, options?: FetchCacheOptions): Promise<Response> {
  return call(resolveFetchOptions(options), input, init);
}

/**
 * Makes a configured {@link cachedFetch}: a private HTTP cache (RFC 9111) in the page or a worker.
 * docs/http.md tells what it does with each part of HTTP, and where it differs from the RFC.
 *
 * - GET and HEAD requests are cached. Any other method but OPTIONS and TRACE passes straight to
 *   `fetch`, and an answer below 400 removes what is stored for its URL and for the same-origin
 *   URLs its `Location` and `Content-Location` name, by every instance this page has used.
 * - Passed straight to `fetch`: `cache: 'no-store'` and `Cache-Control: no-store` requests, `Range`
 *   requests but those for one byte range of a GET, and `mode: 'same-origin'` requests to another
 *   origin. `cache: 'reload'` skips the store but stores the answer; `'no-cache'` (or
 *   `Cache-Control: no-cache` / `max-age=0`) revalidates; `'force-cache'` takes a stored answer
 *   however old; `'only-if-cached'` never asks the network (a 504 when nothing is stored).
 * - Key: a keyed hash (HMAC-SHA-256 with a random secret per database) of the URL, then of the
 *   method, the credentials and redirect modes, the integrity and every request header but
 *   `Cache-Control`, `Pragma` and `Range` (of those in `ignoreHeaders`, only whether they were
 *   sent); then the request headers the response's `Vary` names. No request header and no request
 *   URL is stored in clear (only the final URL of a redirected answer).
 * - Freshness: `ttl` when given; else the answer's own (RFC 9111: `max-age`, `Expires`, a tenth of
 *   its `Last-Modified` age for heuristically cacheable statuses), less its `Age`. A stale answer
 *   with an `ETag` or `Last-Modified` is revalidated with a conditional request; a 304 refreshes it
 *   and answers (`'revalidated'`). Within a `stale-while-revalidate` window it answers stale while
 *   refreshed behind; within a `stale-if-error` window it answers in place of a 500, 502, 503 or 504.
 * - A network failure falls back to the stored answer (`'stale'`), fresh or not, unless it says
 *   `must-revalidate` or `no-cache`.
 * - An answer from the network is returned as soon as its headers arrive; it is stored once its
 *   body has arrived whole, if that is within 32 MiB. Answers from the store carry their `Age`; a
 *   single byte range of a stored 200 answers a `Range` request (206, or 416).
 * - A damaged or foreign record is a miss: the network answers, and its answer overwrites it.
 * - Every answer is a fresh `Response` with its own body; {@link cacheStatus} tells how it was
 *   produced, for it and for its `clone()`s. A response made from the store, or from a network
 *   answer being stored, has `type` `'default'`.
 * - Identical concurrent requests share one network request; never across a clear (`clear()`,
 *   `clearFetchCache()`, `clearCaches()`): a request made after one never gets an answer asked for
 *   before it. Aborting a caller's `signal` rejects that caller's promise with the signal's reason
 *   (an `AbortError`); the shared request goes on, and its answer is stored.
 * - Under `'stale-while-revalidate'` one background refresh per key runs at a time, across tabs
 *   too (Web Locks).
 *
 * Do not assign the result to `globalThis.fetch`: it calls `globalThis.fetch` for the network.
 * @throws IdbMemoTypeError or IdbMemoRangeError naming an invalid option
 */
export function createCachedFetch(options?: FetchCacheOptions): CachedFetch {
  const o = resolveFetchOptions(options);
  return Object.assign((input: RequestInfo | URL, init?: RequestInit) => call(o, input, init), {
    clear: () => shelfFor(o).clear(),
  });
}

async function call(o: ResolvedFetchOptions, input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const shelf = shelfFor(o);
  const like = input as Partial<Request>;
  const method = (init.method ?? like.method ?? 'GET').toUpperCase();
  const mode = init.cache ?? like.cache ?? 'default';
  // Checked before making a Request, which would use up the body of a Request `input`.
  if (method !== 'GET' && method !== 'HEAD') {
    const url = like.url ?? String(input);
    const response = await fetch(input, init);
    if (!/^(OPTIONS|TRACE)$/.test(method)) for (const each of everyShelf()) await invalidate(each, url, response);
    return response;
  }
  if (mode === 'no-store') return fetch(input, init);
  const request = new Request(input, init);
  const rules = requestRules(request, mode);
  if (rules.pass) return fetch(request);
  const { signal } = request;
  signal.throwIfAborted();
  // Taken now: a clear() or clearCaches() made after this call began, even before its first
  // await, keeps its answer from being stored.
  const token = shelf.begin();
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort);
    void answer(shelf, o, request, rules, token)
      // A caller gone: its copy of the body is let go, not left to fill up unread.
      .then((response) => (signal.aborted ? void response.body?.cancel().catch(() => {}) : resolve(abortable(response, init.signal ?? like.signal))), reject)
      .finally(() => signal.removeEventListener('abort', abort));
  });
}

/** `response`, whose body stops (and stops being read from the network) when the caller's `signal` aborts, as fetch's does. */
function abortable(response: Response, signal: AbortSignal | null | undefined): Response {
  if (!signal || !response.body) return response;
  return mark(new Response(response.body.pipeThrough(new TransformStream(), { signal }), response), cacheStatus(response)!, response.url);
}

/**
 * After an unsafe request to `url` answered below 400 (or opaquely), removes what `shelf` stores for
 * it and for the URLs its `Location` and `Content-Location` name on the same origin (RFC 9111 §4.4).
 */
async function invalidate(shelf: Shelf, url: string, response: Response): Promise<void> {
  try {
    if (response.status > 399) return;
    const secret = await shelf.secret();
    const target = new URL(url, globalThis.location?.href);
    for (const named of [url, response.headers.get('location'), response.headers.get('content-location')]) {
      const at = named === null ? undefined : new URL(named, target);
      if (at?.origin === target.origin) await shelf.remove(urlKey(secret, at.href));
    }
  } catch {
    // Nothing to remove (or no way to): the answer stands.
  }
}

async function answer(shelf: Shelf, o: ResolvedFetchOptions, request: Request, rules: RequestRules, token: Token): Promise<Response> {
  const secret = await shelf.secret();
  const [key, flight] = requestKeys(request, secret, o.ignoreHeaders, rules.mode);
  const c: Call = { shelf, o, request, rules, token, secret, key, flight };
  const reload = rules.mode === 'reload';
  const found = reload ? undefined : await find(c);
  const stored = found?.[0];
  const use = stored && useOf(stored, o, rules);
  const serve = (from: StoredResponse, status: CacheStatus) => toResponse(from, status, request.url, rules.range);
  if (rules.onlyIfCached) return stored ? serve(stored, use!.fresh ? found[1] : 'stale') : new Response(null, { status: 504, statusText: 'Gateway Timeout' });
  if (stored && o.strategy !== 'network-first' && (!rules.revalidate || use!.immutable)) {
    const fresh = use!.fresh || rules.mode === 'force-cache';
    const behind = o.strategy === 'stale-while-revalidate';
    if (fresh || (behind ? use!.stale : use!.swr)) {
      if (behind || !fresh) revalidate(c, stored);
      return serve(stored, fresh ? found[1] : 'stale');
    }
  }
  let source;
  try {
    // A Range request the store could not answer passes straight through, not stored.
    source = rules.range ? await fetch(request) : await share(c, () => network(c, stored, reload));
  } catch (error) {
    if (stored && (use!.fresh || use!.stale)) return serve(stored, 'stale');
    throw error;
  }
  if (!(source instanceof Response)) return serve(source, 'revalidated');
  if (use?.sie && [500, 502, 503, 504].includes(source.status)) {
    void source.body?.cancel().catch(() => {});
    return serve(stored!, 'stale');
  }
  return rules.range ? source : mark(source, 'network');
}

/**
 * The stored response for the call's key and where it was found, if it is usable: whole, of a
 * status the options store, with `Vary` headers matching the request's, and (for a
 * `mode: 'same-origin'` request) not redirected to another origin. A damaged record is a miss,
 * dropped from memory until a good answer overwrites it.
 */
async function find(c: Call): Promise<[StoredResponse, CacheStatus] | undefined> {
  const found = await c.shelf.lookup(c.key);
  const stored = found?.value;
  if (!found) return;
  if (!isUsable(stored)) return void c.shelf.remove(c.key, true);
  const headers = new Headers(stored.headers);
  try {
    if (
      allowed(stored.status, headers, c.o) &&
      stored.vary === varyDigest(varyNames(headers), c.request.headers, c.secret) &&
      !(c.request.mode === 'same-origin' && stored.url && new URL(stored.url).origin !== globalThis.location?.origin)
    ) {
      return [stored, found.from];
    }
  } catch {
    // A Vary naming a header the platform refuses: a miss.
  }
}

/** Refreshes the call's key in the background, unless this tab or another is refreshing it already. */
function revalidate(c: Call, stored: StoredResponse): void {
  const { shelf } = c;
  if (shelf.inflight.has(`${c.token.generation} ${c.flight}`)) return;
  // Nobody reads the refreshed body but the store: it is read through, for the store to keep it.
  const refresh = () => share(c, () => network(c, stored)).then((source) => (source instanceof Response ? drain(source.body) : undefined), () => {});
  const locks = shelf.db ? globalThis.navigator?.locks : undefined;
  if (!locks?.request) return void refresh();
  void locks
    // Another tab holds the lock: it is refreshing; read its answer from the disk next time.
    .request(`${shelf.id} ${c.key}`, { ifAvailable: true }, (lock) => (lock ? refresh() : shelf.remove(c.key, true)))
    .catch(() => {});
}
