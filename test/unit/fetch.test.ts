import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachedFetch, cacheStatus, clearCaches, clearFetchCache, createCachedFetch, IdbMemoTypeError, type FetchCacheOptions } from '../../src/index';
import { createHmac } from 'node:crypto';
import { hmacHex } from '../../src/fetch/hmac';
import { requestKeys } from '../../src/fetch/key';
import fc from 'fast-check';
import { httpDate, KEEP_STALE_MS } from '../../src/fetch/http';
import { MAX_BODY_BYTES } from '../../src/fetch/network';
import { DEFAULT_MAX_ITEMS } from '../../src/fetch/options';
import type { StoredResponse } from '../../src/fetch/response';
import { flushCaches as flushStores, forgetMemories as clearMemories } from '../../src/registry';
import { openDB } from 'idb';
import { freshLibrary, storedEntries, uniquePath, waitFor, waitForEntries } from './helpers';

const ORIGIN = 'https://api.test';
const ALICE = 'Bearer token-alice-0123456789';
const BOB = 'Bearer token-bob-9876543210';

/**
 * A stubbed `fetch` answering like a small API, counting requests per path and query, every answer
 * fresh for an hour (but with `?bare`): `/data` echoes a JSON body, `/missing` is a 404, `/vary`
 * varies on X-Variant, `/vary-star` has `Vary: *`, `/empty` is a 204. `fail` makes it reject like a
 * network failure; `gate` holds answers until opened; `routes` answers paths of a test's own (with
 * the request and its count). Like a browser, it rejects a `mode: 'same-origin'` request to
 * another origin than the page's.
 */
function server() {
  const counts = new Map<string, number>();
  const requests: Request[] = [];
  const routes = new Map<string, (request: Request, n: number) => Response | Promise<Response>>();
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
    if (request.mode === 'same-origin' && url.origin !== location.origin) throw new TypeError('Failed to fetch: not same-origin');
    const route = routes.get(url.pathname);
    if (route) return route(request, n);
    // Fresh for an hour, unless a test's path asks for no freshness information.
    const headers: Record<string, string> = url.searchParams.has('bare') ? { 'content-type': 'application/json' } : { 'content-type': 'application/json', 'cache-control': 'max-age=3600' };
    const user = /token-(\w+)-/.exec(request.headers.get('authorization') ?? '')?.[1] ?? 'anonymous';
    switch (url.pathname) {
      case '/missing':
        return new Response('{"error":"missing"}', { status: 404, statusText: 'Not Found', headers });
      case '/vary':
        return new Response(JSON.stringify({ variant: request.headers.get('x-variant'), n }), { headers: { ...headers, vary: 'X-Variant' } });
      case '/vary-star':
        return new Response(JSON.stringify({ n }), { headers: { ...headers, vary: '*' } });
      case '/empty':
        return new Response(null, { status: 204, statusText: 'No Content', headers });
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
  return { fetch: fetchMock, requests, state, hold, routes, count: (id: string) => counts.get(id) ?? 0 };
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
    for (const ignoreHeaders of [['bad name'], 'x-trace', [1]]) {
      expect(() => createCachedFetch({ ignoreHeaders: ignoreHeaders as never })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    }
    expect(() => createCachedFetch({ ignoreHeaders: ['bad name'] })).toThrow(IdbMemoTypeError);
    expect(() => createCachedFetch({ ignoreHeaders: ['bad name'] })).toThrow(TypeError);
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

describe('HTTP-dates', () => {
  const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  it('reads any instant within 45 years written in each of the three formats, in any case, and nothing else (fast-check, seed printed)', () => {
    const seed = Number(process.env.SEED ?? Date.now() % 2 ** 31);
    console.log(`HTTP-date property: seed ${seed} (SEED=${seed} replays it)`);
    const now = Math.floor(Date.now() / 1000);
    const years = 45 * 365 * 86_400;
    fc.assert(
      fc.property(fc.integer({ min: now - years, max: now + years }), (seconds) => {
        const at = new Date(seconds * 1000);
        const imf = at.toUTCString();
        const [day, dd, month, yyyy, time] = imf.replace(',', '').split(' ') as [string, string, string, string, string];
        const rfc850 = `${DAYS[at.getUTCDay()]}, ${dd}-${month}-${yyyy.slice(2)} ${time} GMT`;
        const asctime = `${day} ${month} ${String(at.getUTCDate()).padStart(2, ' ')} ${time} ${yyyy}`;
        for (const text of [imf, imf.toUpperCase(), rfc850, rfc850.toLowerCase(), asctime]) expect([text, httpDate(text)]).toEqual([text, seconds * 1000]);
        for (const text of [imf.replace('GMT', 'UTC'), imf.replace(',', ''), `${imf}, ${imf}`, `${seconds}`, rfc850.replace('-', ' '), `${asctime} GMT`]) {
          expect([text, httpDate(text)]).toEqual([text, NaN]);
        }
      }),
      { seed, numRuns: 300 },
    );
  });

  it('takes an RFC 850 two-digit year more than 50 years ahead as the past century (issue 22: 18-Aug-50 was 1950)', () => {
    const year = new Date().getUTCFullYear();
    const ahead = (n: number) => String((year + n) % 100).padStart(2, '0');
    expect(new Date(httpDate(`Thursday, 18-Aug-${ahead(24)} 02:01:18 GMT`)).getUTCFullYear()).toBe(year + 24);
    expect(new Date(httpDate(`Thursday, 18-Aug-${ahead(50)} 02:01:18 GMT`)).getUTCFullYear()).toBe(year + 50);
    expect(new Date(httpDate(`Thursday, 18-Aug-${ahead(51)} 02:01:18 GMT`)).getUTCFullYear()).toBe(year + 51 - 100);
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
    // The default bound is part of the namespace (its entries keep their own eviction order).
    expect(record!.ns).toBe(`idb-memo:fetch@3/${DEFAULT_MAX_ITEMS}LRU`);
    expect(record!.key).toMatch(/^[0-9a-f]{64}$/);
    const value = record!.value as StoredResponse;
    // The URL is not stored unless a redirect led elsewhere: only the keyed hash stands for it.
    expect(value).toMatchObject({ status: 200, statusText: 'OK', url: '', vary: '' });
    expect(value.age).toBeGreaterThanOrEqual(0); // the time the request took
    expect(value.body).toBeInstanceOf(ArrayBuffer);
    expect(new TextDecoder().decode(value.body)).toContain('"n":1');
    expect(value.headers).toContainEqual(['x-served-by', 'stub']);
    // Stored as it arrived (within the page clock's millisecond of ordering).
    expect(record!.storedAt - value.time).toBeGreaterThanOrEqual(0);
    expect(record!.storedAt - value.time).toBeLessThan(1000);
    // No validator: swept a week after it turns stale (max-age=3600), when it can no longer answer even offline.
    expect(record!.expiresAt - record!.storedAt).toBe(3_600_000 + KEEP_STALE_MS - value.age);

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

  it('stores what RFC 9111 allows by default (explicit freshness, or a heuristically cacheable status); cacheableStatuses replaces that', async () => {
    const api = server();
    const { cachePath, get } = instance();
    const missing = await get(`${ORIGIN}/missing`);
    expect([missing.status, cacheStatus(missing)]).toEqual([404, 'network']);
    expect(await json(missing)).toEqual({ error: 'missing' });
    const again = await get(`${ORIGIN}/missing`);
    expect([again.status, again.statusText, cacheStatus(again)]).toEqual([404, 'Not Found', 'memory']);
    api.routes.set('/created', () => new Response('{}', { status: 201, headers: { 'last-modified': new Date(Date.now() - 864e5).toUTCString() } }));
    await (await get(`${ORIGIN}/created`)).text();
    expect(cacheStatus(await get(`${ORIGIN}/created`))).toBe('network');
    expect(api.count('/missing')).toBe(1);
    await waitForEntries(cachePath, 1);

    const strict = instance({ cacheableStatuses: (status) => status === 200 });
    await (await strict.get(`${ORIGIN}/missing`)).text();
    expect(cacheStatus(await strict.get(`${ORIGIN}/missing`))).toBe('network');
    expect(await storedEntries(strict.cachePath)).toHaveLength(0);
    // Another instance of the same storage that would not store a 500 does not answer with one.
    const lenient = instance({ cacheableStatuses: (status) => status === 500 });
    api.routes.set('/broken', () => new Response('{}', { status: 500, headers: { 'cache-control': 'max-age=3600' } }));
    await (await lenient.get(`${ORIGIN}/broken`)).text();
    expect(cacheStatus(await lenient.get(`${ORIGIN}/broken`))).toBe('memory');
    expect(cacheStatus(await createCachedFetch({ cachePath: lenient.cachePath, cacheableStatuses: (status) => status === 200 })(`${ORIGIN}/broken`))).toBe('network');
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
    // Each hit refreshes behind: a poll may find the answer of a later refresh than the held one.
    await waitFor(async () => ((await json(await get(`${ORIGIN}/data?swr`))).n as number) >= 2);
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
    expect(requested).toEqual([expect.stringMatching(new RegExp(`^idb-memo:fetch@3/${DEFAULT_MAX_ITEMS}LRU ${cachePath} [0-9a-f]{64} \\{"ifAvailable":true\\}$`))]);
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

/** The body of `response` as text, read chunk by chunk as it comes. */
function streamOf(): { stream: ReadableStream<Uint8Array>; push: (text: string) => void; end: () => void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return { stream, push: (text) => controller.enqueue(new TextEncoder().encode(text)), end: () => controller.close() };
}

/** Lets every task queued so far run (no time passes on purpose: what is asserted is that nothing more happens). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

describe('HTTP semantics of a private cache (issue 22)', () => {
  it('a network failure answers with the stored answer, unless it says must-revalidate or no-cache', async () => {
    const api = server();
    const { get } = instance();
    const cases: [string, string][] = [
      ['max-age=0', 'stale'],
      ['max-age=0, must-revalidate', 'TypeError'],
      ['no-cache', 'TypeError'],
      ['max-age=0, no-cache, stale-if-error=3600', 'TypeError'],
      // Directives for shared caches only: a private cache may answer stale.
      ['max-age=0, proxy-revalidate', 'stale'],
      ['max-age=0, s-maxage=3600', 'stale'],
    ];
    for (const [i, [cc]] of cases.entries()) {
      api.routes.set(`/cc${i}`, () => new Response('stored', { headers: { 'cache-control': cc, etag: '"e"' } }));
      await (await get(`${ORIGIN}/cc${i}`)).text();
    }
    api.state.fail = true;
    for (const [i, [cc, expected]] of cases.entries()) {
      const outcome = await get(`${ORIGIN}/cc${i}`).then(cacheStatus, (error: Error) => error.name);
      expect([cc, outcome]).toEqual([cc, expected]);
    }
    // A fresh answer is no stale one: network-first falls back to it whatever it says.
    api.state.fail = false;
    api.routes.set('/fresh-mr', () => new Response('fresh', { headers: { 'cache-control': 'max-age=3600, must-revalidate' } }));
    const networkFirst = instance({ strategy: 'network-first' });
    await (await networkFirst.get(`${ORIGIN}/fresh-mr`)).text();
    api.state.fail = true;
    expect(cacheStatus(await networkFirst.get(`${ORIGIN}/fresh-mr`))).toBe('stale');
  });

  it("a mode: 'same-origin' request is never answered from the store where fetch rejects it: to another origin, or redirected to one", async () => {
    const api = server();
    const { get } = instance();
    const away = `${ORIGIN}/data?same-origin`;
    await (await get(away)).text();
    expect(cacheStatus(await get(away))).toBe('memory');
    for (const cache of ['default', 'force-cache', 'only-if-cached'] as const) {
      await expect(get(away, { mode: 'same-origin', cache })).rejects.toThrow('not same-origin');
    }
    const here = `${location.origin}/data?same-origin`;
    await (await get(here)).text();
    expect(cacheStatus(await get(here, { mode: 'same-origin' }))).toBe('memory');
    // Stored from a cors request that a redirect took to another origin.
    api.routes.set('/moved-away', (request) => {
      if (request.mode === 'same-origin') throw new TypeError('Failed to fetch: redirected to another origin');
      const response = new Response('elsewhere', { headers: { 'cache-control': 'max-age=3600' } });
      return Object.defineProperty(response, 'url', { value: 'https://elsewhere.test/x' });
    });
    const redirected = `${location.origin}/moved-away`;
    await (await get(redirected)).text();
    expect(cacheStatus(await get(redirected, { cache: 'force-cache' }))).toBe('memory');
    await expect(get(redirected, { mode: 'same-origin', cache: 'force-cache' })).rejects.toThrow('redirected to another origin');
  });

  it('an event stream is returned as soon as its headers arrive, and never stored', async () => {
    const api = server();
    const { get } = instance();
    const streams: ReturnType<typeof streamOf>[] = [];
    api.routes.set('/events', () => {
      streams.push(streamOf());
      return new Response(streams.at(-1)!.stream, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } });
    });
    const events = await get(`${ORIGIN}/events`);
    expect(cacheStatus(events)).toBe('network');
    const reader = events.body!.getReader();
    streams[0]!.push('data: 1\n\n');
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: 1\n\n');
    streams[0]!.push('data: 2\n\n');
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: 2\n\n');
    await reader.cancel();
    expect(cacheStatus(await get(`${ORIGIN}/events`))).toBe('network');
    expect(api.count('/events')).toBe(2);
  });

  it('a body of unknown length is handed on as it comes, and stored once it has come whole', async () => {
    const api = server();
    const { get } = instance();
    const streams: ReturnType<typeof streamOf>[] = [];
    api.routes.set('/chunked', () => {
      streams.push(streamOf());
      return new Response(streams.at(-1)!.stream, { headers: { 'cache-control': 'max-age=3600' } });
    });
    const first = await get(`${ORIGIN}/chunked`);
    const reader = first.body!.getReader();
    streams[0]!.push('a');
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('a');
    // Not whole yet: an identical call asks the network.
    const second = get(`${ORIGIN}/chunked`);
    await waitFor(() => streams.length === 2);
    streams[1]!.end();
    expect([cacheStatus(await second), api.count('/chunked')]).toEqual(['network', 2]);
    streams[0]!.push('b');
    streams[0]!.end();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('b');
    expect((await reader.read()).done).toBe(true);
    const stored = await get(`${ORIGIN}/chunked`);
    expect([cacheStatus(stored), await stored.text(), api.count('/chunked')]).toEqual(['memory', 'ab', 2]);
  });

  it(`a body past ${MAX_BODY_BYTES} bytes is handed on whole and not stored; unread, it is read no further than that`, async () => {
    const api = server();
    const { get } = instance();
    const MiB = new Uint8Array(2 ** 20).fill(7);
    const chunks = MAX_BODY_BYTES / MiB.length + 2;
    let pulls = 0;
    api.routes.set('/big', () => {
      pulls = 0;
      const stream = new ReadableStream<Uint8Array>({ pull: (c) => void (++pulls > chunks ? c.close() : c.enqueue(MiB)) }, { highWaterMark: 0 });
      return new Response(stream, { headers: { 'cache-control': 'max-age=3600' } });
    });
    const big = await get(`${ORIGIN}/big`);
    // Read ahead to store it, up to the limit and the chunk past it; then only as fast as the caller reads.
    await waitFor(() => pulls === chunks - 1);
    await settle();
    expect(pulls).toBe(chunks - 1);
    expect((await big.arrayBuffer()).byteLength).toBe(chunks * MiB.length);
    expect(cacheStatus(await get(`${ORIGIN}/big`))).toBe('network');
  });

  it("an aborted caller's body is let go: the network's stream is cancelled once nothing needs it", async () => {
    const api = server();
    const { get } = instance();
    let cancelled = false;
    api.routes.set('/endless', () => {
      const stream = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(2 ** 20)), cancel: () => void (cancelled = true) }, { highWaterMark: 0 });
      return new Response(stream, { headers: { 'cache-control': 'no-store' } });
    });
    const controller = new AbortController();
    const open = api.hold();
    const call = get(`${ORIGIN}/endless`, { signal: controller.signal });
    await waitFor(() => api.fetch.mock.calls.length > 0);
    controller.abort();
    open();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    await waitFor(() => cancelled);
  });

  it('a 304 updates the stored headers, but those its body depends on (Content-Length, -Encoding, -Range, -MD5, ETag)', async () => {
    const api = server();
    const { get } = instance();
    api.routes.set('/validated', (request, n) =>
      n === 1
        ? new Response('v1', { headers: { 'cache-control': 'max-age=0', etag: '"a"', 'x-version': '1', 'content-md5': 'aaa', 'content-range': 'r1' } })
        : new Response(null, { status: request.headers.get('if-none-match') === '"a"' ? 304 : 500, headers: { 'cache-control': 'max-age=3600', etag: '"b"', 'x-version': '2', 'content-md5': 'bbb', 'content-range': 'r2' } }),
    );
    await (await get(`${ORIGIN}/validated`)).text();
    const revalidated = await get(`${ORIGIN}/validated`);
    const headers = (r: Response) => ['etag', 'x-version', 'content-md5', 'content-range', 'cache-control'].map((name) => r.headers.get(name));
    expect([revalidated.status, cacheStatus(revalidated), await revalidated.text(), ...headers(revalidated)]).toEqual([200, 'revalidated', 'v1', '"a"', '2', 'aaa', 'r1', 'max-age=3600']);
    expect(cacheStatus(await get(`${ORIGIN}/validated`))).toBe('memory');
  });

  it('an unsafe request invalidates what a Request input names, relative URLs too, in every instance, and what a GET on the network meanwhile would store', async () => {
    const api = server();
    const { get } = instance();
    const url = `${location.origin}/data?relative`;
    await (await get(url)).text();
    await get(new Request('/data?relative', { method: 'DELETE' }));
    expect(cacheStatus(await get(url))).toBe('network');
    // Sent by another instance (other storage options, another database): invalidated all the same.
    await (await get(url)).text();
    await cachedFetch(url, { method: 'PUT', body: 'x' }, { toDisk: false });
    expect(cacheStatus(await get(url))).toBe('network');
    // A GET sent before a POST to its URL, answered after it: not stored.
    let answer!: () => void;
    api.routes.set('/race', (request) =>
      request.method === 'POST'
        ? new Response('posted')
        : new Promise<Response>((resolve) => (answer = () => resolve(new Response('old', { headers: { 'cache-control': 'max-age=3600' } })))),
    );
    const before = get(`${ORIGIN}/race`);
    await waitFor(() => api.count('/race') === 1);
    expect(await (await get(`${ORIGIN}/race`, { method: 'POST', body: 'x' })).text()).toBe('posted');
    answer();
    expect(await (await before).text()).toBe('old');
    const after = get(`${ORIGIN}/race`);
    await waitFor(() => api.count('/race') === 3);
    answer();
    expect(cacheStatus(await after)).toBe('network');
  });

  it(`keeps at most ${DEFAULT_MAX_ITEMS} responses by default`, async () => {
    server();
    const { cachePath, get } = instance();
    for (let i = 0; i <= DEFAULT_MAX_ITEMS; i++) await (await get(`${ORIGIN}/data?many=${i}`)).text();
    await flushStores();
    expect(await storedEntries(cachePath)).toHaveLength(DEFAULT_MAX_ITEMS);
    expect(cacheStatus(await get(`${ORIGIN}/data?many=0`))).toBe('network');
  });

  it('keeps a stale answer without validator a week for offline use, then sweeps it; with a validator until evicted; with must-revalidate until it turns stale', async () => {
    const api = server();
    const { cachePath, get } = instance();
    api.routes.set('/plain', () => new Response('plain', { headers: { 'cache-control': 'max-age=60' } }));
    api.routes.set('/validator', () => new Response('validator', { headers: { 'cache-control': 'max-age=60', etag: '"v"' } }));
    api.routes.set('/strict', () => new Response('strict', { headers: { 'cache-control': 'max-age=60, must-revalidate' } }));
    api.routes.set('/aged', () => new Response('aged', { headers: { 'cache-control': 'max-age=60', age: '7200' } }));
    for (const path of ['/plain', '/validator', '/strict', '/aged']) await (await get(`${ORIGIN}${path}`)).text();
    const records = await waitForEntries(cachePath, 4);
    const expiry = Object.fromEntries(records.map((r) => [new TextDecoder().decode((r.value as StoredResponse).body), r.expiresAt - r.storedAt + (r.value as StoredResponse).age]));
    // (Each is measured from when it left the server: `age` is how long before it arrived.)
    const aged = records.find((r) => (r.value as StoredResponse).age >= 7_200_000)!;
    expect(expiry).toMatchObject({ plain: 60_000 + KEEP_STALE_MS, validator: Infinity, strict: 60_000 });
    // One that came stale is kept a week from its arrival.
    expect(aged.expiresAt - aged.storedAt).toBe(KEEP_STALE_MS);
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: start + 6 * 86_400_000 });
    try {
      api.state.fail = true;
      expect(cacheStatus(await get(`${ORIGIN}/plain`))).toBe('stale');
      expect(cacheStatus(await get(`${ORIGIN}/aged`))).toBe('stale');
      await expect(get(`${ORIGIN}/strict`)).rejects.toThrow(TypeError);
      vi.setSystemTime(start + 8 * 86_400_000);
      await expect(get(`${ORIGIN}/plain`)).rejects.toThrow(TypeError);
      expect(cacheStatus(await get(`${ORIGIN}/validator`))).toBe('stale');
    } finally {
      vi.useRealTimers();
    }
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

  it('the same request gets the same key after a reload (the secret is kept), and other keys in another database', async () => {
    const api = server();
    const cachePath = uniquePath('same-secret');
    await createCachedFetch({ cachePath })(`${ORIGIN}/data?k`, { headers: { authorization: ALICE } });
    const [record] = await waitForEntries(cachePath, 1);
    const fresh = await freshLibrary();
    expect(fresh.cacheStatus(await fresh.createCachedFetch({ cachePath })(`${ORIGIN}/data?k`, { headers: { authorization: ALICE } }))).toBe('disk');
    const other = uniquePath('other-secret');
    await createCachedFetch({ cachePath: other })(`${ORIGIN}/data?k`, { headers: { authorization: ALICE } });
    const [elsewhere] = await waitForEntries(other, 1);
    expect(elsewhere!.key).not.toBe(record!.key);
    expect(api.count('/data?k')).toBe(2);
  });
});
