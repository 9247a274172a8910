/**
 * How {@link cachedFetch} produced a response: from the network now, from the memory tier, from
 * IndexedDB, or from the store in place of a fresh answer (past its `ttl`, or because the network failed).
 */
export type CacheStatus = 'network' | 'memory' | 'disk' | 'stale';

/** A response as stored, in memory and as the value of its entry record in IndexedDB. */
export interface StoredResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: [string, string][];
  readonly body: ArrayBuffer;
  /** The final URL when a redirect led elsewhere; else '' (the request's URL, kept only in the keyed hash). */
  readonly url: string;
  /** Wall-clock ms when the response arrived, or was last revalidated (see orderedNow). */
  readonly time: number;
  /** Ms after `time` that the response is fresh by its own headers (see lifetimeOf); Infinity: no limit. */
  readonly lifetime: number;
  /** The request header names the response varies on (its `Vary`). */
  readonly vary: string[];
  /** Digest of the request's values of the `vary` headers (see varyDigest); '' without `vary`. */
  readonly varyDigest: string;
}

const statuses = new WeakMap<Response, CacheStatus>();

/**
 * How `response` was produced, if {@link cachedFetch} returned it (or it is a `clone()` of one);
 * undefined for any other response, including those of requests that passed straight through.
 */
export function cacheStatus(response: Response): CacheStatus | undefined {
  return statuses.get(response);
}

/** Records `status` for `response`, whose `clone()` and `url` then carry it (and `url`) along. */
export function mark(response: Response, status: CacheStatus, url = response.url): Response {
  const clone = response.clone;
  statuses.set(response, status);
  return Object.defineProperties(response, {
    url: { value: url },
    clone: { value: () => mark(clone.call(response), status, url) },
  });
}

/** A fresh response, with its own readable body, made from `stored`, the answer to a request for `url`. */
export function toResponse(stored: StoredResponse, status: CacheStatus, url: string): Response {
  const { body } = stored;
  return mark(new Response(body.byteLength ? body : null, stored), status, stored.url || url.replace(/#.*/s, ''));
}
