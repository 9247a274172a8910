// Found by a hostile review (second pass): an unsafe request invalidates its URL only in the shelves (option sets) this page made.
// A GET stored by a createCachedFetch({ maxItems: 50 }) of another tab (or an earlier visit) survives
// a POST made with cachedFetch's default options.
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary, uniquePath } from '../helpers';

afterEach(() => vi.unstubAllGlobals());

it('a POST by the default instance invalidates the URL stored by an instance with other maxItems (earlier visit)', async () => {
  const cachePath = uniquePath('zzpost');
  let version = 1;
  vi.stubGlobal('fetch', async (_input: RequestInfo | URL, init?: RequestInit) => {
    if ((init?.method ?? 'GET') === 'POST') {
      version++;
      return new Response('ok');
    }
    return new Response(`item v${version}`, { headers: { 'cache-control': 'max-age=600' } });
  });
  const url = 'https://api.test/item';
  // Visit 1: a list view that uses its own bounded instance.
  const visit1 = await freshLibrary();
  const list1 = visit1.createCachedFetch({ cachePath, maxItems: 50 });
  expect(await (await list1(url)).text()).toBe('item v1');
  await visit1.flushCaches();
  // Visit 2: the edit form posts with the default options.
  const visit2 = await freshLibrary();
  await visit2.cachedFetch(url, { method: 'POST', body: 'x' }, { cachePath });
  await visit2.flushCaches();
  // Visit 3: the list view again.
  const visit3 = await freshLibrary();
  const list3 = visit3.createCachedFetch({ cachePath, maxItems: 50 });
  const r = await list3(url);
  expect([await r.text(), visit3.cacheStatus(r)]).toEqual(['item v2', 'network']);
});

it('same page, other tab: tab A holds the URL with maxItems 50, tab B POSTs with defaults', async () => {
  const cachePath = uniquePath('zzpost2');
  let version = 1;
  vi.stubGlobal('fetch', async (_input: RequestInfo | URL, init?: RequestInit) => {
    if ((init?.method ?? 'GET') === 'POST') {
      version++;
      return new Response('ok');
    }
    return new Response(`item v${version}`, { headers: { 'cache-control': 'max-age=600' } });
  });
  const url = 'https://api.test/item';
  const [tabA, tabB] = [await freshLibrary(), await freshLibrary()];
  const listA = tabA.createCachedFetch({ cachePath, maxItems: 50 });
  expect(await (await listA(url)).text()).toBe('item v1');
  await tabA.flushCaches();
  await tabB.cachedFetch(url, { method: 'POST', body: 'x' }, { cachePath });
  await tabB.flushCaches();
  await new Promise((r) => setTimeout(r, 100));
  const r = await listA(url);
  expect([await r.text(), tabA.cacheStatus(r)]).toEqual(['item v2', 'network']);
});
