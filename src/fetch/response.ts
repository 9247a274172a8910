import { currentAge, TOKEN } from './http';

/**
 * How {@link cachedFetch} produced a response: from the network now, from the memory tier, from
 * IndexedDB, from the store after a 304 confirmed it, or from the store in place of a fresh answer
 * (stale: past its freshness, or the network failed).
 */
export type CacheStatus = 'network' | 'memory' | 'disk' | 'revalidated' | 'stale';

/** A response as stored, in memory and as the value of its entry record in IndexedDB. */
export interface StoredResponse {
  readonly status: number;
  readonly statusText: string;
  /** Its headers but those never stored (see keptHeaders). */
  readonly headers: [string, string][];
  readonly body: ArrayBuffer;
  /** The final URL when a redirect led elsewhere; else '' (the request's URL, kept only in the keyed hash). */
  readonly url: string;
  /** Wall-clock ms when the response arrived, or a 304 confirmed it. */
  readonly time: number;
  /** Its age (ms) then (see ageOf). */
  readonly age: number;
  /** Keyed digest of the request's values of the headers its `Vary` names (see varyDigest); '' without `Vary`. */
  readonly vary: string;
}

/** Response headers never stored: hop-by-hop ones (RFC 9111 §3.1) and those setting cookies (the page cannot read them). */
const UNSTORED = /^(connection|keep-alive|proxy-.*|te|trailer|transfer-encoding|upgrade|set-cookie2?)$/;

/** The headers of `headers` to store: not hop-by-hop, not named by `Connection`, not setting cookies. */
export function keptHeaders(headers: Headers): [string, string][] {
  const named = headers.get('connection')?.toLowerCase().split(/\s*,\s*/) ?? [];
  return lowerCase(headers).filter(([name]) => !UNSTORED.test(name) && !named.includes(name));
}

/** The entries of `headers`, names in lower case (as browsers give them; not every implementation does). */
export const lowerCase = (headers: Headers): [string, string][] => [...headers].map(([name, value]) => [name.toLowerCase(), value]);

/**
 * Whether `value` is a stored response that makes a valid Response (status, header names and
 * values, status text, no body on a 204…); a damaged or foreign record is not.
 */
export function isUsable(value: unknown): value is StoredResponse {
  try {
    const { status, statusText, headers, body, url, vary, time, age } = value as StoredResponse;
    return (
      Number.isInteger(status) &&
      status > 199 &&
      status < 600 &&
      status !== 206 &&
      !/[\0\r\n]/.test(statusText + headers) &&
      headers.every(([name]) => TOKEN.test(name)) &&
      body instanceof ArrayBuffer &&
      (!body.byteLength || ![204, 205, 304].includes(status)) &&
      typeof url + typeof vary === 'stringstring' &&
      age >= 0 &&
      Number.isFinite(time + age) &&
      // Browsers refuse what the checks above miss (a status text out of range…).
      !!new Response(null, value as StoredResponse)
    );
  } catch {
    return false;
  }
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
    url: { value: url, configurable: true },
    clone: { value: () => mark(clone.call(response), status, url), configurable: true },
  });
}

/**
 * A fresh response, with its own readable body, made from `stored` for a request for `url`, with
 * its current `Age`; for a `range` (`bytes=a-b`, `a-` or `-n`) of a 200, a 206 with that part or a
 * 416 when it is out of range (an invalid range is ignored: the whole answer).
 */
export function toResponse(stored: StoredResponse, status: CacheStatus, url: string, range?: string | null): Response {
  const headers = new Headers(stored.headers);
  headers.set('age', String(Math.floor(Math.max(0, currentAge(stored, Date.now())) / 1000)));
  let { body, status: code, statusText } = stored;
  const [, from, to] = (code === 200 && /^bytes=(\d*)-(\d*)$/.exec(range!)) || [];
  const size = body.byteLength;
  // bytes=a-b, bytes=a- (to the end), bytes=-n (the last n); b before a is no range.
  const first = Math.max(from ? +from : size - +to!, 0);
  const last = from && to ? Math.min(+to, size - 1) : size - 1;
  if ((from || to) && !(from && to && +to < +from)) {
    const part = first < size;
    [code, statusText] = part ? [206, 'Partial Content'] : [416, 'Range Not Satisfiable'];
    headers.set('content-range', part ? `bytes ${first}-${last}/${size}` : `bytes */${size}`);
    body = body.slice(first, part ? last + 1 : first);
    headers.set('content-length', String(body.byteLength));
  }
  return mark(new Response(body.byteLength ? body : null, { status: code, statusText, headers }), status, stored.url || url.replace(/#.*/s, ''));
}
