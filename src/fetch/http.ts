/** HTTP caching rules of a private cache (RFC 9111, RFC 5861), as cachedFetch applies them: parsing and freshness. */
import type { ResolvedFetchOptions } from './options';
import type { StoredResponse } from './response';

/** A header name (RFC 9110 token). */
export const TOKEN = /^[!#$%&'*+.^_`|~\w-]+$/;

/** Statuses cacheable by heuristics (RFC 9110 §15.1; 206 is never stored). */
export const HEURISTIC = [200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501];

/** The directives of a `Cache-Control` header, by lower-case name (value '' when there is none); the first of a name wins. */
export function directives(headers: Headers): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, name, value = ''] of (headers.get('cache-control') ?? '').toLowerCase().matchAll(/([^\s,=]+)(?:=("[^"]*"|[^\s,]*))?/g)) {
    if (!found.has(name!)) found.set(name!, value.replace(/"/g, ''));
  }
  return found;
}

/** Milliseconds of a delta-seconds value (at most 2^31 s, RFC 9111 §1.2.2); NaN for anything else. */
export const ms = (value: string | null | undefined): number => (/^\d+$/.test(value!) ? Math.min(+value!, 2 ** 31) * 1000 : NaN);

const MONTHS = 'janfebmaraprmayjunjulaugsepoctnovdec';

/**
 * Wall-clock ms of an HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, RFC 850 or asctime, matched in any
 * case as RFC 9111 §4.2 asks); NaN for anything else, such as `0`. A two-digit year is the one
 * closest in the past when it would be more than 50 years ahead.
 */
export function httpDate(text: string | null): number {
  // Sun, 06 Nov 1994 08:49:37 GMT | Sunday, 06-Nov-94 08:49:37 GMT | Sun Nov  6 08:49:37 1994
  const m = /^(?:[a-z]{3}, (\d\d) ([a-z]{3}) (\d{4})|[a-z]{6,9}, (\d\d)-([a-z]{3})-(\d\d)|[a-z]{3} ([a-z]{3}) ([ \d]\d)) (\d\d):(\d\d):(\d\d) (?:gmt|(\d{4}))$/i.exec(text!);
  // Only asctime ends with its year.
  if (!m || !m[7] !== !m[12]) return NaN;
  const month = MONTHS.indexOf((m[2] ?? m[5] ?? m[7])!.toLowerCase());
  let year = +(m[3] ?? m[6] ?? m[12])!;
  if (year < 100) {
    const now = new Date().getUTCFullYear();
    year += now - (now % 100);
    if (year > now + 50) year -= 100;
  }
  return month % 3 ? NaN : Date.UTC(year, month / 3, +(m[1] ?? m[4] ?? m[8])!, +m[9]!, +m[10]!, +m[11]!);
}

/**
 * How long (ms) a response with `status` and `headers`, received at `time`, is fresh (RFC 9111
 * §4.2.1, a private cache): `no-cache` 0; else `max-age` (0 when invalid); else `Expires` less `Date`
 * (0 when invalid); else, for a heuristically cacheable status or `public`, a tenth of the time
 * since `Last-Modified`; else 0.
 */
export function lifetimeOf(status: number, headers: Headers, time: number): number {
  const cc = directives(headers);
  const date = httpDate(headers.get('date')) || time;
  const expires = headers.get('expires');
  const modified = httpDate(headers.get('last-modified'));
  return cc.has('no-cache')
    ? 0
    : cc.has('max-age')
      ? ms(cc.get('max-age')) || 0
      : expires !== null
        ? httpDate(expires) - date || 0
        : (HEURISTIC.includes(status) || cc.has('public')) && modified < date
          ? (date - modified) / 10
          : 0;
}

/**
 * The age (ms) of a response when it arrived at `time`, asked for at `sent` (RFC 9111 §4.2.3):
 * the larger of its apparent age and its `Age` plus the time it took. An `Age` that is not one
 * delta-seconds (a list, a sign, a fraction, a parameter) counts as the largest.
 */
export function ageOf(headers: Headers, sent: number, time: number): number {
  const age = headers.get('age');
  return Math.max(time - (httpDate(headers.get('date')) || time), (age === null ? 0 : ms(age.trim()) || 2 ** 31 * 1000) + time - sent);
}

/** Current age (ms) of `stored` at `now`. */
export const currentAge = (stored: StoredResponse, now: number) => stored.age + now - stored.time;

/** What the request's own caching headers ask. */
export interface RequestRules {
  /** The request's `cache` mode. */
  readonly mode: RequestCache;
  /** Its `Range` header, if any (a single byte range: other ranges pass straight to fetch). */
  readonly range: string | null;
  /** Straight to `fetch`: not read, not stored. */
  readonly pass: boolean;
  readonly revalidate: boolean;
  readonly onlyIfCached: boolean;
  /** The request's `max-age` (ms). */
  readonly maxAge: number;
}

/** The caching rules of `request`: its `cache` mode `mode`, its `Cache-Control`, `Range` and mode. */
export function requestRules(request: Request, mode: RequestCache): RequestRules {
  const { headers } = request;
  const cc = directives(headers);
  const range = headers.get('range');
  const maxAge = cc.has('max-age') ? ms(cc.get('max-age')) || 0 : Infinity;
  const origin = globalThis.location?.origin;
  return {
    mode,
    range,
    // Never stored nor answered from the store: `no-store`, ranges this cache does not serve, and
    // `mode: 'same-origin'` to another origin (fetch rejects it, as it must).
    pass:
      cc.has('no-store') ||
      (range !== null && (request.method !== 'GET' || headers.has('if-range') || !/^bytes=\d*-\d*$/.test(range))) ||
      (request.mode === 'same-origin' && !!origin && new URL(request.url).origin !== origin),
    revalidate: mode === 'no-cache' || cc.has('no-cache') || !maxAge,
    onlyIfCached: mode === 'only-if-cached' || cc.has('only-if-cached'),
    maxAge,
  };
}

/** How a stored response may be used now. */
export interface Use {
  /** Fresh: within `ttl` when there is one, else within its own lifetime, and within the request's `max-age`. */
  readonly fresh: boolean;
  /** Fresh and `immutable` (RFC 8246): not revalidated even when the request asks. */
  readonly immutable: boolean;
  /** May answer stale (when the network fails): no `must-revalidate` or `no-cache`. */
  readonly stale: boolean;
  /** Stale, within its `stale-while-revalidate` window (RFC 5861). */
  readonly swr: boolean;
  /** Stale, within its `stale-if-error` window (RFC 5861). */
  readonly sie: boolean;
  /** When it turns stale (wall-clock ms). */
  readonly until: number;
}

/**
 * How `stored` may be used at `now` by a request with `rules`, under options `o`. An answer that
 * was redirected is stale at once: the redirect may move, and its own lifetime is unknown.
 */
export function useOf(stored: StoredResponse, o: ResolvedFetchOptions, rules?: RequestRules, now = Date.now()): Use {
  const headers = new Headers(stored.headers);
  const cc = directives(headers);
  const until = stored.time + (o.ttlMs < Infinity ? o.ttlMs : (stored.url ? 0 : lifetimeOf(stored.status, headers, stored.time)) - stored.age);
  const stale = !cc.has('must-revalidate') && !cc.has('no-cache');
  const within = (name: string) => stale && now - until < ms(cc.get(name));
  // Stamped in the future: the clock moved back, and nothing can be told.
  const fresh = now < until && now > stored.time - 1000 && currentAge(stored, now) < (rules?.maxAge ?? Infinity);
  return {
    fresh,
    immutable: fresh && cc.has('immutable'),
    stale,
    swr: within('stale-while-revalidate'),
    sie: within('stale-if-error'),
    until,
  };
}

/** How long after a response turns stale it is kept to answer when the network fails (offline). */
export const KEEP_STALE_MS = 7 * 24 * 3600 * 1000;

/**
 * When `stored` is of no more use, to be swept (wall-clock ms): never while it has a validator
 * (`ETag`, `Last-Modified`: a 304 can make it fresh again); else when it turns stale if it may not
 * answer stale (`must-revalidate`, `no-cache`); else {@link KEEP_STALE_MS} after it turns stale
 * (or arrives, if it came stale).
 */
export function expiresAt(stored: StoredResponse, o: ResolvedFetchOptions): number {
  const { stale, until } = useOf(stored, o);
  const headers = new Headers(stored.headers);
  return headers.has('etag') || headers.has('last-modified') ? Infinity : stale ? Math.max(until, stored.time) + KEEP_STALE_MS : until;
}
