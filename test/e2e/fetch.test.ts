// cachedFetch in real Chromium against a counting API on 127.0.0.1: strategies, offline after a
// reload, Authorization isolation, Vary, non-2xx, HEAD and abort isolation; streams, invalidation,
// and Vite's own dev and preview servers (issue 22).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { preview, type PreviewServer } from 'vite';
import type { BrowserContext, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchCacheOptions } from '../../src/index';
import { startHarness, type Harness } from './harness';
import type { FetchAnswer, FetchEntry } from './pages/fetch';

const PAGE = '/test/e2e/pages/fetch.html';
const PENGUINS = readFileSync(new URL('../fixtures/penguins.csv', import.meta.url), 'utf8');

/** Requests the API received, by path and query. */
const counts = new Map<string, number>();
/** Requests whose connection closed before the answer was sent. */
const cutOff = new Set<string>();
/** Answers whose body is still being sent, by path and query: the test ends them. */
const held = new Map<string, ServerResponse>();
/** The Vite preview server that `/preview/` is proxied to. */
let vitePreview: PreviewServer | undefined;
/** `failing`: every connection dropped; `held`: what answers to `?held` requests wait for (see holdAnswers). */
const api = { failing: false, held: Promise.resolve() };
/** Holds the answers to `?held` requests until the returned function is called. */
function holdAnswers(): () => void {
  let release!: () => void;
  api.held = new Promise<void>((resolve) => (release = resolve));
  return release;
}
/** Requests that came with a matching If-None-Match, by path and query. */
const conditional: string[] = [];
const count = (id: string) => counts.get(id) ?? 0;

/**
 * The API under `/api/`: `data.json` echoes who asked (from `Authorization: Bearer token-<user>-…`)
 * and how often, `penguins.csv` is a fixture, `vary` varies on X-Variant, `missing` is a 404,
 * `big.bin?bytes=<n>` is n bytes of 7.
 * `?delay=<ms>` answers late, `?held` once the test releases it (holdAnswers); `api.failing` drops
 * every connection, like a network failure.
 * `login?user=` sets an HttpOnly `sid` cookie (a user for data.json, like Authorization and X-API-Key);
 * `range` answers `Range: bytes=a-b` with a 206; `etag` revalidates with a 304; `nostore` says no-store;
 * `strict` says `max-age=0, must-revalidate`; `events` is an event stream that never ends; `chunked`
 * sends `a` and holds the rest (in `held`) until the test ends it.
 * No answer has freshness headers or validators (but etag's and strict's), so Chromium's HTTP cache
 * never hides a request. `/preview/…` is proxied to a Vite preview server.
 */
function serveApi(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname.startsWith('/preview/') && vitePreview) return proxy(req, res, vitePreview);
  if (!url.pathname.startsWith('/api/')) return next();
  const id = url.pathname + url.search;
  const n = count(id) + 1;
  counts.set(id, n);
  if (api.failing) return void req.socket.destroy();
  res.on('close', () => {
    if (!res.writableFinished) cutOff.add(id);
  });
  const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const gate = url.searchParams.has('held') ? api.held : Promise.resolve();
  void gate.then(() => setTimeout(() => {
    const cookie = /(?:^|;\s*)sid=(\w+)/.exec(req.headers.cookie ?? '')?.[1];
    const apiKey = req.headers['x-api-key'];
    const user = /token-(\w+)-/.exec(req.headers.authorization ?? '')?.[1] ?? (typeof apiKey === 'string' ? apiKey.split('-')[0] : undefined) ?? cookie ?? 'anonymous';
    switch (url.pathname) {
      case '/api/login':
        return send(200, 'text/plain', 'ok', { 'set-cookie': `sid=${url.searchParams.get('user')}; Path=/; HttpOnly; SameSite=Strict` });
      case '/api/range': {
        const range = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
        if (!range) return send(200, 'text/plain', 'ABCDEFGHIJ');
        return send(206, 'text/plain', 'ABCDEFGHIJ'.slice(Number(range[1]), Number(range[2]) + 1), { 'content-range': `bytes ${range[1]}-${range[2]}/10` });
      }
      case '/api/etag':
        if (req.headers['if-none-match'] === '"v1"') {
          conditional.push(id);
          res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=3600' });
          return void res.end();
        }
        return send(200, 'application/json', JSON.stringify({ id, n }), { etag: '"v1"', 'cache-control': 'max-age=0' });
      case '/api/nostore':
        return send(200, 'text/plain', `NOSTORE-BODY-MARKER ${n}`, { 'cache-control': 'no-store' });
      case '/api/strict':
        return send(200, 'application/json', JSON.stringify({ id, n }), { 'cache-control': 'max-age=0, must-revalidate' });
      case '/api/broken':
        return send(500, 'application/json', JSON.stringify({ id, n }));
      case '/api/events':
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write(`data: ${n}\n\n`);
        return void held.set(id + n, res);
      case '/api/chunked':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('a');
        return void held.set(id, res);
      case '/api/data.json':
        return send(200, 'application/json', JSON.stringify({ id, n, user }));
      case '/api/penguins.csv':
        return send(200, 'text/csv', PENGUINS);
      case '/api/vary':
        return send(200, 'application/json', JSON.stringify({ variant: req.headers['x-variant'], n }), { vary: 'X-Variant' });
      case '/api/missing':
        return send(404, 'application/json', '{"error":"missing"}');
      case '/api/big.bin': {
        const body = Buffer.alloc(Number(url.searchParams.get('bytes')), 7);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
        return void res.end(body);
      }
      default:
        return send(400, 'text/plain', 'unknown');
    }
  }, Number(url.searchParams.get('delay') ?? 0)));
}

let h: Harness;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  h = await startHarness(serveApi);
  context = await h.newContext();
  page = await h.open(context, PAGE);
});
afterAll(async () => {
  for (const res of held.values()) res.end();
  await vitePreview?.close();
  await h?.close();
});

/** Forwards `req` to the preview server (without its `/preview` prefix), as a reverse proxy would. */
function proxy(req: IncomingMessage, res: ServerResponse, server: PreviewServer): void {
  const { port } = new URL(server.resolvedUrls!.local[0]!);
  const forwarded = httpRequest({ host: '127.0.0.1', port, path: req.url!.slice('/preview'.length), method: req.method, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode!, answer.headers);
    answer.pipe(res);
  });
  req.pipe(forwarded);
}

/** The API's answers have no freshness headers: by default the tests give their entries an hour (`ttl`). */
const FRESH: FetchCacheOptions = { ttl: 3600 };
const get = (p: Page, path: string, init: RequestInit = {}, options: FetchCacheOptions = {}) =>
  p.evaluate(([path, init, options]) => window.fetchPage.get(path, init, options), [path, init, { ...FRESH, ...options }] as const);
const tryGet = (p: Page, path: string, init: RequestInit = {}, options: FetchCacheOptions = {}) =>
  p.evaluate(([path, init, options]) => window.fetchPage.tryGet(path, init, options), [path, init, { ...FRESH, ...options }] as const);
const bodyOf = (answer: FetchAnswer) => JSON.parse(answer.body) as { id: string; n: number; user: string; variant?: string };
/** Whether stored entry `e` is the answer for `path` (URLs are not stored: the body says). */
const isFor = (e: FetchEntry, path: string) => (path === '/api/penguins.csv' ? e.text === PENGUINS : e.text.includes(`"id":${JSON.stringify(path)}`));
/**
 * Polls `check` until it holds. (Not page.waitForFunction: it takes the promise an async predicate
 * returns for a truthy answer, and resolves at once.)
 */
async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
/** The entries stored in the page's default cache database. */
const entries = (p: Page) => p.evaluate(() => window.fetchPage.entries());
/** Waits until the answer for `path` is on disk. */
const waitForStored = (p: Page, path: string) => until(async () => (await entries(p)).some((e) => isFor(e, path)));
const reload = async (p: Page) => {
  await p.reload();
  await p.waitForFunction(() => window.ready === true);
};

/**
 * Serves the page and its modules (everything but `/api/`) from a snapshot of their first load, so
 * that the page can be reloaded while the context is offline; `/api/` always goes to the network.
 */
async function snapshotPage(target: BrowserContext): Promise<{ offline: boolean }> {
  const snapshot = new Map<string, { status: number; headers: Record<string, string>; body: Buffer }>();
  const mode = { offline: false };
  await target.route(
    (url) => url.hostname === '127.0.0.1' && !url.pathname.startsWith('/api/'),
    async (route) => {
      const url = route.request().url();
      if (mode.offline) {
        const saved = snapshot.get(url);
        return saved ? route.fulfill(saved) : route.abort('internetdisconnected');
      }
      const response = await route.fetch();
      const saved = { status: response.status(), headers: response.headers(), body: await response.body() };
      if (saved.status === 200) snapshot.set(url, saved);
      await route.fulfill(saved);
    },
  );
  return mode;
}

describe('cachedFetch in Chromium', () => {
  it('cache-first: network, then memory, then disk after a reload, then offline after another reload', async () => {
    const offlineContext = await h.newContext();
    try {
      const mode = await snapshotPage(offlineContext);
      const p = await h.open(offlineContext, PAGE);
      const first = await get(p, '/api/penguins.csv');
      expect(first).toMatchObject({ status: 200, how: 'network', cloneHow: 'network', contentType: 'text/csv', body: PENGUINS, cloneBody: PENGUINS });
      expect(first.url).toBe(`${h.origin}/api/penguins.csv`);
      expect(await get(p, '/api/penguins.csv')).toMatchObject({ how: 'memory', cloneHow: 'memory', body: PENGUINS, cloneBody: PENGUINS });
      await get(p, '/api/data.json?offline');
      await waitForStored(p, '/api/penguins.csv');
      await waitForStored(p, '/api/data.json?offline');

      await reload(p);
      const fromDisk = await get(p, '/api/penguins.csv');
      expect(fromDisk).toMatchObject({ status: 200, how: 'disk', body: PENGUINS, contentType: 'text/csv', url: `${h.origin}/api/penguins.csv` });
      expect(count('/api/penguins.csv')).toBe(1);

      // Offline, the page itself comes from the snapshot; the data only from IndexedDB.
      await offlineContext.setOffline(true);
      mode.offline = true;
      await reload(p);
      expect(await get(p, '/api/penguins.csv')).toMatchObject({ how: 'disk', body: PENGUINS });
      const stale = await get(p, '/api/data.json?offline', {}, { strategy: 'network-first' });
      expect([stale.how, bodyOf(stale).n]).toEqual(['stale', 1]);
      expect(await tryGet(p, '/api/data.json?never-loaded')).toEqual({ error: 'TypeError' });
      expect(count('/api/penguins.csv')).toBe(1);
      expect(count('/api/data.json?offline')).toBe(1);
      expect(count('/api/data.json?never-loaded')).toBe(0);

      await offlineContext.setOffline(false);
      expect(bodyOf(await get(p, '/api/data.json?offline', {}, { strategy: 'network-first' })).n).toBe(2);
    } finally {
      await offlineContext.close();
    }
  });

  it('network-first: asks the network each time; a failure answers from the store as stale', async () => {
    expect(bodyOf(await get(page, '/api/data.json?nf', {}, { strategy: 'network-first' })).n).toBe(1);
    const second = await get(page, '/api/data.json?nf', {}, { strategy: 'network-first' });
    expect([second.how, bodyOf(second).n]).toEqual(['network', 2]);
    api.failing = true;
    try {
      const fallback = await get(page, '/api/data.json?nf', {}, { strategy: 'network-first' });
      expect([fallback.how, bodyOf(fallback).n]).toEqual(['stale', 2]);
    } finally {
      api.failing = false;
    }
  });

  it('cache-first with a ttl: an expired entry is refetched, and answers as stale when the network fails', async () => {
    const options = { ttl: 0.2 };
    await get(page, '/api/data.json?ttl', {}, options);
    expect((await get(page, '/api/data.json?ttl', {}, options)).how).toBe('memory');
    await page.waitForTimeout(250);
    expect(bodyOf(await get(page, '/api/data.json?ttl', {}, options)).n).toBe(2);
    await page.waitForTimeout(250);
    api.failing = true;
    try {
      const stale = await get(page, '/api/data.json?ttl', {}, options);
      expect([stale.how, bodyOf(stale).n]).toEqual(['stale', 2]);
    } finally {
      api.failing = false;
    }
  });

  it('stale-while-revalidate: answers at once, refreshes behind, once per key across tabs', async () => {
    const swr = { strategy: 'stale-while-revalidate' } as const;
    const path = '/api/data.json?swr&held';
    const other = await h.open(context, PAGE);
    try {
      expect(bodyOf(await get(page, path, {}, swr)).n).toBe(1);
      await waitForStored(page, path);
      // Both tabs hit at once (one from memory, one from disk) while the API holds every answer:
      // they answer without it. One refresh holds the key's Web Lock.
      const release = holdAnswers();
      const [hit, otherHit] = await Promise.all([get(page, path, {}, swr), get(other, path, {}, swr)]);
      expect([hit.how, bodyOf(hit).n, otherHit.how, bodyOf(otherHit).n]).toEqual(['memory', 1, 'disk', 1]);
      release();
      // The refresh lands on disk (and in the refreshing tab's memory); the other tab reads it there.
      await until(async () => (await entries(page)).some((e) => isFor(e, path) && e.text.includes('"n":2')));
      expect(count(path)).toBe(2);
      expect(bodyOf(await get(page, path)).n).toBe(2);
      // From memory if this tab won the lock and refreshed, else from the disk the other tab wrote.
      const refreshed = await get(other, path);
      expect([['memory', 'disk'].includes(refreshed.how ?? ''), bodyOf(refreshed).n]).toEqual([true, 2]);
    } finally {
      await other.close();
    }
  });

  it('never answers one Authorization with the entry of another, nor stores it in clear', async () => {
    const as = (user: string) => ({ headers: { authorization: `Bearer token-${user}-secret42` } });
    expect(bodyOf(await get(page, '/api/data.json?me', as('alice'))).user).toBe('alice');
    expect(bodyOf(await get(page, '/api/data.json?me', as('bob'))).user).toBe('bob');
    expect(bodyOf(await get(page, '/api/data.json?me')).user).toBe('anonymous');
    const again = await get(page, '/api/data.json?me', as('alice'));
    expect([again.how, bodyOf(again).user]).toEqual(['memory', 'alice']);
    expect(count('/api/data.json?me')).toBe(3);
    await until(async () => (await entries(page)).filter((e) => isFor(e, '/api/data.json?me')).length === 3);
    const stored = JSON.stringify(await entries(page));
    expect(stored).not.toContain('secret42');
  });

  it("honours the response's Vary", async () => {
    const variant = (name: string) => get(page, '/api/vary', { headers: { 'x-variant': name } });
    expect(bodyOf(await variant('a'))).toMatchObject({ variant: 'a', n: 1 });
    expect(bodyOf(await variant('b'))).toMatchObject({ variant: 'b', n: 2 });
    const b = await variant('b');
    expect([b.how, bodyOf(b).variant]).toEqual(['memory', 'b']);
    expect(count('/api/vary')).toBe(2);
  });

  it('stores a 404 (heuristically cacheable), not a 500 without explicit freshness', async () => {
    const missing = await get(page, '/api/missing');
    expect(missing).toMatchObject({ status: 404, how: 'network', body: '{"error":"missing"}' });
    expect(await get(page, '/api/missing')).toMatchObject({ status: 404, how: 'memory', body: '{"error":"missing"}' });
    expect(count('/api/missing')).toBe(1);
    expect((await get(page, '/api/broken')).status).toBe(500);
    expect(await get(page, '/api/broken')).toMatchObject({ status: 500, how: 'network' });
    expect(count('/api/broken')).toBe(2);
    expect((await entries(page)).some((e) => e.text.includes('/api/broken'))).toBe(false);
  });

  it('caches HEAD apart from GET', async () => {
    const head = await get(page, '/api/data.json?head', { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, how: 'network', body: '', contentType: 'application/json' });
    expect(await get(page, '/api/data.json?head', { method: 'HEAD' })).toMatchObject({ how: 'memory', body: '' });
    expect(count('/api/data.json?head')).toBe(1);
    expect(bodyOf(await get(page, '/api/data.json?head'))).toMatchObject({ n: 2 });
  });

  it('passes POST straight through, and its answer removes what is stored for its URL (issue 22)', async () => {
    const path = '/api/data.json?post';
    expect(bodyOf(await get(page, path)).n).toBe(1);
    expect((await get(page, path)).how).toBe('memory');
    const post = await get(page, path, { method: 'POST', body: 'x' });
    expect(post.how).toBeUndefined();
    expect(bodyOf(post).n).toBe(2);
    const after = await get(page, path);
    expect([after.how, bodyOf(after).n]).toEqual(['network', 3]);
    await get(page, path, { method: 'PUT', body: 'x' });
    expect(count(path)).toBe(4);
  });

  it('an event stream comes as soon as its headers arrive, and is never stored (issue 22)', async () => {
    const first = await page.evaluate(() => window.fetchPage.openStream('/api/events'));
    expect(first).toEqual({ status: 200, how: 'network', first: 'data: 1\n\n' });
    const second = await page.evaluate(() => window.fetchPage.openStream('/api/events'));
    expect(second).toEqual({ status: 200, how: 'network', first: 'data: 2\n\n' });
    expect(count('/api/events')).toBe(2);
  });

  it('a body of unknown length comes as it is sent, and is stored once it has come whole (issue 22)', async () => {
    const path = '/api/chunked?whole';
    expect(await page.evaluate((path) => window.fetchPage.openStream(path, { ttl: 3600 }), path)).toEqual({ status: 200, how: 'network', first: 'a' });
    held.get(path)!.end('b');
    expect(await page.evaluate((path) => window.fetchPage.readRest(path), path)).toBe('b');
    expect(await get(page, path)).toMatchObject({ how: 'memory', body: 'ab' });
    expect(count(path)).toBe(1);
  });

  it('offline, a stored answer answers stale, unless it says must-revalidate (issue 22)', async () => {
    const own = { ttl: undefined };
    await get(page, '/api/strict', {}, own);
    await get(page, '/api/data.json?offline-stale', {}, own);
    api.failing = true;
    try {
      expect(await tryGet(page, '/api/strict', {}, own)).toEqual({ error: 'TypeError' });
      const stale = await get(page, '/api/data.json?offline-stale', {}, own);
      expect([stale.how, bodyOf(stale).n]).toEqual(['stale', 1]);
    } finally {
      api.failing = false;
    }
  });

  it("Vite's dev server (no-cache, ETag, 304): each use is revalidated and answered from the store, 'revalidated' (issue 22)", async () => {
    const own = { ttl: undefined };
    const path = '/test/fixtures/penguins.csv';
    const p = await h.open(await h.newContext(), PAGE);
    try {
      expect(await get(p, path, {}, own)).toMatchObject({ status: 200, how: 'network', body: PENGUINS });
      expect(await get(p, path, {}, own)).toMatchObject({ status: 200, how: 'revalidated', body: PENGUINS });
      expect(await get(p, path, {}, own)).toMatchObject({ status: 200, how: 'revalidated', body: PENGUINS });
    } finally {
      await p.context().close();
    }
  });

  it("Vite's preview server (no-cache, a weak ETag, 304s without Cache-Control): 'revalidated' too, offline too (issue 22)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'idb-memo-preview-'));
    writeFileSync(path.join(dir, 'data.json'), '{"from":"preview"}');
    vitePreview = await preview({ root: dir, configFile: false, logLevel: 'error', build: { outDir: '.' }, preview: { host: '127.0.0.1', port: 0, strictPort: false } });
    const own = { ttl: undefined };
    try {
      expect(await get(page, '/preview/data.json', {}, own)).toMatchObject({ status: 200, how: 'network', body: '{"from":"preview"}' });
      expect(await get(page, '/preview/data.json', {}, own)).toMatchObject({ status: 200, how: 'revalidated', body: '{"from":"preview"}' });
      // A cross-origin request with mode: 'same-origin' is fetch's to reject, whatever is stored.
      const away = `${vitePreview.resolvedUrls!.local[0]}data.json`;
      expect(await get(page, away, {}, own)).toMatchObject({ status: 200, how: 'network' });
      expect(await get(page, away, { cache: 'force-cache' }, own)).toMatchObject({ status: 200, how: 'memory' });
      expect(await tryGet(page, away, { mode: 'same-origin', cache: 'force-cache' }, own)).toEqual({ error: 'TypeError' });
    } finally {
      await vitePreview.close();
      vitePreview = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stores a body of tens of MB, and reads it back after a reload', async () => {
    const bigContext = await h.newContext();
    try {
      const p = await h.open(bigContext, PAGE);
      const path = '/api/big.bin?bytes=25000000';
      expect(await p.evaluate((path) => window.fetchPage.measure(path), path)).toEqual({ status: 200, how: 'network', bytes: 25_000_000, sample: [7, 7, 7] });
      await until(async () => (await entries(p)).some((e) => e.bytes === 25_000_000));
      await reload(p);
      expect(await p.evaluate((path) => window.fetchPage.measure(path), path)).toEqual({ status: 200, how: 'disk', bytes: 25_000_000, sample: [7, 7, 7] });
      expect(count(path)).toBe(1);
    } finally {
      await bigContext.close();
    }
  });

  it('returns an answer too big for the quota without storing it, with a warning', async () => {
    const quotaContext = await h.newContext();
    try {
      const p = await h.open(quotaContext, PAGE);
      const cdp = await quotaContext.newCDPSession(p);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: h.origin, quotaSize: 512 * 1024 });
      const path = '/api/big.bin?bytes=3000000';
      expect(await p.evaluate((path) => window.fetchPage.measure(path), path)).toEqual({ status: 200, how: 'network', bytes: 3_000_000, sample: [7, 7, 7] });
      await p.waitForFunction(() => window.fetchPage.warnings.some((w) => w.includes('quota')), undefined, { polling: 50 });
      // (The Store's quota path also evicts a tenth, at least one, of the namespace's other entries first.)
      expect(await entries(p)).toEqual([]);
      await reload(p);
      expect((await p.evaluate((path) => window.fetchPage.measure(path), path)).how).toBe('network');
      expect(count(path)).toBe(2);
    } finally {
      await quotaContext.close();
    }
  });

  it("aborting one caller's signal rejects that caller only; the shared request goes on", async () => {
    const path = '/api/data.json?abort&delay=300';
    const { aborted, other } = await page.evaluate((path) => window.fetchPage.abortOne(path, 50), path);
    expect(aborted).toEqual({ error: 'AbortError' });
    expect(other).toMatchObject({ status: 200, how: 'network' });
    expect(count(path)).toBe(1);
    expect(cutOff.has(path)).toBe(false);
    expect((await get(page, path)).how).toBe('memory');
  });
  it('keys on every request header and the credentials mode: X-API-Key, HttpOnly cookies (issue 13, findings 1 and 2)', async () => {
    const path = '/api/data.json?keys13';
    expect(bodyOf(await get(page, path, { headers: { 'x-api-key': 'alice-key-1' } })).user).toBe('alice');
    expect(bodyOf(await get(page, path, { headers: { 'x-api-key': 'bob-key-2' } })).user).toBe('bob');
    expect(bodyOf(await get(page, path)).user).toBe('anonymous');
    expect(count(path)).toBe(3);
    const cookiePath = '/api/data.json?cookie13';
    const p = await h.open(await h.newContext(), PAGE);
    try {
      await p.evaluate(() => fetch('/api/login?user=carol'));
      expect(bodyOf(await get(p, cookiePath)).user).toBe('carol');
      const omitted = await get(p, cookiePath, { credentials: 'omit' });
      expect([omitted.how, bodyOf(omitted).user]).toEqual(['network', 'anonymous']);
      expect(count(cookiePath)).toBe(2);
    } finally {
      await p.context().close();
    }
  });

  it('never answers a whole-resource request with a Range answer (finding 3)', async () => {
    const part = await get(page, '/api/range', { headers: { range: 'bytes=0-4' } });
    expect([part.status, part.body]).toEqual([206, 'ABCDE']);
    const whole = await get(page, '/api/range');
    expect([whole.status, whole.how, whole.body]).toEqual([200, 'network', 'ABCDEFGHIJ']);
    expect(count('/api/range')).toBe(2);
  });

  it("cache: 'no-cache' sends a conditional request; the 304 refreshes the entry (finding 4)", async () => {
    const path = '/api/etag?e13';
    const first = await get(page, path);
    const revalidated = await get(page, path, { cache: 'no-cache' });
    expect([revalidated.status, revalidated.how, revalidated.body]).toEqual([200, 'revalidated', first.body]);
    expect([count(path), conditional.filter((id) => id === path).length]).toEqual([2, 1]);
    expect((await get(page, path)).how).toBe('memory'); // the 304 said max-age=3600
  });

  it('never stores a no-store answer, in memory or on disk (finding 5)', async () => {
    await get(page, '/api/nostore?n13');
    expect((await get(page, '/api/nostore?n13')).how).toBe('network');
    expect(count('/api/nostore?n13')).toBe(2);
  });

  it('a damaged record is a miss after a reload; the next answer overwrites it (finding 6)', async () => {
    const p = await h.open(await h.newContext(), PAGE);
    try {
      const path = '/api/data.json?damaged13';
      await get(p, path);
      await waitForStored(p, path);
      for (const value of [{ status: 200 }, { status: 200, headers: 'x', body: 1 }, 'forged']) {
        expect(await p.evaluate((value) => window.fetchPage.damage(value), value as unknown)).toBe(1);
        await reload(p);
        const answer = await get(p, path);
        expect([answer.status, answer.how]).toEqual([200, 'network']);
        await waitForStored(p, path);
      }
      await reload(p);
      expect((await get(p, path)).how).toBe('disk');
    } finally {
      await p.context().close();
    }
  });

  it('works in a worker with the same keys and rules: a worker and the page share entries, and no-store stays unstored', async () => {
    const inWorker = (path: string, init: RequestInit = {}) => page.evaluate(([path, init]) => window.fetchPage.inWorker(path, init), [path, init] as const);
    const path = '/api/data.json?worker13';
    const headers = { 'x-api-key': 'erin-key-5' };
    const fromWorker = await inWorker(path, { headers });
    expect([fromWorker.how, JSON.parse(fromWorker.body).user]).toEqual(['network', 'erin']);
    await waitForStored(page, path);
    const inPage = await get(page, path, { headers });
    expect([['disk', 'memory'].includes(inPage.how ?? ''), bodyOf(inPage).user]).toEqual([true, 'erin']);
    expect((await inWorker(path)).how).toBe('network'); // without the key: another entry
    await inWorker('/api/nostore?worker13');
    expect((await inWorker('/api/nostore?worker13')).how).toBe('network');
    expect(count(path)).toBe(2);
  });

  it('a dump of every IndexedDB store after the run holds no credential in clear and no no-store body (finding 7)', async () => {
    await get(page, '/api/data.json?basic13', { headers: { authorization: `Basic ${Buffer.from('alice:correct-horse').toString('base64')}` } });
    await waitForStored(page, '/api/data.json?basic13');
    const everything = await page.evaluate(() => window.fetchPage.dump());
    expect(everything).toContain('/meta'); // the store of the secret (and the epoch): dumped too
    for (const secret of ['secret42', 'alice-key-1', 'bob-key-2', 'erin-key-5', Buffer.from('alice:correct-horse').toString('base64'), 'correct-horse', 'NOSTORE-BODY-MARKER']) {
      expect(everything).not.toContain(secret);
    }
  });
});
