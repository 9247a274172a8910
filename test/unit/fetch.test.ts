import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachedFetch, cacheStatus, clearCaches, clearFetchCache, createCachedFetch, type FetchCacheOptions } from '../../src/index';
import { createHmac } from 'node:crypto';
import { hmacHex } from '../../src/fetch/hmac';
import { requestKeys } from '../../src/fetch/key';
import type { StoredResponse } from '../../src/fetch/response';
import { flushCaches as flushStores, forgetMemories as clearMemories } from '../../src/registry';
import { openDB } from 'idb';
import { freshLibrary, storedEntries, uniquePath, waitFor, waitForEntries } from './helpers';

const ORIGIN = 'https://api.test';
const ALICE = 'Bearer token-alice-0123456789';
const BOB = 'Bearer token-bob-9876543210';

/**
 * A stubbed `fetch` answering like a small API, counting requests per path and query:
 * `/data` echoes a JSON body, `/missing` is a 404, `/vary` varies on X-Variant, `/vary-star` has
 * `Vary: *`. `fail` makes it reject like a network failure; `gate` holds answers until opened.
 */
function server() {
  const counts = new Map<string, number>();
  const requests: Request[] = [];
  const state = { fail: false, gate: undefined as Promise<void> | undefined };
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    requests.push(request);
    const url = new URL(request.url);
    const id = url.pathname + url.search;
    const n = (counts.get(id) ?? 0) + 1;
    counts.set(id, n);
    if (state.gate) await state.gate;
    if (state.fail) throw new TypeError('Failed to fetch');
    const headers = { 'content-type': 'application/json' };
    const user = /token-(\w+)-/.exec(request.headers.get('authorization') ?? '')?.[1] ?? 'anonymous';
    switch (url.pathname) {
      case '/missing':
        return new Response('{"error":"missing"}', { status: 404, statusText: 'Not Found', headers });
      case '/vary':
        return new Response(JSON.stringify({ variant: request.headers.get('x-variant'), n }), { headers: { ...headers, vary: 'X-Variant' } });
      case '/vary-star':
        return new Response(JSON.stringify({ n }), { headers: { ...headers, vary: '*' } });
      case '/empty':
        return new Response(null, { status: 204, statusText: 'No Content' });
      default:
        return new Response(JSON.stringify({ path: id, n, user, accept: request.headers.get('accept') }), {
          status: 200,
          statusText: 'OK',
          headers: { ...headers, 'x-served-by': 'stub' },
        });
    }
  });
  vi.stubGlobal('fetch', fetchMock);
  /** Holds every answer until the returned function is called. */
  const hold = () => {
    let open!: () => void;
    state.gate = new Promise<void>((resolve) => (open = resolve));
    return () => {
      state.gate = undefined;
      open();
    };
  };
  return { fetch: fetchMock, requests, state, hold, count: (id: string) => counts.get(id) ?? 0 };
}

/**
 * Lets concurrent calls reach the network while `hold()` keeps it from answering: waits for the
 * first request, then a while longer for the other calls to join it (or to start their own).
 */
async function joined(api: ReturnType<typeof server>): Promise<void> {
  await waitFor(() => api.fetch.mock.calls.length > 0);
  await new Promise((resolve) => setTimeout(resolve, 100));
}

/** A cachedFetch instance on its own database. */
function instance(options: FetchCacheOptions = {}) {
  const cachePath = uniquePath('fetch');
  return { cachePath, get: createCachedFetch({ cachePath, ...options }) };
}

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('options', () => {
  it('rejects invalid options with errors naming them', async () => {
    expect(() => createCachedFetch({ strategy: 'cache-only' as never })).toThrow(/option "strategy" must be one of 'cache-first'/);
    expect(() => createCachedFetch({ strategy: 'cache-only' as never })).toThrow(RangeError);
    expect(() => createCachedFetch({ ttl: -1 })).toThrow(RangeError);
    expect(() => createCachedFetch({ ttl: -1 })).toThrow(/"ttl"/);
    expect(() => createCachedFetch({ maxItems: 1.5 })).toThrow(/"maxItems" must be a positive integer/);
    expect(() => createCachedFetch({ policy: 'MRU' as never })).toThrow(/"policy"/);
    expect(() => createCachedFetch({ toDisk: 'yes' as never })).toThrow(TypeError);
    expect(() => createCachedFetch({ cachePath: '' })).toThrow(/"cachePath" must not be empty/);
    expect(() => createCachedFetch({ cacheableStatuses: [200] as never })).toThrow(/"cacheableStatuses" must be a function/);
    expect(() => createCachedFetch({ hashFuncs: [] } as never)).toThrow(/unknown cachedFetch\(\) option "hashFuncs"/);
    expect(() => createCachedFetch('network-first' as never)).toThrow(/options must be an object/);
    // cachedFetch() rejects rather than throwing.
    await expect(cachedFetch(`${ORIGIN}/data`, {}, { ttl: 0 })).rejects.toThrow(RangeError);
  });
});

describe('keys', () => {
  const SECRET = new Uint8Array(32).fill(9);
  const keysOf = (url: string, init: RequestInit = {}, ignored: string[] = []) => requestKeys(new Request(url, init), SECRET, ignored, 'default');

  it('are a keyed hash of method, URL, credentials and redirect modes, no-cors or not, integrity and every request header', () => {
    const [base] = keysOf(`${ORIGIN}/data?a=1`);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(keysOf(`${ORIGIN}/data?a=1`)[0]).toBe(base);
    expect(keysOf(`${ORIGIN}/data?a=1#fragment`)[0]).toBe(base);
    const differing = [
      keysOf(`${ORIGIN}/data?a=2`),
      keysOf(`${ORIGIN}/data?a=1`, { method: 'HEAD' }),
      keysOf(`${ORIGIN}/data?a=1`, { headers: { accept: 'text/csv' } }),
      keysOf(`${ORIGIN}/data?a=1`, { headers: { 'accept-language': 'fr' } }),
      keysOf(`${ORIGIN}/data?a=1`, { headers: { authorization: ALICE } }),
      keysOf(`${ORIGIN}/data?a=1`, { headers: { authorization: BOB } }),
      keysOf(`${ORIGIN}/data?a=1`, { headers: { 'x-api-key': 'bob' } }),
      keysOf(`${ORIGIN}/data?a=1`, { credentials: 'omit' }),
      keysOf(`${ORIGIN}/data?a=1`, { credentials: 'include' }),
      keysOf(`${ORIGIN}/data?a=1`, { redirect: 'error' }),
      // A no-cors answer is opaque where a cors one is readable: never one for the other (hostile review).
      keysOf(`${ORIGIN}/data?a=1`, { mode: 'no-cors' }),
    ];
    // Readable alike: only-if-cached (which needs mode same-origin) finds what cors requests stored.
    expect(keysOf(`${ORIGIN}/data?a=1`, { mode: 'same-origin' })[0]).toBe(base);
    expect(new Set([base, ...differing.map(([key]) => key)]).size).toBe(differing.length + 1);
    // Another secret, other keys: a copy of the database cannot be searched with precomputed hashes.
    expect(requestKeys(new Request(`${ORIGIN}/data?a=1`), new Uint8Array(32), [], 'default')[0]).not.toBe(base);
  });

  it("leave the values of ignored headers to the flight key, which alone keeps requests apart; the key still has their names", () => {
    const [key1, flight1] = keysOf(`${ORIGIN}/data`, { headers: { 'x-trace': '1' } }, ['x-trace']);
    const [key2, flight2] = keysOf(`${ORIGIN}/data`, { headers: { 'x-trace': '2' } }, ['x-trace']);
    expect(key1).toBe(key2);
    expect(flight1).not.toBe(flight2);
    // An entry made without a header's value never answers a request keyed on its absence (an
    // instance that ignores nothing), and the reverse; requests sent without it share one.
    expect(key1).not.toBe(keysOf(`${ORIGIN}/data`)[0]);
    expect(keysOf(`${ORIGIN}/data`, {}, ['x-trace'])[0]).toBe(keysOf(`${ORIGIN}/data`)[0]);
  });

  it('hash with HMAC-SHA-256 (RFC 2104), on the UTF-16 code units of the text', () => {
    for (const text of ['', 'abc', 'é\ud800 lone surrogate', 'x'.repeat(200)]) {
      const expected = createHmac('sha256', Buffer.from(SECRET)).update(Buffer.from(text, 'utf16le')).digest('hex');
      expect(hmacHex(SECRET, text)).toBe(expected);
    }
  });
});

describe('cachedFetch', () => {
  it('answers from memory, then from disk after a reload, with the stored form intact', async () => {
    const api = server();
    const { cachePath, get } = instance();
    const first = await get(`${ORIGIN}/data?x=1`, { headers: { accept: 'application/json' } });
    expect(cacheStatus(first)).toBe('network');
    expect(await json(first)).toEqual({ path: '/data?x=1', n: 1, user: 'anonymous', accept: 'application/json' });

    const second = await get(`${ORIGIN}/data?x=1`, { headers: { accept: 'application/json' } });
    expect(cacheStatus(second)).toBe('memory');
    expect((await json(second)).n).toBe(1);

    const [record] = await waitForEntries(cachePath, 1);
    expect(record!.ns).toMatch(/^idb-memo:fetch@3/);
    expect(record!.key).toMatch(/^[0-9a-f]{64}$/);
    const value = record!.value as StoredResponse;
    // The URL is not stored unless a redirect led elsewhere: only the keyed hash stands for it.
    expect(value).toMatchObject({ status: 200, statusText: 'OK', url: '', vary: [], varyDigest: '', lifetime: Infinity });
    expect(value.body).toBeInstanceOf(ArrayBuffer);
    expect(new TextDecoder().decode(value.body)).toContain('"n":1');
    expect(value.headers).toContainEqual(['x-served-by', 'stub']);
    expect(record!.storedAt).toBe(value.time);

    clearMemories(); // as after a reload: the memory tier is empty, the disk is not
    const third = await get(`${ORIGIN}/data?x=1`, { headers: { accept: 'application/json' } });
    expect(cacheStatus(third)).toBe('disk');
    expect([third.status, third.statusText, third.url, third.headers.get('x-served-by')]).toEqual([200, 'OK', `${ORIGIN}/data?x=1`, 'stub']);
    expect((await json(third)).n).toBe(1);
    expect(cacheStatus(await get(`${ORIGIN}/data?x=1`, { headers: { accept: 'application/json' } }))).toBe('memory');
    expect(api.count('/data?x=1')).toBe(1);
  });

  it('hands out a fresh readable body on every hit, and clones keep their status and URL', async () => {
    server();
    const { get } = instance();
    await (await get(`${ORIGIN}/data?fresh`)).text();
    const hit = await get(`${ORIGIN}/data?fresh`);
    const clone = hit.clone();
    const cloneOfClone = clone.clone();
    expect([cacheStatus(clone), cacheStatus(cloneOfClone)]).toEqual(['memory', 'memory']);
    expect(clone.url).toBe(`${ORIGIN}/data?fresh`);
    const texts = await Promise.all([hit.text(), clone.text(), cloneOfClone.text()]);
    expect(new Set(texts).size).toBe(1);
    expect(texts[0]).toContain('"n":1');
    expect(await (await get(`${ORIGIN}/data?fresh`)).text()).toBe(texts[0]);
  });

  it('never answers one Authorization with the entry of another, and never stores it in clear', async () => {
    const api = server();
    const { cachePath, get } = instance();
    const alice = await json(await get(`${ORIGIN}/me`, { headers: { authorization: ALICE } }));
    const bob = await json(await get(`${ORIGIN}/me`, { headers: { authorization: BOB } }));
    const nobody = await json(await get(`${ORIGIN}/me`));
    expect([alice.user, bob.user, nobody.user]).toEqual(['alice', 'bob', 'anonymous']);
    expect(api.count('/me')).toBe(3);
    const again = await get(`${ORIGIN}/me`, { headers: { authorization: ALICE } });
    expect(cacheStatus(again)).toBe('memory');
    expect((await json(again)).user).toBe('alice');
    const records = await waitForEntries(cachePath, 3);
    const text = JSON.stringify(records) + records.map((r) => new TextDecoder().decode((r.value as StoredResponse).body)).join();
    expect(text).not.toContain('token-alice');
    expect(text).not.toContain('token-bob');
  });

  it('keys on Accept', async () => {
    const api = server();
    const { get } = instance();
    expect((await json(await get(`${ORIGIN}/acc`, { headers: { accept: 'text/csv' } }))).accept).toBe('text/csv');
    expect((await json(await get(`${ORIGIN}/acc`, { headers: { accept: 'application/json' } }))).accept).toBe('application/json');
    expect(api.count('/acc')).toBe(2);
  });

  it("honours the response's Vary", async () => {
    const api = server();
    const { get } = instance();
    const variant = (name: string) => get(`${ORIGIN}/vary`, { headers: { 'x-variant': name } });
    expect(await json(await variant('a'))).toEqual({ variant: 'a', n: 1 });
    const b = await variant('b');
    expect(cacheStatus(b)).toBe('network');
    expect(await json(b)).toEqual({ variant: 'b', n: 2 });
    const bAgain = await variant('b');
    expect(cacheStatus(bAgain)).toBe('memory');
    expect(await json(bAgain)).toEqual({ variant: 'b', n: 2 });
    // X-Variant, set by the caller, is part of the key anyway: each variant has its own entry.
    expect(cacheStatus(await variant('a'))).toBe('memory');
    expect(api.count('/vary')).toBe(2);

    await get(`${ORIGIN}/vary-star`);
    expect(cacheStatus(await get(`${ORIGIN}/vary-star`))).toBe('network');
    expect(api.count('/vary-star')).toBe(2);
  });

  it('stores 2xx only by default; cacheableStatuses widens that', async () => {
    const api = server();
    const { cachePath, get } = instance();
    const missing = await get(`${ORIGIN}/missing`);
    expect([missing.status, cacheStatus(missing)]).toEqual([404, 'network']);
    expect(await json(missing)).toEqual({ error: 'missing' });
    expect(cacheStatus(await get(`${ORIGIN}/missing`))).toBe('network');
    expect(api.count('/missing')).toBe(2);
    expect(await storedEntries(cachePath)).toHaveLength(0);

    const lenient = instance({ cacheableStatuses: (status) => status === 404 });
    await lenient.get(`${ORIGIN}/missing`);
    const stored = await lenient.get(`${ORIGIN}/missing`);
    expect([stored.status, stored.statusText, cacheStatus(stored)]).toEqual([404, 'Not Found', 'memory']);
    expect(api.count('/missing')).toBe(3);
    // Another instance of the same storage that would not store a 404 does not answer with one.
    const strict = createCachedFetch({ cachePath: lenient.cachePath });
    expect(cacheStatus(await strict(`${ORIGIN}/missing`))).toBe('network');
  });

  it('stores a 204 and answers it with a null body', async () => {
    server();
    const { get } = instance();
    await get(`${ORIGIN}/empty`);
    const hit = await get(`${ORIGIN}/empty`);
    expect([hit.status, cacheStatus(hit), hit.body, await hit.text()]).toEqual([204, 'memory', null, '']);
  });

  it('caches HEAD apart from GET', async () => {
    const api = server();
    const { get } = instance();
    const head = await get(`${ORIGIN}/data?h`, { method: 'HEAD' });
    expect([head.status, cacheStatus(head)]).toEqual([200, 'network']);
    const again = await get(`${ORIGIN}/data?h`, { method: 'head' });
    expect([cacheStatus(again), again.headers.get('x-served-by')]).toEqual(['memory', 'stub']);
    expect(api.count('/data?h')).toBe(1);
    expect(cacheStatus(await get(`${ORIGIN}/data?h`))).toBe('network');
    expect(api.count('/data?h')).toBe(2);
    expect(api.requests.map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });

  it('passes other methods, and cache: no-store, straight to fetch', async () => {
    const api = server();
    const { cachePath, get } = instance();
    const init = { method: 'POST', body: '{"q":1}' };
    const posted = await get(`${ORIGIN}/data?p`, init);
    await get(`${ORIGIN}/data?p`, init);
    expect(api.count('/data?p')).toBe(2);
    expect(cacheStatus(posted)).toBeUndefined();
    expect(api.fetch.mock.calls[0]).toEqual([`${ORIGIN}/data?p`, init]);
    const postRequest = new Request(`${ORIGIN}/data?r`, { method: 'POST', body: 'x' });
    await get(postRequest);
    expect(api.fetch.mock.calls[2]![0]).toBe(postRequest);

    await get(`${ORIGIN}/data?ns`, { cache: 'no-store' });
    await get(`${ORIGIN}/data?ns`, { cache: 'no-store' });
    expect(api.count('/data?ns')).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await storedEntries(cachePath)).toHaveLength(0);
  });

  it("cache: 'reload' skips the read but stores the answer", async () => {
    const api = server();
    const { get } = instance();
    await get(`${ORIGIN}/data?rl`);
    const reloaded = await get(`${ORIGIN}/data?rl`, { cache: 'reload' });
    expect(cacheStatus(reloaded)).toBe('network');
    expect((await json(reloaded)).n).toBe(2);
    expect((await json(await get(`${ORIGIN}/data?rl`))).n).toBe(2);
    expect(api.count('/data?rl')).toBe(2);
  });
});

describe('strategies', () => {
  it('cache-first: fresh entries answer; expired ones are refetched, or answer as stale when the network fails', async () => {
    const api = server();
    const { get } = instance({ ttl: 0.25 });
    await get(`${ORIGIN}/data?cf`);
    expect(cacheStatus(await get(`${ORIGIN}/data?cf`))).toBe('memory');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refreshed = await get(`${ORIGIN}/data?cf`);
    expect([cacheStatus(refreshed), (await json(refreshed)).n]).toEqual(['network', 2]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    api.state.fail = true;
    const stale = await get(`${ORIGIN}/data?cf`);
    expect([cacheStatus(stale), (await json(stale)).n]).toEqual(['stale', 2]);
    await expect(get(`${ORIGIN}/data?never-stored`)).rejects.toThrow('Failed to fetch');
  });

  it('network-first: always asks the network; the store answers (as stale) only when it fails', async () => {
    const api = server();
    const { cachePath, get } = instance({ strategy: 'network-first' });
    expect((await json(await get(`${ORIGIN}/data?nf`))).n).toBe(1);
    const second = await get(`${ORIGIN}/data?nf`);
    expect([cacheStatus(second), (await json(second)).n]).toEqual(['network', 2]);
    api.state.fail = true;
    const fallback = await get(`${ORIGIN}/data?nf`);
    expect([cacheStatus(fallback), (await json(fallback)).n]).toEqual(['stale', 2]);
    await waitForEntries(cachePath, 1);
    clearMemories();
    expect(cacheStatus(await get(`${ORIGIN}/data?nf`))).toBe('stale'); // from disk
    await expect(get(`${ORIGIN}/data?nf-new`)).rejects.toThrow(TypeError);
  });

  it('stale-while-revalidate: answers from the store at once and refreshes it behind, one refresh at a time', async () => {
    const api = server();
    const { get } = instance({ strategy: 'stale-while-revalidate' });
    expect((await json(await get(`${ORIGIN}/data?swr`))).n).toBe(1);
    const open = api.hold();
    const answers = await Promise.all([get(`${ORIGIN}/data?swr`), get(`${ORIGIN}/data?swr`), get(`${ORIGIN}/data?swr`)]);
    expect(answers.map(cacheStatus)).toEqual(['memory', 'memory', 'memory']);
    expect(await Promise.all(answers.map(async (r) => (await json(r)).n))).toEqual([1, 1, 1]);
    expect(api.count('/data?swr')).toBe(2); // one background refresh for the three hits
    open();
    await waitFor(async () => (await json(await get(`${ORIGIN}/data?swr`))).n === 2);
    // The refresh failing leaves the stored answer in place.
    api.state.fail = true;
    const kept = await get(`${ORIGIN}/data?swr`);
    expect(cacheStatus(kept)).toBe('memory');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await json(await get(`${ORIGIN}/data?swr`))).n).toBeGreaterThanOrEqual(2);
  });

  it('stale-while-revalidate leaves the refresh to the tab holding its Web Lock', async () => {
    const api = server();
    const requested: string[] = [];
    // Another tab holds every lock: ifAvailable requests are granted nothing.
    const locks = {
      request: (name: string, options: LockOptions, callback: (lock: Lock | null) => unknown) => {
        requested.push(`${name} ${JSON.stringify(options)}`);
        return Promise.resolve(callback(null));
      },
    };
    vi.stubGlobal('navigator', { ...navigator, locks });
    const { cachePath, get } = instance({ strategy: 'stale-while-revalidate' });
    await get(`${ORIGIN}/data?lock`);
    const hit = await get(`${ORIGIN}/data?lock`);
    expect(cacheStatus(hit)).toBe('memory');
    expect(api.count('/data?lock')).toBe(1);
    expect(requested).toEqual([expect.stringMatching(new RegExp(`^idb-memo:fetch@3 ${cachePath} [0-9a-f]{64} \\{"ifAvailable":true\\}$`))]);
    // The memory copy was dropped: the next answer comes from the disk, where the other tab writes.
    await waitForEntries(cachePath, 1);
    expect(cacheStatus(await get(`${ORIGIN}/data?lock`))).toBe('disk');
  });

  it('stale-while-revalidate marks answers past their ttl as stale', async () => {
    server();
    const { get } = instance({ strategy: 'stale-while-revalidate', ttl: 0.03 });
    await get(`${ORIGIN}/data?swr-ttl`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(cacheStatus(await get(`${ORIGIN}/data?swr-ttl`))).toBe('stale');
  });
});

describe('sharing and aborting', () => {
  it('shares one network request between identical concurrent calls, each with its own body', async () => {
    const api = server();
    const { get } = instance();
    const open = api.hold();
    const calls = [get(`${ORIGIN}/data?d`), get(`${ORIGIN}/data?d`), cachedFetch(`${ORIGIN}/data?d`, undefined, { toDisk: false })];
    await joined(api);
    open();
    const answers = await Promise.all(calls);
    expect(api.count('/data?d')).toBe(2); // the memory-only call has storage of its own
    expect(answers.map(cacheStatus)).toEqual(['network', 'network', 'network']);
    const [first, second] = await Promise.all(answers.map((r) => r.text()));
    expect(first).toBe(second);
  });

  it('does not share between requests whose other headers differ', async () => {
    const api = server();
    const { get } = instance();
    const open = api.hold();
    const calls = [get(`${ORIGIN}/data?t`, { headers: { 'x-trace': '1' } }), get(`${ORIGIN}/data?t`, { headers: { 'x-trace': '2' } })];
    await joined(api);
    open();
    await Promise.all(calls);
    expect(api.count('/data?t')).toBe(2);
  });

  it("does not share between requests whose cache mode or Cache-Control differ (a no-cache call never joins a plain one)", async () => {
    const api = server();
    const { get } = instance();
    const open = api.hold();
    const calls = [get(`${ORIGIN}/data?mode`), get(`${ORIGIN}/data?mode`, { cache: 'no-cache' }), get(`${ORIGIN}/data?mode`, { headers: { 'cache-control': 'max-age=0' } })];
    await joined(api);
    open();
    await Promise.all(calls);
    expect(api.count('/data?mode')).toBe(3);
  });

  it('shares non-storable answers too, as clones', async () => {
    const api = server();
    const { get } = instance();
    const open = api.hold();
    const calls = [get(`${ORIGIN}/missing`), get(`${ORIGIN}/missing`)];
    await joined(api);
    open();
    const answers = await Promise.all(calls);
    expect(api.count('/missing')).toBe(1);
    expect(await Promise.all(answers.map(json))).toEqual([{ error: 'missing' }, { error: 'missing' }]);
  });

  it("aborting one caller's signal rejects that caller only", async () => {
    const api = server();
    const { get } = instance();
    const open = api.hold();
    const controller = new AbortController();
    const aborted = get(`${ORIGIN}/data?ab`, { signal: controller.signal });
    const other = get(`${ORIGIN}/data?ab`);
    await joined(api);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(api.requests[0]!.signal.aborted).toBe(false);
    open();
    const answer = await other;
    expect([cacheStatus(answer), (await json(answer)).n]).toEqual(['network', 1]);
    expect(api.count('/data?ab')).toBe(1);
    // The shared answer was stored even though its first caller left.
    expect(cacheStatus(await get(`${ORIGIN}/data?ab`))).toBe('memory');
  });

  it('rejects at once for a signal aborted beforehand, without fetching', async () => {
    const api = server();
    const { get } = instance();
    await expect(get(`${ORIGIN}/data?pre`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(api.fetch).not.toHaveBeenCalled();
  });
});

describe('clearing and bounds', () => {
  it('clear() empties memory and disk of the instance', async () => {
    const api = server();
    const { cachePath, get } = instance();
    await get(`${ORIGIN}/data?c`);
    await waitForEntries(cachePath, 1);
    await get.clear();
    expect(await storedEntries(cachePath)).toHaveLength(0);
    expect(cacheStatus(await get(`${ORIGIN}/data?c`))).toBe('network');
    expect(api.count('/data?c')).toBe(2);
  });

  it('clearFetchCache() removes the responses of every instance, whatever its options', async () => {
    server();
    const cachePath = uniquePath('fetch-all');
    const bounded = createCachedFetch({ cachePath, maxItems: 5 });
    const unbounded = createCachedFetch({ cachePath });
    await bounded(`${ORIGIN}/data?1`);
    await unbounded(`${ORIGIN}/data?2`);
    const records = await waitForEntries(cachePath, 2);
    expect(new Set(records.map((r) => r.ns)).size).toBe(2);
    await clearFetchCache();
    expect(await storedEntries(cachePath)).toHaveLength(0);
    expect(cacheStatus(await bounded(`${ORIGIN}/data?1`))).toBe('network');
  });

  it('clear() right after a call is not undone by its queued write, now or after a reload (issue 11)', async () => {
    const api = server();
    const { cachePath, get } = instance();
    await get(`${ORIGIN}/data?q`);
    await get.clear();
    expect(cacheStatus(await get(`${ORIGIN}/data?q`))).toBe('network');
    await get.clear();
    const fresh = await freshLibrary();
    expect(fresh.cacheStatus(await fresh.createCachedFetch({ cachePath })(`${ORIGIN}/data?q`))).toBe('network');
    expect(api.count('/data?q')).toBe(3);
  });

  it('clearFetchCache() right after a call is not undone by its queued write (issue 11)', async () => {
    const api = server();
    const { cachePath, get } = instance({ maxItems: 3 });
    await get(`${ORIGIN}/data?w`);
    await clearFetchCache();
    const fresh = await freshLibrary();
    expect(fresh.cacheStatus(await fresh.createCachedFetch({ cachePath, maxItems: 3 })(`${ORIGIN}/data?w`))).toBe('network');
    expect(api.count('/data?w')).toBe(2);
  });

  it('clearCaches() reaches the memory tier', async () => {
    server();
    const { get } = instance({ toDisk: false });
    await get(`${ORIGIN}/data?cc`);
    expect(cacheStatus(await get(`${ORIGIN}/data?cc`))).toBe('memory');
    await clearCaches();
    expect(cacheStatus(await get(`${ORIGIN}/data?cc`))).toBe('network');
  });

  it('does not store an answer that arrives after a clear', async () => {
    const api = server();
    const { cachePath, get } = instance();
    const open = api.hold();
    const pending = get(`${ORIGIN}/data?late`);
    await joined(api);
    await get.clear();
    open();
    expect(cacheStatus(await pending)).toBe('network');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await storedEntries(cachePath)).toHaveLength(0);
    expect(cacheStatus(await get(`${ORIGIN}/data?late`))).toBe('network');
  });

  it('keeps at most maxItems responses, in memory and on disk', async () => {
    server();
    const { cachePath, get } = instance({ maxItems: 2 });
    const storedUrls = async () => (await storedEntries(cachePath)).map((r) => `${ORIGIN}${(JSON.parse(new TextDecoder().decode((r.value as StoredResponse).body)) as { path: string }).path}`).sort();
    for (const n of [1, 2, 3]) {
      await get(`${ORIGIN}/data?m=${n}`);
      await waitFor(async () => (await storedUrls()).includes(`${ORIGIN}/data?m=${n}`));
    }
    expect(await storedUrls()).toEqual([`${ORIGIN}/data?m=2`, `${ORIGIN}/data?m=3`]);
    expect(cacheStatus(await get(`${ORIGIN}/data?m=1`))).toBe('network');
  });

  it('evicts the least recently used response from the disk, hits included', async () => {
    server();
    const { cachePath, get } = instance({ maxItems: 2 });
    const storedUrls = async () => (await storedEntries(cachePath)).map((r) => `${ORIGIN}${(JSON.parse(new TextDecoder().decode((r.value as StoredResponse).body)) as { path: string }).path}`).sort();
    await get(`${ORIGIN}/data?l=1`);
    await get(`${ORIGIN}/data?l=2`);
    await waitForEntries(cachePath, 2);
    expect(cacheStatus(await get(`${ORIGIN}/data?l=1`))).toBe('memory');
    await flushStores();
    await get(`${ORIGIN}/data?l=3`);
    await waitFor(async () => (await storedUrls()).includes(`${ORIGIN}/data?l=3`));
    expect(await storedUrls()).toEqual([`${ORIGIN}/data?l=1`, `${ORIGIN}/data?l=3`]);
  });
});

describe('the per-database secret (issue 13)', () => {
  it('is made once, kept in the meta store, and renewed by a logout', async () => {
    server();
    const cachePath = uniquePath('secret');
    await createCachedFetch({ cachePath })(`${ORIGIN}/data?secret`);
    await flushStores();
    const read = async () => {
      const db = await openDB(cachePath);
      const secret = ((await db.get('meta', 'secret')) as { value: unknown } | undefined)?.value;
      db.close();
      return secret;
    };
    const first = await read();
    expect(first).toBeInstanceOf(Uint8Array);
    expect((first as Uint8Array).length).toBe(32);
    await clearCaches();
    await createCachedFetch({ cachePath })(`${ORIGIN}/data?secret`);
    await flushStores();
    expect(await read()).not.toEqual(first);
  });

  it('a damaged secret is replaced; what was keyed with it is a miss, never an error', async () => {
    const api = server();
    const cachePath = uniquePath('bad-secret');
    await createCachedFetch({ cachePath })(`${ORIGIN}/data?s`);
    await flushStores();
    const db = await openDB(cachePath);
    await db.put('meta', { id: 'secret', value: 'not bytes' });
    db.close();
    const fresh = await freshLibrary();
    const answer = await fresh.createCachedFetch({ cachePath })(`${ORIGIN}/data?s`);
    expect([fresh.cacheStatus(answer), (await json(answer)).n]).toEqual(['network', 2]);
    expect(api.count('/data?s')).toBe(2);
  });
});
