// A cachedFetch request made after a wipe (clearCaches() on logout, an instance's clear(),
// clearFetchCache()) joined a request still on the network from before it (sent with the previous
// user's cookies) and got its answer: flights outlived wipes, and memory-only keys are the same
// after one. Nothing started before a wipe is shared with or stored for a request made after it;
// the request in flight still answers its own caller.
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary, uniquePath, waitFor } from '../helpers';
vi.setConfig({ testTimeout: 30_000 });
afterEach(() => vi.unstubAllGlobals());

type Library = Awaited<ReturnType<typeof freshLibrary>>;
const URL = 'https://example.test/api/me';
const wipes: [string, (lib: Library, clear: () => Promise<void>) => Promise<void>][] = [
  ['clearCaches()', (lib) => lib.clearCaches()],
  ["the instance's clear()", (_lib, clear) => clear()],
  ['clearFetchCache()', (lib) => lib.clearFetchCache()],
];

/** A server that answers per cookie (read when the request is sent) after `delayMs`, and counts. */
function stubServer(delayMs: number) {
  const server = { user: 'alice', requests: 0 };
  vi.stubGlobal('fetch', async () => {
    server.requests++;
    const body = `{"user":"${server.user}"}`;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  });
  return server;
}

for (const toDisk of [false, true]) {
  for (const [label, wipe] of wipes) {
    it(`a request made after ${label} never joins one in flight before it, toDisk: ${toDisk}`, async () => {
      const server = stubServer(100);
      const lib = await freshLibrary();
      const get = lib.createCachedFetch({ cachePath: uniquePath('h13'), toDisk, ttl: 3600 });
      const alice = get(URL);
      await waitFor(() => server.requests === 1); // alice's request is on the network
      await wipe(lib, get.clear); // alice logs out
      server.user = 'bob';
      const bob = await get(URL);
      expect([await bob.text(), lib.cacheStatus(bob)]).toEqual(['{"user":"bob"}', 'network']);
      expect(await (await alice).text()).toBe('{"user":"alice"}'); // answers its own caller
      const again = await get(URL);
      expect([await again.text(), lib.cacheStatus(again)]).toEqual(['{"user":"bob"}', 'memory']);
      expect(server.requests).toBe(2);
    });

    it(`a request made before ${label} shares nothing with one made after it, toDisk: ${toDisk}`, async () => {
      const server = stubServer(20);
      const lib = await freshLibrary();
      const cachePath = uniquePath('h13');
      const get = lib.createCachedFetch({ cachePath, toDisk, ttl: 3600 });
      const before = get(URL); // still computing its key when the wipe comes
      const wiped = wipe(lib, get.clear);
      server.user = 'bob';
      const after = await get(URL);
      await Promise.all([before, wiped]);
      expect([await after.text(), lib.cacheStatus(after)]).toEqual(['{"user":"bob"}', 'network']);
      // The answer to the request made after the wipe is kept (with toDisk it was keyed with the
      // secret of the database being deleted, and never found again).
      await lib.flushCaches();
      const again = await get(URL);
      expect([await again.text(), lib.cacheStatus(again)]).toEqual(['{"user":"bob"}', 'memory']);
      expect(server.requests).toBe(2);
      if (toDisk) {
        const fresh = await freshLibrary();
        const reloaded = await fresh.createCachedFetch({ cachePath, toDisk, ttl: 3600 })(URL);
        expect([await reloaded.text(), fresh.cacheStatus(reloaded)]).toEqual(['{"user":"bob"}', 'disk']);
      }
    });
  }
}

it("clearCaches() renews the page's secret: memory-only keys made after it cannot be linked to those made before", async () => {
  stubServer(0);
  const lib = await freshLibrary();
  const get = lib.createCachedFetch({ toDisk: false });
  const keys = async () => (await lib.inspectCaches()).caches.filter((c) => c.name === 'cachedFetch').flatMap((c) => c.entries.map((e) => e.label));
  await get(URL);
  const before = await keys();
  await lib.clearCaches();
  await get(URL);
  const after = await keys();
  expect([before.length, after.length]).toEqual([1, 1]);
  expect(after[0]).not.toBe(before[0]);
});
