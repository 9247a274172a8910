// cachedFetch as a private HTTP cache (issue 13), against a counting API (test/fixtures/http-api.ts):
// in real Chromium it is served on the test server's origin by Vite middleware (vite.config.ts);
// under happy-dom + fake-indexeddb a stubbed fetch calls it in-process (with a cookie jar and redirects).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cacheStatus, createCachedFetch, type FetchCacheOptions } from '../../src/index';
import { flushCaches as flushStores, forgetMemories as clearMemories } from '../../src/registry';
import { API_PATH, handle } from '../fixtures/http-api';

const inBrowser = !('happyDOM' in window);
const ORIGIN = inBrowser ? location.origin : 'http://127.0.0.1:9';
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
    const location = response.headers.get('location');
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
const body = async (response: Response) => (await response.json()) as { n: number; user: string; variant: string | null };

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
    const { get } = instance();
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
    const { get } = instance();
    const url = api('data', 'k=basic');
    await get(url, { headers: { authorization: ALICE_BASIC } });
    expect(cacheStatus(await get(url))).toBe('network');
    expect(cacheStatus(await get(url, { headers: { authorization: ALICE_BASIC } }))).toBe('memory');
    expect(await count(url)).toBe(2);
  });

  it("credentials: 'omit' never gets the cookie-authenticated answer (finding 2)", async () => {
    const { get } = instance();
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
    const { get } = instance({ ignoreHeaders: ['X-Trace', 'x-variant'] });
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
    const lenient = instance({ ignoreHeaders: ['authorization'] });
    const strict = createCachedFetch({ cachePath: lenient.cachePath });
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
    const { get } = instance();
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
  it('a Range answer (206) never answers a request for the whole resource, and is never stored (finding 3)', async () => {
    const { get } = instance({ cacheableStatuses: () => true });
    const url = api('range', 'k=range');
    const part = await get(url, { headers: { range: 'bytes=0-4' } });
    expect([part.status, await part.text()]).toEqual([206, 'ABCDE']);
    const whole = await get(url);
    expect([whole.status, cacheStatus(whole), await whole.text()]).toEqual([200, 'network', 'ABCDEFGHIJ']);
    const partAgain = await get(url, { headers: { range: 'bytes=0-4' } });
    expect([partAgain.status, await partAgain.text()]).toEqual([206, 'ABCDE']);
    // A stored whole resource never answers a Range request either.
    expect(await count(url)).toBe(3);
    expect(cacheStatus(await get(url))).toBe('memory');
  });

  it("cache: 'no-cache' revalidates with the server (If-None-Match); a 304 refreshes the entry (finding 4)", async () => {
    const { get } = instance();
    const url = api('data', 'k=nocache&etag=%22v1%22&cc=max-age%3D0&cc304=max-age%3D3600');
    const first = await body(await get(url));
    const revalidated = await get(url, { cache: 'no-cache' });
    expect([revalidated.status, cacheStatus(revalidated), (await body(revalidated)).n]).toEqual([200, 'network', first.n]);
    expect(await served(url)).toEqual({ n: 2, conditional: ['"v1"'] });
    // The 304 said max-age=3600: the refreshed entry is fresh now.
    expect(cacheStatus(await get(url))).toBe('memory');
    // A Cache-Control: no-cache request header does the same.
    expect(cacheStatus(await get(url, { headers: { 'cache-control': 'no-cache' } }))).toBe('network');
    expect((await served(url)).conditional).toHaveLength(2);
  });

  it('a stale entry with a validator is revalidated, not refetched whole', async () => {
    const { get } = instance();
    const url = api('data', 'k=stale-etag&etag=%22v7%22&cc=max-age%3D0&cc304=max-age%3D3600');
    await get(url);
    const second = await get(url);
    expect([cacheStatus(second), (await body(second)).n]).toEqual(['network', 1]);
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
    const { cachePath, get } = instance();
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
    const { get } = instance();
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

  it('redirects: the answer keeps its final URL; redirect: error is never answered with a redirected entry', async () => {
    const { get } = instance();
    const target = `${API_PATH}data?r=${RUN}&k=redirected`;
    const url = api('redirect', `k=redir&to=${encodeURIComponent(target)}`);
    const first = await get(url);
    expect([first.url, (await body(first)).n]).toEqual([ORIGIN + target, 1]);
    const hit = await get(url);
    expect([cacheStatus(hit), hit.url]).toEqual(['memory', ORIGIN + target]);
    await expect(get(url, { redirect: 'error' })).rejects.toThrow(TypeError);
  });

  it('Set-Cookie is never stored', async () => {
    const { cachePath, get } = instance();
    const url = api('data', 'k=setcookie&setcookie=1');
    await get(url);
    await flushStores();
    expect(await dump(cachePath)).not.toContain('secret-cookie-value');
    expect(cacheStatus(await get(url))).toBe('memory');
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
    ['a Vary naming an invalid header', (good) => ({ ...good, vary: ['bad name'], varyDigest: 'x' })],
    ['a string', () => 'forged'],
    ['null', () => null],
  ];
  it.each(damaged)('%s: the network answers, and its answer overwrites the record', async (_label, damage) => {
    const { cachePath, get } = instance();
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
