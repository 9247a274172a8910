// cachedFetch as a private HTTP cache (issues 13 and 22), against a counting API (test/fixtures/http-api.ts):
// in real Chromium it is served on the test server's origin by Vite middleware (vite.config.ts);
// under happy-dom + fake-indexeddb a stubbed fetch calls it in-process (with a cookie jar and redirects).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cacheStatus, createCachedFetch, type FetchCacheOptions } from '../../src/index';
import { flushCaches as flushStores, forgetMemories as clearMemories } from '../../src/registry';
import { API_PATH, handle } from '../fixtures/http-api';

const inBrowser = !('happyDOM' in window);
// happy-dom's page is on http://localhost:3000: requests there are same-origin for both.
const ORIGIN = location.origin;
const BASE = ORIGIN + API_PATH;
/** Keeps this run's counts apart from earlier runs against the same server. */
const RUN = Math.random().toString(36).slice(2, 8);
const ALICE_BASIC = `Basic ${btoa('alice:correct-horse-battery')}`;
const BOB_KEY = 'bob-api-key-7f3a';
const NO_STORE_BODY = 'no-store-body';

/** Cookies the stubbed fetch keeps (the browser keeps its own). */
const jar = new Map<string, string>();

/** fetch for happy-dom: the API in-process, with cookies (unless `credentials: 'omit'`) and redirects. */
async function stubFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  let request = new Request(input, init);
  let redirected = false;
  for (let hops = 0; hops < 5; hops++) {
    const headers = new Headers(request.headers);
    const withCookies = request.credentials !== 'omit';
    // happy-dom hides Cookie and Set-Cookie: the jar goes as X-Test-Cookie, and login is read from its URL.
    if (withCookies && jar.size > 0) headers.set('x-test-cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = handle(new Request(request.url, { method: request.method, headers }));
    const login = new URL(request.url);
    if (login.pathname.endsWith('/login') && withCookies) jar.set('sid', login.searchParams.get('user') ?? '');
    const location = response.status > 299 && response.status < 400 ? response.headers.get('location') : null;
    if (location === null || request.redirect === 'manual') {
      return Object.defineProperties(response, { url: { value: request.url.replace(/#.*/, '') }, redirected: { value: redirected } });
    }
    if (request.redirect === 'error') throw new TypeError('Failed to fetch: redirected');
    request = new Request(new URL(location, request.url), { headers: request.headers, credentials: request.credentials, method: request.method });
    redirected = true;
  }
  throw new TypeError('Failed to fetch: too many redirects');
}

beforeAll(() => {
  if (!inBrowser) vi.stubGlobal('fetch', stubFetch);
});
afterAll(() => {
  vi.unstubAllGlobals();
});

let counter = 0;
/** Paths of every database the tests used, for the dump at the end. */
const paths: string[] = [];
function instance(options: FetchCacheOptions = {}) {
  const cachePath = `http-cache-${RUN}-${counter++}`;
  paths.push(cachePath);
  return { cachePath, get: createCachedFetch({ cachePath, ...options }) };
}

/** URL of API route `route` with `query`, unique to this run. */
const api = (route: string, query = '') => `${BASE}${route}?r=${RUN}${query ? `&${query}` : ''}`;
/** What the server counted for `url`. */
async function served(url: string): Promise<{ n: number; conditional: string[] }> {
  const { pathname, search } = new URL(url);
  return (await (await fetch(`${BASE}count?id=${encodeURIComponent(pathname + search)}`)).json()) as { n: number; conditional: string[] };
}
const count = async (url: string) => (await served(url)).n;
const body = async (response: Response) => (await response.json()) as { n: number; user: string; variant: string | null; method: string };
/** An HTTP-date `seconds` from now (IMF-fixdate). */
const httpDate = (seconds: number) => new Date(Date.now() + seconds * 1000).toUTCString();
/** The query parameter setting response header `name` to `value`. */
const h = (name: string, value: string) => `h=${encodeURIComponent(`${name}:${value}`)}`;

/** Every record of every object store of database `path`, binary parts as text too. */
async function dump(path: string): Promise<string> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(path);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    const names = [...db.objectStoreNames];
    const all = await Promise.all(
      names.map(
        (name) =>
          new Promise<unknown[]>((resolve, reject) => {
            const request = db.transaction(name).objectStore(name).getAll();
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          }),
      ),
    );
    const text = (value: ArrayBuffer | ArrayBufferView) =>
      new TextDecoder().decode(value instanceof ArrayBuffer ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return JSON.stringify(all, (_key, value: unknown) => (value instanceof ArrayBuffer || ArrayBuffer.isView(value) ? `<bytes:${text(value)}>` : value));
  } finally {
    db.close();
  }
}

/** The raw records of the fetch entries of `path`, and a way to overwrite their values. */
async function rawEntries(path: string): Promise<{ records: { ns: string; key: string; value: unknown }[]; overwrite: (value: unknown) => Promise<void> }> {
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(path);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  const db = await open();
  const records = await new Promise<{ ns: string; key: string; value: unknown }[]>((resolve, reject) => {
    const request = db.transaction('entries').objectStore('entries').getAll();
    request.onsuccess = () => resolve(request.result as never);
    request.onerror = () => reject(request.error);
  });
  db.close();
  return {
    records,
    async overwrite(value) {
      const target = await open();
      const tx = target.transaction('entries', 'readwrite');
      for (const record of records) tx.objectStore('entries').put({ ...record, value });
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      target.close();
    },
  };
}

describe('keys: every request header, the credentials mode, keyed hashes', () => {
  it('X-API-Key (or any header the caller sets) splits entries; a request without it never gets a keyed answer (finding 1)', async () => {
    const { get } = instance({ ttl: 3600 });
    const url = api('data', 'k=apikey');
    expect((await body(await get(url, { headers: { 'x-api-key': 'alice' } }))).user).toBe('alice');
    expect((await body(await get(url, { headers: { 'x-api-key': BOB_KEY } }))).user).toBe('bob');
    expect((await body(await get(url))).user).toBe('anonymous');
    expect((await body(await get(url, { headers: { 'x-custom-tenant': 't2' } }))).user).toBe('anonymous');
    const again = await get(url, { headers: { 'x-api-key': 'alice' } });
    expect([cacheStatus(again), (await body(again)).user]).toEqual(['memory', 'alice']);
    expect(await count(url)).toBe(4);
  });

  it('Authorization: Basic splits entries and is never stored (finding 7)', async () => {
    const { get } = instance({ ttl: 3600 });
    const url = api('data', 'k=basic');
    await get(url, { headers: { authorization: ALICE_BASIC } });
    expect(cacheStatus(await get(url))).toBe('network');
    expect(cacheStatus(await get(url, { headers: { authorization: ALICE_BASIC } }))).toBe('memory');
    expect(await count(url)).toBe(2);
  });

  it("credentials: 'omit' never gets the cookie-authenticated answer (finding 2)", async () => {
    const { get } = instance({ ttl: 3600 });
    await fetch(`${BASE}login?user=carol`);
    const url = api('data', 'k=cookie');
    expect((await body(await get(url))).user).toBe('carol');
    const omitted = await get(url, { credentials: 'omit' });
    expect([cacheStatus(omitted), (await body(omitted)).user]).toEqual(['network', 'anonymous']);
    expect(cacheStatus(await get(url, { credentials: 'omit' }))).toBe('memory');
    expect(await count(url)).toBe(2);
    await fetch(`${BASE}login?user=`);
    jar.delete('sid');
  });

  it('ignoreHeaders leaves a header out of the key; a Vary on it still applies', async () => {
    const { get } = instance({ ignoreHeaders: ['X-Trace', 'x-variant'], ttl: 3600 });
    const url = api('data', 'k=ignored');
    await get(url, { headers: { 'x-trace': '1' } });
    expect(cacheStatus(await get(url, { headers: { 'x-trace': '2' } }))).toBe('memory');
    const varying = api('data', 'k=ignored-vary&vary=X-Variant');
    expect((await body(await get(varying, { headers: { 'x-variant': 'a' } }))).variant).toBe('a');
    const b = await get(varying, { headers: { 'x-variant': 'b' } });
    expect([cacheStatus(b), (await body(b)).variant]).toEqual(['network', 'b']);
    expect(() => createCachedFetch({ ignoreHeaders: ['bad name'] })).toThrow(/"ignoreHeaders" must be an array of header names/);
    expect(() => createCachedFetch({ ignoreHeaders: 'x-trace' as never })).toThrow(TypeError);
  });

  it("one instance's ignoreHeaders never lets its entries answer another instance's requests sent with other headers, in memory or on disk", async () => {
    const lenient = instance({ ignoreHeaders: ['authorization'], ttl: 3600 });
    const strict = createCachedFetch({ cachePath: lenient.cachePath, ttl: 3600 });
    const url = api('data', 'k=ignored-across-instances');
    const as = (user: string) => ({ headers: { authorization: `Bearer token-${user}-1` } });
    const answer = async (response: Promise<Response>) => [cacheStatus(await response), (await body(await response)).user];
    expect(await answer(lenient.get(url, as('alice')))).toEqual(['network', 'alice']);
    expect(await answer(strict(url))).toEqual(['network', 'anonymous']);
    expect(await answer(strict(url, as('alice')))).toEqual(['network', 'alice']);
    // Requests sent with the same headers share entries, whichever instance made them.
    expect(await answer(lenient.get(url))).toEqual(['memory', 'anonymous']);
    expect(await answer(lenient.get(url, as('bob')))).toEqual(['memory', 'alice']);
    await flushStores();
    clearMemories(); // as after a reload
    expect(await answer(strict(url))).toEqual(['disk', 'anonymous']);
    expect(await answer(lenient.get(url, as('carol')))).toEqual(['disk', 'alice']);
    expect(await count(url)).toBe(3);
  });

  it('a response that varies on Cookie is not stored, unless no cookies were sent', async () => {
    const { get } = instance({ ttl: 3600 });
    const url = api('data', 'k=vary-cookie&vary=Cookie');
    await get(url);
    expect(cacheStatus(await get(url))).toBe('network');
    await get(url, { credentials: 'omit' });
    expect(cacheStatus(await get(url, { credentials: 'omit' }))).toBe('memory');
    expect(await count(url)).toBe(3);
  });

  it('the same request has other keys in another database (a per-database secret)', async () => {
    const one = instance();
    const two = instance();
    const url = api('data', 'k=secret');
    await one.get(url, { headers: { authorization: ALICE_BASIC } });
    await two.get(url, { headers: { authorization: ALICE_BASIC } });
    await flushStores();
    const [a, b] = await Promise.all([rawEntries(one.cachePath), rawEntries(two.cachePath)]);
    expect(a.records).toHaveLength(1);
    expect(b.records).toHaveLength(1);
    expect(a.records[0]!.key).toMatch(/^[0-9a-f]{64}$/);
    expect(a.records[0]!.key).not.toBe(b.records[0]!.key);
  });
});

describe('HTTP semantics of a private cache', () => {
  it('a Range answer (206) is never stored, nor answers a request for the whole; a stored whole answers one byte range (finding 3, issue 22)', async () => {
    const { get } = instance({ cacheableStatuses: () => true, ttl: 3600 });
    const url = api('range', 'k=range');
    const part = await get(url, { headers: { range: 'bytes=0-4' } });
    expect([part.status, cacheStatus(part), await part.text()]).toEqual([206, undefined, 'ABCDE']);
    const whole = await get(url);
    expect([whole.status, cacheStatus(whole), await whole.text()]).toEqual([200, 'network', 'ABCDEFGHIJ']);
    const ranged = async (range: string) => {
      const answer = await get(url, { headers: { range } });
      return [answer.status, cacheStatus(answer), answer.headers.get('content-range'), answer.headers.get('content-length'), await answer.text()];
    };
    expect(await ranged('bytes=2-4')).toEqual([206, 'memory', 'bytes 2-4/10', '3', 'CDE']);
    expect(await ranged('bytes=-3')).toEqual([206, 'memory', 'bytes 7-9/10', '3', 'HIJ']);
    expect(await ranged('bytes=8-')).toEqual([206, 'memory', 'bytes 8-9/10', '2', 'IJ']);
    expect(await ranged('bytes=6-99')).toEqual([206, 'memory', 'bytes 6-9/10', '4', 'GHIJ']);
    expect(await ranged('bytes=10-')).toEqual([416, 'memory', 'bytes */10', '0', '']);
    // An invalid range is ignored (the whole answer); several ranges pass straight to the network.
    const ignored = await ranged('bytes=4-2');
    expect([ignored[0], ignored[1], ignored[2], ignored[4]]).toEqual([200, 'memory', null, 'ABCDEFGHIJ']);
    expect((await ranged('bytes=0-1, 4-5'))[1]).toBeUndefined();
    expect(await count(url)).toBe(3);
    expect(cacheStatus(await get(url))).toBe('memory');
  });

  it("cache: 'no-cache' revalidates with the server (If-None-Match); a 304 refreshes the entry (finding 4)", async () => {
    const { get } = instance();
    const url = api('data', 'k=nocache&etag=%22v1%22&cc=max-age%3D0&cc304=max-age%3D3600');
    const first = await body(await get(url));
    const revalidated = await get(url, { cache: 'no-cache' });
    expect([revalidated.status, cacheStatus(revalidated), (await body(revalidated)).n]).toEqual([200, 'revalidated', first.n]);
    expect(await served(url)).toEqual({ n: 2, conditional: ['"v1"'] });
    // The 304 said max-age=3600: the refreshed entry is fresh now.
    expect(cacheStatus(await get(url))).toBe('memory');
    // A Cache-Control: no-cache request header does the same.
    expect(cacheStatus(await get(url, { headers: { 'cache-control': 'no-cache' } }))).toBe('revalidated');
    expect((await served(url)).conditional).toHaveLength(2);
  });

  it('a stale entry with a validator is revalidated, not refetched whole', async () => {
    const { get } = instance();
    const url = api('data', 'k=stale-etag&etag=%22v7%22&cc=max-age%3D0&cc304=max-age%3D3600');
    await get(url);
    const second = await get(url);
    expect([cacheStatus(second), (await body(second)).n]).toEqual(['revalidated', 1]);
    expect(await served(url)).toEqual({ n: 2, conditional: ['"v7"'] });
    expect(cacheStatus(await get(url))).toBe('memory');
  });

  it('Cache-Control: no-store on the response is never stored, in memory or on disk (finding 5)', async () => {
    const { cachePath, get } = instance({ ttl: 3600 });
    const url = api('data', `k=${NO_STORE_BODY}&cc=no-store`);
    await get(url);
    expect(cacheStatus(await get(url))).toBe('network');
    expect(await count(url)).toBe(2);
    await flushStores();
    expect(await dump(cachePath)).not.toContain(NO_STORE_BODY);
  });

  it('a no-store answer removes the entry stored before it', async () => {
    const { cachePath, get } = instance({ ttl: 3600 });
    const url = api('data', 'k=turns-no-store&nostorefrom=2');
    await get(url);
    expect(cacheStatus(await get(url))).toBe('memory');
    const noStore = await get(url, { cache: 'no-cache' });
    expect([cacheStatus(noStore), (await body(noStore)).n]).toEqual(['network', 2]);
    expect(cacheStatus(await get(url))).toBe('network');
    await flushStores();
    expect((await rawEntries(cachePath)).records).toHaveLength(0);
  });

  it("a no-store answer to cache: 'reload' removes the entry stored before it (the store was not read)", async () => {
    const { cachePath, get } = instance();
    const url = api('data', 'k=reload-turns-no-store&nostorefrom=2');
    await get(url);
    await flushStores();
    const reloaded = await get(url, { cache: 'reload' });
    expect([cacheStatus(reloaded), (await body(reloaded)).n]).toEqual(['network', 2]);
    expect(cacheStatus(await get(url))).toBe('network');
    await flushStores();
    expect((await rawEntries(cachePath)).records).toHaveLength(0);
  });

  it('Cache-Control: no-store on the request passes it straight through, stored nowhere', async () => {
    const { cachePath, get } = instance();
    const url = api('data', `k=${NO_STORE_BODY}-request`);
    const answer = await get(url, { headers: { 'cache-control': 'no-store' } });
    expect(cacheStatus(answer)).toBeUndefined();
    expect(cacheStatus(await get(url, { headers: { 'cache-control': 'no-store' } }))).toBeUndefined();
    expect(await count(url)).toBe(2);
    await flushStores();
    expect(await dump(cachePath)).not.toContain(`${NO_STORE_BODY}-request`);
  });

  it("only-if-cached answers from the store, or with a 504 without asking the network", async () => {
    const { get } = instance({ ttl: 3600 });
    const url = api('data', 'k=only');
    const init: RequestInit = { cache: 'only-if-cached', mode: 'same-origin' };
    const miss = await get(url, init);
    expect([miss.status, miss.statusText]).toEqual([504, 'Gateway Timeout']);
    expect(await count(url)).toBe(0);
    await get(url);
    const hit = await get(url, init);
    expect([hit.status, cacheStatus(hit)]).toEqual([200, 'memory']);
    expect(await count(url)).toBe(1);
  });

  it("the only-if-cached directive, force-cache, and a caller's own If-None-Match", async () => {
    const { get } = instance();
    const url = api('data', 'k=directives&cc=max-age%3D0&etag=%22d1%22');
    const miss = await get(url, { headers: { 'cache-control': 'only-if-cached' } });
    expect(miss.status).toBe(504);
    expect(await count(url)).toBe(0);
    await get(url);
    // Stale (max-age=0), but force-cache and only-if-cached take it without asking.
    expect(cacheStatus(await get(url, { cache: 'force-cache' }))).toBe('memory');
    const onlyIfCached = await get(url, { headers: { 'cache-control': 'only-if-cached' } });
    expect([onlyIfCached.status, cacheStatus(onlyIfCached)]).toEqual([200, 'stale']);
    expect(await count(url)).toBe(1);
    // A caller's own conditional request is keyed apart, and gets the 304 itself.
    const own = await get(url, { headers: { 'if-none-match': '"d1"' } });
    expect([own.status, cacheStatus(own)]).toEqual([304, 'network']);
    expect((await body(await get(url))).n).toBe(1); // the stored answer, revalidated
  });

  it('without a ttl, max-age and Expires set freshness; a ttl overrides them', async () => {
    const { get } = instance();
    const expired = api('data', 'k=maxage0&cc=max-age%3D0');
    await get(expired);
    expect(cacheStatus(await get(expired))).toBe('network');
    const long = api('data', 'k=maxage-long&cc=max-age%3D3600');
    await get(long);
    expect(cacheStatus(await get(long))).toBe('memory');
    const past = api('data', `k=expires-past&expires=${encodeURIComponent(new Date(Date.now() - 60_000).toUTCString())}`);
    await get(past);
    expect(cacheStatus(await get(past))).toBe('network');
    const invalid = api('data', 'k=expires-invalid&expires=0');
    await get(invalid);
    expect(cacheStatus(await get(invalid))).toBe('network');
    const future = api('data', `k=expires-future&expires=${encodeURIComponent(new Date(Date.now() + 3_600_000).toUTCString())}`);
    await get(future);
    expect(cacheStatus(await get(future))).toBe('memory');
    const responseNoCache = api('data', 'k=response-no-cache&cc=no-cache');
    await get(responseNoCache);
    expect(cacheStatus(await get(responseNoCache))).toBe('network');

    const withTtl = instance({ ttl: 3600 });
    const overridden = api('data', 'k=ttl-over-maxage0&cc=max-age%3D0');
    await withTtl.get(overridden);
    expect(cacheStatus(await withTtl.get(overridden))).toBe('memory');
    // A request's max-age=0 asks for a fresh answer whatever the ttl.
    expect(cacheStatus(await withTtl.get(overridden, { headers: { 'cache-control': 'max-age=0' } }))).toBe('network');
  });

  it('redirects: the answer keeps its final URL, is stale at once, and never answers redirect: error', async () => {
    const { get } = instance();
    const target = `${API_PATH}data?r=${RUN}&k=redirected`;
    const url = api('redirect', `k=redir&to=${encodeURIComponent(target)}`);
    const first = await get(url);
    expect([first.url, (await body(first)).n]).toEqual([ORIGIN + target, 1]);
    // The final answer is fresh, but the redirect's own lifetime cannot be read: it is followed again.
    const again = await get(url);
    expect([cacheStatus(again), again.url, (await body(again)).n]).toEqual(['network', ORIGIN + target, 2]);
    await expect(get(url, { redirect: 'error' })).rejects.toThrow(TypeError);
  });

  it('a temporary redirect that moves is followed anew: never the old target under the redirecting URL (issue 22)', async () => {
    const { get } = instance();
    const url = api('moving', `to=${encodeURIComponent(`${API_PATH}data?r=${RUN}&k=moved`)}`);
    const first = await get(url);
    expect([first.url.endsWith('&v=1'), (await body(first)).n]).toEqual([true, 1]);
    const second = await get(url);
    expect([cacheStatus(second), second.url.endsWith('&v=2'), (await body(second)).n]).toEqual(['network', true, 1]);
  });

  it('Set-Cookie is never stored', async () => {
    const { cachePath, get } = instance({ ttl: 3600 });
    const url = api('data', 'k=setcookie&setcookie=1');
    await get(url);
    await flushStores();
    expect(await dump(cachePath)).not.toContain('secret-cookie-value');
    expect(cacheStatus(await get(url))).toBe('memory');
  });
});

/** Polls `check` until it holds (at most 5 s). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 5000; !(await check()); await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (Date.now() > deadline) throw new Error(`never held: ${check.toString()}`);
  }
}
/** cacheStatus of a call, its body read (an answer is stored once its body has arrived whole). */
const how = async (response: Promise<Response>) => {
  const answer = await response;
  await answer.arrayBuffer();
  return cacheStatus(answer);
};

// Chromium's own HTTP cache sits under cachedFetch's requests in the browser project: where an
// answer has freshness headers, these tests tell what cachedFetch did by cacheStatus, not by the
// server's counts.
describe('HTTP semantics of a private cache (issue 22)', () => {
  it('POST, PUT, DELETE, PATCH and unknown methods answered below 400 remove what is stored for their URL', async () => {
    const { get } = instance({ ttl: 3600 });
    // (happy-dom's Request refuses methods it does not know.)
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', ...(inBrowser ? ['M-SEARCH'] : [])]) {
      const url = api('data', `k=invalidate-${method}`);
      await how(get(url));
      expect(await how(get(url))).toBe('memory');
      const unsafe = await get(url, { method, body: 'x' });
      expect([cacheStatus(unsafe), (await body(unsafe)).method]).toEqual([undefined, method]);
      expect([method, await how(get(url))]).toEqual([method, 'network']);
      expect([method, await how(get(url))]).toEqual([method, 'memory']);
    }
    // A failed one (here a 503) leaves it.
    const url = api('data', 'k=invalidate-failed&failfrom=2');
    await how(get(url));
    expect((await get(url, { method: 'POST', body: 'x' })).status).toBe(503);
    expect(await how(get(url))).toBe('memory');
  });

  it('an unsafe answer removes what is stored for the same-origin URLs its Location and Content-Location name, absolute or relative', async () => {
    const { get } = instance({ ttl: 3600 });
    const located = api('data', 'k=located');
    const contentLocated = api('data', 'k=content-located');
    const bystander = api('data', 'k=bystander');
    for (const url of [located, contentLocated, bystander]) await how(get(url));
    const relative = contentLocated.slice(ORIGIN.length);
    const poster = api('data', `k=poster&${h('Location', located)}&${h('Content-Location', relative)}`);
    expect((await get(poster, { method: 'POST', body: 'x' })).status).toBe(200);
    expect([await how(get(located)), await how(get(contentLocated)), await how(get(bystander))]).toEqual(['network', 'network', 'memory']);
    // Another origin's URL is none of this origin's business (and never an error).
    const away = api('data', `k=away&${h('Location', 'http://other.invalid/x')}`);
    expect((await get(away, { method: 'PUT', body: 'x' })).status).toBe(200);
    expect(await how(get(bystander))).toBe('memory');
  });

  it('Age: one delta-seconds value counts; a list, a sign, a fraction or a parameter makes the answer stale', async () => {
    const { get } = instance();
    const cases: [string, string][] = [
      ['100', 'memory'],
      ['7200, 0', 'network'],
      ['0, 7200', 'network'],
      ['0, 0', 'network'],
      ['-1', 'network'],
      ['1.5', 'network'],
      ['5;a=b', 'network'],
      ['abc', 'network'],
      ['7200', 'network'],
    ];
    for (const [age, expected] of cases) {
      const url = api('data', `k=age-${encodeURIComponent(age)}&cc=max-age%3D3600&${h('Age', age)}`);
      await how(get(url));
      expect([age, await how(get(url))]).toEqual([age, expected]);
    }
  });

  it('answers from the store carry their current Age', async () => {
    const { get } = instance();
    const url = api('data', `k=age-out&cc=max-age%3D3600&${h('Age', '100')}`);
    await how(get(url));
    const hit = await get(url);
    expect(cacheStatus(hit)).toBe('memory');
    expect(Number(hit.headers.get('age'))).toBeGreaterThanOrEqual(100);
    const fresh = instance({ ttl: 3600 });
    const plain = api('data', 'k=age-zero');
    await how(fresh.get(plain));
    expect((await fresh.get(plain)).headers.get('age')).toMatch(/^\d+$/);
  });

  it('Expires: IMF-fixdate, RFC 850 (a two-digit year up to 50 years ahead is this century) and asctime, in any case; anything else is stale', async () => {
    const { get } = instance();
    const day = 86_400;
    const at = new Date(Date.now() + 3 * day * 1000);
    const [weekday, dd, mon, yyyy, time] = at.toUTCString().replace(',', '').split(' ') as [string, string, string, string, string];
    const longDay = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][at.getUTCDay()]!;
    const cases: [string, string][] = [
      [httpDate(3 * day), 'memory'],
      [httpDate(3 * day).toLowerCase(), 'memory'],
      [`${longDay}, ${dd}-${mon}-${yyyy.slice(2)} ${time} GMT`, 'memory'],
      [`${weekday} ${mon} ${String(at.getUTCDate()).padStart(2, ' ')} ${time} ${yyyy}`, 'memory'],
      [httpDate(-3 * day), 'network'],
      ['0', 'network'],
      [httpDate(3 * day).replace('GMT', 'UTC'), 'network'],
      [httpDate(3 * day).replace(',', ''), 'network'],
      [`${httpDate(3 * day)}, ${httpDate(4 * day)}`, 'network'],
      [`${weekday}, ${dd} ${mon} ${yyyy.slice(2)} ${time} GMT`, 'network'],
    ];
    for (const [expires, expected] of cases) {
      const url = api('data', `k=expires-${encodeURIComponent(expires)}&expires=${encodeURIComponent(expires)}`);
      await how(get(url));
      expect([expires, await how(get(url))]).toEqual([expires, expected]);
    }
  });

  it('without freshness headers: a tenth of the Last-Modified age for heuristically cacheable statuses, else stale (201, 202, 403, 500…)', async () => {
    const { get } = instance();
    const modified = h('Last-Modified', httpDate(-10 * 86_400));
    for (const [status, expected] of [
      [200, 'memory'],
      [203, 'memory'],
      [404, 'memory'],
      [410, 'memory'],
      [501, 'memory'],
      [201, 'network'],
      [202, 'network'],
      [403, 'network'],
      [500, 'network'],
      [502, 'network'],
    ] as const) {
      const url = api('data', `k=heuristic-${status}&status=${status}&${modified}`);
      await how(get(url));
      expect([status, await how(get(url))]).toEqual([status, expected]);
    }
    // Without Last-Modified either, nothing to go on: stale at once.
    const bare = api('data', 'k=heuristic-bare');
    await how(get(bare));
    expect(await how(get(bare))).toBe('network');
    expect(await count(bare)).toBe(2);
  });

  it('any status with explicit freshness is stored (404, 410, 500, 503, 599); an unknown one with must-understand is not', async () => {
    const { get } = instance();
    for (const status of [404, 410, 500, 503, 599]) {
      const url = api('data', `k=explicit-${status}&status=${status}&cc=max-age%3D3600`);
      await how(get(url));
      const hit = await get(url);
      expect([status, hit.status, cacheStatus(hit)]).toEqual([status, status, 'memory']);
    }
    const unknown = api('data', `k=must-understand&status=599&cc=${encodeURIComponent('max-age=3600, must-understand')}`);
    await how(get(unknown));
    expect(await how(get(unknown))).toBe('network');
    // cacheableStatuses, when given, decides alone.
    const strict = instance({ cacheableStatuses: (status) => status === 200 });
    const notFound = api('data', 'k=explicit-strict&status=404&cc=max-age%3D3600');
    await how(strict.get(notFound));
    expect(await how(strict.get(notFound))).toBe('network');
  });

  it('stale-while-revalidate: within its window a stale answer comes at once and is refreshed behind; past it, or with must-revalidate, the network answers', async () => {
    const { get } = instance();
    const url = api('data', `k=swr&cc=${encodeURIComponent('max-age=1, stale-while-revalidate=3600')}&${h('Age', '10')}`);
    await how(get(url));
    const stale = await get(url);
    expect([cacheStatus(stale), (await body(stale)).n]).toEqual(['stale', 1]);
    await until(async () => (await count(url)) >= 2);
    for (const [label, cc] of [
      ['past', 'max-age=1, stale-while-revalidate=5'],
      ['must-revalidate', 'max-age=1, stale-while-revalidate=3600, must-revalidate'],
    ]) {
      const other = api('data', `k=swr-${label}&cc=${encodeURIComponent(cc!)}&${h('Age', '10')}`);
      await how(get(other));
      expect([label, await how(get(other))]).toEqual([label, 'network']);
    }
  });

  it('stale-if-error: within its window a 500, 502, 503 or 504 is answered with the stale entry', async () => {
    const { get } = instance();
    const url = api('data', `k=sie&cc=${encodeURIComponent('max-age=1, stale-if-error=3600')}&${h('Age', '10')}&failfrom=2`);
    await how(get(url));
    const stale = await get(url);
    expect([stale.status, cacheStatus(stale), (await body(stale)).n]).toEqual([200, 'stale', 1]);
    const without = api('data', `k=sie-none&cc=max-age%3D1&${h('Age', '10')}&failfrom=2`);
    await how(get(without));
    const failed = await get(without);
    expect([failed.status, cacheStatus(failed)]).toEqual([503, 'network']);
  });

  it('headers that Connection names, and hop-by-hop ones, are not stored', async () => {
    const { get } = instance({ ttl: 3600 });
    const url = api('data', `k=connection&${h('Connection', 'x-drop')}&${h('X-Drop', '1')}&${h('X-Keep', '2')}`);
    const first = await get(url);
    await first.text();
    const hit = await get(url);
    expect([cacheStatus(hit), hit.headers.get('x-drop'), hit.headers.get('x-keep'), hit.headers.get('connection')]).toEqual(['memory', null, '2', null]);
  });

  it("a no-cache answer with a validator is revalidated on each use, and cacheStatus says 'revalidated' when a 304 confirms it (Vite's servers)", async () => {
    const { get } = instance();
    const url = api('data', `k=vite&cc=no-cache&etag=${encodeURIComponent('W/"v1"')}`);
    const first = await get(url);
    expect([cacheStatus(first), (await body(first)).n]).toEqual(['network', 1]);
    for (const _ of [1, 2]) {
      const again = await get(url);
      expect([again.status, cacheStatus(again), (await body(again)).n]).toEqual([200, 'revalidated', 1]);
    }
    expect(await served(url)).toEqual({ n: 3, conditional: ['W/"v1"', 'W/"v1"'] });
  });
});

describe('damaged and foreign records are misses (finding 6)', () => {
  const damaged: [string, (good: Record<string, unknown>) => unknown][] = [
    ['{status: 200} only', () => ({ status: 200 })],
    ['headers not a list', (good) => ({ ...good, headers: 'content-type: text/plain' })],
    ['no body', (good) => ({ ...good, body: undefined })],
    ['a header name the Response constructor refuses', (good) => ({ ...good, headers: [['bad name', 'x']] })],
    ['a status text with a line break', (good) => ({ ...good, statusText: 'OK\r\nx-injected: 1' })],
    ['a 204 with a body', (good) => ({ ...good, status: 204 })],
    ['a 206', (good) => ({ ...good, status: 206 })],
    ['a NaN time', (good) => ({ ...good, time: NaN })],
    ['a Vary naming an invalid header', (good) => ({ ...good, headers: [['vary', 'bad\u00e9name']], vary: 'x' })],
    ['a negative age', (good) => ({ ...good, age: -1 })],
    ['an age that is not a number', (good) => ({ ...good, age: '5' })],
    ['a string', () => 'forged'],
    ['null', () => null],
  ];
  it.each(damaged)('%s: the network answers, and its answer overwrites the record', async (_label, damage) => {
    const { cachePath, get } = instance({ ttl: 3600 });
    const url = api('data', `k=damaged-${encodeURIComponent(_label)}`);
    await get(url);
    await flushStores();
    const raw = await rawEntries(cachePath);
    expect(raw.records).toHaveLength(1);
    await raw.overwrite(damage(raw.records[0]!.value as Record<string, unknown>));
    clearMemories(); // as after a reload
    const answer = await get(url);
    expect([answer.status, cacheStatus(answer), (await body(answer)).n]).toEqual([200, 'network', 2]);
    await flushStores();
    clearMemories();
    const healed = await get(url);
    expect([cacheStatus(healed), (await body(healed)).n]).toEqual(['disk', 2]);
    expect(await count(url)).toBe(2);
  });
});

describe('credentials at rest', () => {
  it('a dump of every IndexedDB store holds no credential in clear and no no-store body', async () => {
    const { cachePath, get } = instance();
    await get(api('data', 'k=dump-basic'), { headers: { authorization: ALICE_BASIC } });
    await get(api('data', 'k=dump-key'), { headers: { 'x-api-key': BOB_KEY } });
    await get(api('data', 'k=dump-bearer'), { headers: { authorization: 'Bearer token-dave-s3cr3t' } });
    await get(api('data', 'k=dump-vary&vary=Authorization'), { headers: { authorization: 'Bearer token-erin-v4ry' } });
    await flushStores();
    const everything = (await Promise.all([...new Set([cachePath, ...paths])].map(dump))).join('\n');
    expect(everything).toContain('"value"'); // the dump is not empty
    for (const secret of [ALICE_BASIC, btoa('alice:correct-horse-battery'), 'correct-horse-battery', BOB_KEY, 's3cr3t', 'v4ry', 'secret-cookie-value', NO_STORE_BODY]) {
      expect(everything).not.toContain(secret);
    }
  });
});
