// Two tabs of one origin: two instances of the library in one process, on one IndexedDB and one
// BroadcastChannel. What issue 11 guarantees across tabs: eventual sharing, and a clear(), delete()
// or clearCaches() in one tab is never undone by work another tab started before it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { heard } from '../shared/channel';
import { freshLibrary, storedEntries, uniquePath, waitFor } from './helpers';

/** A function whose computations of 1 wait until released, counting them. */
function gated() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const state = { runs: 0 };
  const fn = async (n: number) => {
    state.runs++;
    if (n === 1) await gate;
    return `${n}#${state.runs}`;
  };
  return { fn, release, state };
}

afterEach(async () => {
  await (await freshLibrary()).clearCaches();
});

describe('across tabs', () => {
  it.each(['clear', 'delete'] as const)('%s() in tab A is not undone by a result tab B started computing before it', async (removal) => {
    const cachePath = uniquePath(`tabs-${removal}`);
    const options = { toDisk: true, cachePath, name: 'tabs' };
    const tabA = await freshLibrary();
    const tabB = await freshLibrary();
    const { fn, release, state } = gated();
    const a = tabA.cache(fn, options);
    const b = tabB.cache(fn, options);
    await a(2); // Something for clear() to remove, and a database to share.
    await tabA.flushCaches();
    const pending = b(1);
    await waitFor(() => state.runs === 2);
    if (removal === 'clear') await a.clear();
    else await a.delete(1);
    await tabA.flushCaches();
    release();
    expect(await pending).toBe('1#2');
    await tabB.flushCaches();
    const records = await storedEntries(cachePath);
    expect(records.filter((record) => record.value === '1#2')).toEqual([]);
    const tabC = await freshLibrary();
    const c = tabC.cache(fn, options);
    expect(await c(1)).toBe('1#3');
  });

  it('a result stored in one tab is read by another (eventually, once written)', async () => {
    const cachePath = uniquePath('tabs-share');
    const options = { toDisk: true, cachePath, name: 'share', maxItems: 5 };
    const tabA = await freshLibrary();
    const tabB = await freshLibrary();
    let runs = 0;
    const fn = (n: number) => `${n}#${++runs}`;
    expect(await tabA.cache(fn, options)(1)).toBe('1#1');
    await tabA.flushCaches();
    const b = tabB.cache(fn, options);
    expect(await b(1)).toBe('1#1');
    expect(b.stats().diskHits).toBe(1);
  });

  // A tab with memory-only caches only (no toDisk cache) never heard another tab's logout.
  it("clearCaches() in tab A empties tab B's memory-only caches and memory-only cachedFetch", async () => {
    const tabA = await freshLibrary();
    const tabB = await freshLibrary();
    let user = 'alice';
    vi.stubGlobal('fetch', async () => new Response(`data of ${user}`));
    const me = tabB.cache(() => `me = ${user}`);
    const data = tabB.createCachedFetch({ toDisk: false });
    expect([await me(), await (await data('https://example.test/data')).text()]).toEqual(['me = alice', 'data of alice']);
    await tabA.clearCaches();
    user = 'bob';
    await waitFor(async () => (await me()) === 'me = bob');
    expect(await (await data('https://example.test/data')).text()).toBe('data of bob');
    vi.unstubAllGlobals();
  });

  // A tab whose disk tier had no store yet heard the wipe but had nothing to hold: it read the
  // previous user's record from the database about to be deleted.
  it("a tab that has not read the disk yet reads nothing of it while another tab's clearCaches() deletes it", async () => {
    const cachePath = uniquePath('tabs-logout');
    const options = { toDisk: true, cachePath, name: 'me' };
    let user = 'alice';
    const tabA = await freshLibrary();
    expect(await tabA.cache(async () => `me = ${user}`, options)()).toBe('me = alice');
    const big = tabA.cache(async (n: number) => new Uint8Array(8_000_000).fill(n), { toDisk: true, cachePath: uniquePath('tabs-big'), name: 'big' });
    await big(1);
    await tabA.flushCaches();
    const tabB = await freshLibrary();
    const me = tabB.cache(async () => `me = ${user}`, options);
    await tabB.flushCaches(); // its disk tier is loaded; it has read nothing
    await big(2); // its write in flight when the logout comes: the logout does not wait for it
    const told = heard('logout');
    const logout = tabA.clearCaches();
    user = 'bob';
    await told; // B reads as it hears the logout: after the emptying transaction
    expect(await me()).toBe('me = bob');
    await logout;
  });
});
