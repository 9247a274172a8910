/** HTTP caching rules of a private cache (RFC 9111), as far as cachedFetch applies them. */

/** A header name (RFC 9110 token). */
export const TOKEN = /^[!#$%&'*+.^_`|~\w-]+$/;

/** The directives of a `Cache-Control` header, by lower-case name (value '' when there is none). */
export function directives(headers: Headers): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, name, value] of (headers.get('cache-control') ?? '').toLowerCase().matchAll(/([^\s,=]+)(?:\s*=\s*("[^"]*"|[^\s,]*))?/g)) {
    found.set(name!, (value ?? '').replace(/"/g, ''));
  }
  return found;
}

/** Milliseconds of a delta-seconds value; 0 (stale) for an invalid one, as RFC 9111 asks. */
function ms(value: string | undefined): number {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) * 1000 : 0;
}

/**
 * How long, in ms after it arrived, a response with `headers` is fresh: from `Cache-Control`
 * (`no-cache`: 0; `max-age`), else from `Expires` (against `Date`), less its `Age`; Infinity
 * when none of them is there.
 */
export function lifetimeOf(headers: Headers): number {
  const cc = directives(headers);
  const age = ms(headers.get('age') ?? '0');
  if (cc.has('no-cache')) return 0;
  if (cc.has('max-age')) return ms(cc.get('max-age')) - age;
  const expires = headers.get('expires');
  if (expires === null) return Infinity;
  const at = Date.parse(expires);
  const date = Date.parse(headers.get('date') ?? '');
  return Number.isNaN(at) ? 0 : at - (Number.isNaN(date) ? Date.now() : date) - age;
}

/** What the request's own caching headers ask: never store, revalidate, or a freshness limit (ms). */
export interface RequestRules {
  /** The request's `cache` mode. */
  readonly mode: RequestCache;
  readonly noStore: boolean;
  readonly revalidate: boolean;
  readonly onlyIfCached: boolean;
  readonly maxAge: number;
}

/** The caching rules of `request`: its `cache` mode `mode`, its `Cache-Control` (and a `Range` header). */
export function requestRules(request: Request, mode: RequestCache): RequestRules {
  const { headers } = request;
  const cc = directives(headers);
  const maxAge = cc.has('max-age') ? ms(cc.get('max-age')) : Infinity;
  return {
    mode,
    noStore: mode === 'no-store' || cc.has('no-store') || headers.has('range'),
    revalidate: mode === 'no-cache' || cc.has('no-cache') || maxAge === 0,
    onlyIfCached: mode === 'only-if-cached' || cc.has('only-if-cached'),
    maxAge,
  };
}
