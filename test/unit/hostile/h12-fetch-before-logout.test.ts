// cachedFetch('/api/me') made just before clearCaches() (logout): every cachedFetch call first hashes
// its key asynchronously, so its network request starts after the wipe and its answer (fetched with
// the old user's cookies) is stored in the recreated database, for the next user.
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary } from '../helpers';
vi.setConfig({ testTimeout: 30_000 });
afterEach(() => vi.unstubAllGlobals());

for (const toDisk of [true, false]) {
  it(`cachedFetch right before clearCaches(), toDisk: ${toDisk}`, async () => {
    let user = 'alice';
    vi.stubGlobal('fetch', async () => {
      const body = `{"user":"${user}"}`; // the server answers per cookie
      await new Promise((r) => setTimeout(r, 20));
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    });
    const page1 = await freshLibrary();
    const cachePath = `h12-${toDisk}-${Date.now()}`;
    const options = { cachePath, toDisk, ttl: 3600 };
    const me = page1.cachedFetch('https://example.test/api/me', undefined, options); // alice's page asks
    await page1.clearCaches(); // alice logs out
    user = 'bob';
    await (await me).text();
    await page1.flushCaches();
    const again = await page1.cachedFetch('https://example.test/api/me', undefined, options); // bob, same page
    expect(page1.cacheStatus(again)).toBe('network');
    expect(await again.text()).toBe('{"user":"bob"}');
  });
}
