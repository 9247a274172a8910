import { hmacHex } from './hmac';
import { lowerCase } from './response';

/** Request headers that are directives to caches, not part of what is asked (a `Range` is served from the whole). */
const DIRECTIVES = ['cache-control', 'pragma', 'range'];

/** Hex digits of each half of a key; the first half names the URL (see urlKey). */
export const URL_KEY_LENGTH = 32;

/** The first half of the keys of every request for `url` (without its fragment): what invalidating it removes. */
export const urlKey = (secret: Uint8Array, url: string): string => hmacHex(secret, url.replace(/#.*/s, '')).slice(0, URL_KEY_LENGTH);

/**
 * The keys of a GET or HEAD `request`: `[key, flight]`. `key` names the stored entry: the keyed
 * hash (HMAC-SHA-256 under the database's `secret`) of the URL without its fragment (see urlKey),
 * then that of the method, the credentials and redirect modes, whether the mode is `no-cors`, the
 * integrity, every request header but the `ignored` ones and the caching directives
 * (`Cache-Control`, `Pragma`, `Range`), and the names of the `ignored` ones sent. Requests that
 * differ in any of them never share an entry (whatever headers another instance ignores), and what
 * they hold (credentials included) cannot be recovered from the key, nor looked up without the
 * secret. `flight` is `key` with the values of the ignored headers, the caching directives and the
 * `cache` mode `mode`: only requests equal in all of them share a network request.
 */
export function requestKeys(request: Request, secret: Uint8Array, ignored: readonly string[], mode: RequestCache): [string, string] {
  const headers = lowerCase(request.headers);
  const sent = headers.filter(([name]) => !DIRECTIVES.includes(name));
  const keyed = sent.filter(([name]) => !ignored.includes(name));
  const dropped = sent.filter(([name]) => ignored.includes(name)).map(([name]) => name);
  // A no-cors answer may be opaque; cors and same-origin ones are readable alike (only-if-cached needs same-origin).
  const parts = [request.method, request.credentials, request.mode === 'no-cors', request.redirect, request.integrity, keyed, dropped];
  const key = urlKey(secret, request.url) + hmacHex(secret, JSON.stringify(parts)).slice(0, URL_KEY_LENGTH);
  return [key, `${key} ${keyed.length === headers.length ? mode : hmacHex(secret, JSON.stringify([headers, mode]))}`];
}

/** The header names a `Vary` lists, in lower case (`['*']` for `Vary: *`). */
export function varyNames(headers: Headers): string[] {
  return headers.get('vary')?.toLowerCase().match(/[^\s,]+/g) ?? [];
}

/** Keyed hash of the values `headers` has for the `names` a response varies on ('' when there are none). */
export function varyDigest(names: readonly string[], headers: Headers, secret: Uint8Array): string {
  return names.length ? hmacHex(secret, JSON.stringify(names.map((name) => headers.get(name)))) : '';
}
