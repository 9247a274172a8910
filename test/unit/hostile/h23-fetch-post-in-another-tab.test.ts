// Found by a hostile review of the rebuilt core: tab B's GET was in flight when tab A POSTed to its
// URL; the disk refused B's answer, but B kept it in memory and answered it after the POST.
import { afterEach, expect, it, vi } from 'vitest';
import { heard } from '../../shared/channel';
import { freshLibrary, uniquePath } from '../helpers';

afterEach(() => vi.unstubAllGlobals());

it("a POST in tab A while tab B's GET is in flight: B's later GETs go to the network", async () => {
  const cachePath = uniquePath('h23');
  let version = 1;
  let gate: Promise<void> | undefined;
  let asked!: () => void;
  const requested = new Promise<void>((resolve) => (asked = resolve));
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    if ((init?.method ?? 'GET') === 'POST') {
      version++;
      return new Response('ok');
    }
    const body = `item v${version}`; // as the server answers
    asked();
    if (gate) await gate;
    return new Response(body, { headers: { 'cache-control': 'max-age=600' } });
  });
  const [tabA, tabB] = [await freshLibrary(), await freshLibrary()];
  const url = 'https://api.test/item';
  const get = (lib: typeof tabA) => lib.cachedFetch(url, {}, { cachePath }).then(async (r) => [await r.text(), lib.cacheStatus(r)]);
  let release!: () => void;
  gate = new Promise((resolve) => (release = resolve));
  const pending = get(tabB); // the server has answered v1, slowly
  await requested;
  gate = undefined;
  const invalidated = heard('delete');
  await tabA.cachedFetch(url, { method: 'POST', body: 'x' }, { cachePath });
  await invalidated;
  release();
  expect((await pending)[0]).toBe('item v1'); // begun before the POST: its caller gets it
  await tabB.flushCaches();
  expect(await get(tabB)).toEqual(['item v2', 'network']);
});

it('a POST, then 256 POSTs to other URLs, while a GET is in flight: the GET answer does not answer later GETs', async () => {
  const cachePath = uniquePath('h23-256');
  let version = 1;
  let gate: Promise<void> | undefined;
  let asked!: () => void;
  const requested = new Promise<void>((resolve) => (asked = resolve));
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    if ((init?.method ?? 'GET') === 'POST') {
      if (String(input).endsWith('/item')) version++;
      return new Response('ok');
    }
    const body = `item v${version}`;
    asked();
    if (gate) await gate;
    return new Response(body, { headers: { 'cache-control': 'max-age=600' } });
  });
  const lib = await freshLibrary();
  const url = 'https://api.test/item';
  const get = () => lib.cachedFetch(url, {}, { cachePath }).then(async (r) => [await r.text(), lib.cacheStatus(r)]);
  let release!: () => void;
  gate = new Promise((resolve) => (release = resolve));
  const pending = get();
  await requested;
  gate = undefined;
  await lib.cachedFetch(url, { method: 'POST', body: 'x' }, { cachePath });
  for (let i = 0; i < 256; i++) await lib.cachedFetch(`https://api.test/other/${i}`, { method: 'POST', body: 'x' }, { cachePath });
  release();
  await pending;
  await lib.flushCaches();
  expect(await get()).toEqual(['item v2', 'network']);
}, 30_000);
