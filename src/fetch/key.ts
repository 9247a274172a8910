import { sha256OfText } from '../key/digest';

/** Request headers that always change the answer, so they are part of every key. */
const KEY_HEADERS = ['accept', 'accept-language', 'authorization'];

/**
 * The keys of a GET or HEAD `request`: `[key, flight]`. `key`, the hex SHA-256 of method, absolute
 * URL and the Accept, Accept-Language and Authorization headers, names the stored entry: entries fetched
 * with different credentials never answer each other, and credentials are never stored in clear.
 * `flight`, kept in memory only while a request is in progress, adds every other header: only
 * requests equal in all of them share a network request.
 */
export async function requestKeys(request: Request): Promise<[string, string]> {
  const { headers } = request;
  const key = await sha256OfText(JSON.stringify([request.method, request.url, ...KEY_HEADERS.map((name) => headers.get(name))]));
  return [key, key + JSON.stringify([...headers])];
}

/** The header names a response's `Vary` lists (`['*']` for `Vary: *`). */
export function varyNames(response: Response): string[] {
  return response.headers.get('vary')?.match(/[^\s,]+/g) ?? [];
}

/** Digest of the values `headers` has for the `names` a response varies on ('' when there are none). */
export function varyDigest(names: readonly string[], headers: Headers): Promise<string> | string {
  return names.length ? sha256OfText(JSON.stringify(names.map((name) => headers.get(name)))) : '';
}
