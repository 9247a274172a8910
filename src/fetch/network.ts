/** How cachedFetch asks the network: conditional requests, 304s, what is stored, streamed bodies, shared requests. */
import { ageOf, directives, expiresAt, HEURISTIC, type RequestRules } from './http';
import { varyDigest, varyNames } from './key';
import type { ResolvedFetchOptions } from './options';
import { keptHeaders, mark, type StoredResponse } from './response';
import type { Shelf, Token } from './shelf';

/** One call of cachedFetch for a GET or HEAD request. */
export interface Call {
  readonly shelf: Shelf;
  readonly o: ResolvedFetchOptions;
  readonly request: Request;
  readonly rules: RequestRules;
  readonly token: Token;
  readonly secret: Uint8Array;
  readonly key: string;
  /** Calls with the same flight share a network request (see requestKeys). */
  readonly flight: string;
}

/** What a network request produced: a stored response a 304 confirmed, or the network's response. */
export type Source = StoredResponse | Response;

/** Statuses whose meaning RFC 9110 defines, for `must-understand` (RFC 9111 §5.2.2.3). */
const UNDERSTOOD = /^(20[0-5]|30[0-578]|4(0\d|1[0-7]|2[126])|50[0-5])$/;

/**
 * Whether a response with `status` and `headers` may be stored (and, when found, used) under
 * options `o`: `cacheableStatuses` when given, else RFC 9111 §3 (explicit freshness, `public` or
 * `private`, or a heuristically cacheable status; a status not understood with `must-understand` never).
 */
export function allowed(status: number, headers: Headers, o: ResolvedFetchOptions): boolean {
  const cc = directives(headers);
  return o.statuses
    ? o.statuses(status)
    : !(cc.has('must-understand') && !UNDERSTOOD.test(`${status}`)) &&
        (HEURISTIC.includes(status) || headers.has('expires') || ['max-age', 'public', 'private'].some((name) => cc.has(name)));
}

/** Most bytes of a body read to be stored: past them it is passed on, and not stored. */
export const MAX_BODY_BYTES = 2 ** 25;

/** Response headers a 304 never updates: what the stored body depends on (RFC 9111 §3.2). */
const NO_UPDATE = /^(content-(encoding|length|md5|range)|etag)$/;

/**
 * Asks the network (with a signal of its own: no caller can abort it) and stores a storable answer.
 * With a `stored` response that has an `ETag` or `Last-Modified`, the request is conditional, and a
 * 304 refreshes `stored`, which is returned. A storable answer with a `Content-Length` within
 * MAX_BODY_BYTES is read whole, stored, then returned; any other is returned as soon as its headers
 * arrive, its body stored once it has arrived whole within MAX_BODY_BYTES. An answer marked
 * `no-store` is not stored, and removes what was: `stored`, or what is under the key when the store
 * was `unread` (`cache: 'reload'`).
 */
export async function network(c: Call, stored?: StoredResponse, unread = false): Promise<Source> {
  const { shelf, request, o, token } = c;
  const headers = new Headers(request.headers);
  const kept = new Headers(stored?.headers);
  const validator = !headers.has('if-none-match') && !headers.has('if-modified-since') && (kept.get('etag') ?? kept.get('last-modified'));
  if (validator) headers.set(kept.has('etag') ? 'if-none-match' : 'if-modified-since', validator);
  // What cache: 'no-cache' asks of the caches on the way (the page's own fetch may not say it).
  if (c.rules.revalidate && !headers.has('cache-control')) headers.set('cache-control', 'max-age=0');
  const sent = Date.now();
  const response = await fetch(new Request(request, { signal: new AbortController().signal, headers }));
  const time = Date.now();
  const keep = (fresh: StoredResponse, until = expiresAt(fresh, o)) => until > time && shelf.save(c.key, fresh, time, until, token);
  const noStore = directives(response.headers).has('no-store');
  if (noStore && (stored || unread)) void shelf.remove(c.key);
  if (response.status === 304 && validator) {
    // The stored response is still good: take the 304's headers (Date, Cache-Control…) but those its body depends on.
    for (const [name, value] of keptHeaders(response.headers)) if (!NO_UPDATE.test(name)) kept.set(name, value);
    const refreshed = { ...stored!, headers: [...kept], time, age: ageOf(response.headers, sent, time) };
    if (!noStore) keep(refreshed);
    return refreshed;
  }
  const vary = varyNames(response.headers);
  // Status 0: an opaque response, whose body and status cannot be read. 206: a part, never the whole.
  // A Vary on Cookie cannot be checked (the page cannot read cookies) unless none were sent.
  if (
    noStore ||
    vary.includes('*') ||
    (vary.includes('cookie') && request.credentials !== 'omit') ||
    [0, 206, 304].includes(response.status) ||
    !allowed(response.status, response.headers, o)
  ) {
    return response;
  }
  const entry: StoredResponse = {
    status: response.status,
    statusText: response.statusText,
    headers: keptHeaders(response.headers),
    body: new ArrayBuffer(0),
    url: response.url && response.url !== request.url.replace(/#.*/s, '') ? response.url : '',
    time,
    age: ageOf(response.headers, sent, time),
    vary: varyDigest(vary, request.headers, c.secret),
  };
  const store = (bytes: ArrayBuffer) => keep({ ...entry, body: bytes });
  // A null-body status may still come with an empty stream.
  const body = [204, 205].includes(response.status) ? null : response.body;
  const answer = (stream: BodyInit | null) => mark(new Response(stream, response), 'network', response.url);
  // An event stream never ends: not stored.
  if (/^text\/event-stream/.test(response.headers.get('content-type')!)) return response;
  // A body of a known length, within bounds, is read first (the next call finds it stored); any
  // other is handed on as it comes, and stored once it has come whole.
  const length = response.headers.get('content-length');
  if (!body || (length && +length <= MAX_BODY_BYTES)) {
    const bytes = await response.arrayBuffer();
    store(bytes);
    return answer(body && bytes);
  }
  return answer(tap(body, store));
}

/**
 * `source` as a stream that reads it at once, whether or not its reader does, and hands its bytes
 * to `store` once it has ended, before it ends for its reader (who then finds it stored). Past
 * MAX_BODY_BYTES nothing is kept, and `source` is read only as fast as the reader reads, so nothing
 * is ever buffered without bound. A reader that cancels stops it at once: what came is not stored.
 */
function tap(source: ReadableStream<Uint8Array>, store: (body: ArrayBuffer) => void): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let chunks: Uint8Array[] | undefined = [];
  let size = 0;
  let open = true;
  let wake = () => {};
  return new ReadableStream({
    start(controller) {
      void (async () => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) {
              if (chunks) {
                const bytes = new Uint8Array(size);
                size = 0;
                for (const chunk of chunks) bytes.set(chunk, (size += chunk.byteLength) - chunk.byteLength);
                store(bytes.buffer);
              }
              return open && controller.close();
            }
            if (chunks && (size += value.byteLength) > MAX_BODY_BYTES) chunks = undefined;
            chunks?.push(value);
            if (open) controller.enqueue(value);
            while (!chunks && open && controller.desiredSize! <= 0) await new Promise<void>((resolve) => (wake = resolve));
            if (!chunks && !open) return void reader.cancel().catch(() => {});
          }
        } catch (error) {
          if (open) controller.error(error);
        }
      })();
    },
    pull: () => wake(),
    cancel() {
      // The reader is gone: the rest is neither read nor stored (a stream may never end).
      open = false;
      chunks = undefined;
      wake();
      void reader.cancel().catch(() => {});
    },
  });
}

/**
 * Joins the network request in progress for the call's flight, or starts one (in the shelf's
 * `inflight`, which every clear empties). Each caller gets a response of its own: the last to take
 * it the network's, the others clones, so that no copy of the body is left unread.
 */
export function share(c: Call, start: () => Promise<Source>): Promise<Source> {
  const { inflight } = c.shelf;
  const id = `${c.token.generation} ${c.flight}`;
  let flight = inflight.get(id) as { takers: number; done: Promise<Source> } | undefined;
  if (!flight) {
    const f = { takers: 0, done: start().finally(() => inflight.get(id) === f && inflight.delete(id)) };
    inflight.set(id, (flight = f));
  }
  const f = flight;
  f.takers++;
  return f.done.then((source) => (source instanceof Response && --f.takers ? source.clone() : source));
}

/** Reads a body that nobody reads but the store (a refresh behind a stale answer), within MAX_BODY_BYTES. */
export async function drain(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (let size = 0; size <= MAX_BODY_BYTES; ) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
    }
  } finally {
    void reader.cancel().catch(() => {});
  }
}
