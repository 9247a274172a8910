import { hmacHex } from './hmac';

/** Request headers that are directives to caches (see requestRules), not part of what is asked. */
const DIRECTIVES = ['cache-control', 'pragma'];

/**
 * The keys of a GET or HEAD `request`: `[key, flight]`. `key` names the stored entry: the keyed
 * hash (HMAC-SHA-256 under the database's `secret`) of the method, the URL without its fragment,
 * the credentials and redirect modes, whether the mode is `no-cors`, the integrity, every request header but the `ignored` ones
 * and the caching directives (`Cache-Control`, `Pragma`), and the names of the `ignored` ones sent.
 * Requests that differ in any of them never share an entry (whatever headers another instance
 * ignores), and what they hold (credentials included) cannot be recovered from the key, nor looked
 * up without the secret. `flight` is `key` with the values of the ignored headers, the caching
 * directives and the `cache` mode `mode`: only requests equal in all of them share a network request.
 */
export function requestKeys(request: Request, secret: Uint8Array, ignored: readonly string[], mode: RequestCache): [string, string] {
  const headers = [...request.headers];
  const sent = headers.filter(([name]) => !DIRECTIVES.includes(name));
  const keyed = sent.filter(([name]) => !ignored.includes(name));
  const dropped = sent.filter(([name]) => ignored.includes(name)).map(([name]) => name);
  // A no-cors answer may be opaque; cors and same-origin ones are readable alike (only-if-cached needs same-origin).
  const opaque = request.mode === 'no-cors';
  const parts = [request.method, request.url.replace(/#.*/s, ''), request.credentials, opaque, request.redirect, request.integrity, keyed];
  // Without ignored headers sent, the key is what it was before they were keyed.
  const key = hmacHex(secret, JSON.stringify(dropped.length ? [...parts, dropped] : parts));
  return [key, `${key} ${keyed.length === headers.length ? mode : hmacHex(secret, JSON.stringify([headers, mode]))}`];
}

/** The header names a response's `Vary` lists, in lower case (`['*']` for `Vary: *`). */
export function varyNames(response: Response): string[] {
  return response.headers.get('vary')?.toLowerCase().match(/[^\s,]+/g) ?? [];
}

/** Keyed hash of the values `headers` has for the `names` a response varies on ('' when there are none). */
export function varyDigest(names: readonly string[], headers: Headers, secret: Uint8Array): string {
  return names.length ? hmacHex(secret, JSON.stringify(names.map((name) => headers.get(name)))) : '';
}
