import 'fake-indexeddb/auto';
// The inspector (issue 16): what inspect() and inspectCaches() report of memory and disk tiers.
import { describe, expect, it } from 'vitest';
import { cache, flushCaches, inspect, inspectCaches, type InspectedCache, type Policy } from '../../src/index.ts';

let counter = 0;
const uniquePath = (label: string) => `test-inspect-${label}-${Date.now()}-${counter++}`;

const labels = (view: InspectedCache) => view.entries.map((entry) => entry.label);
const victim = (view: InspectedCache) => view.entries.filter((entry) => entry.evictsNext).map((entry) => entry.label);

/** A 3-item cache of `policy` after the calls a, b, c, a, a, b. */
async function afterCalls(policy: Policy) {
  const shout = cache(async (word: string) => word.toUpperCase(), { maxItems: 3, policy });
  for (const word of ['a', 'b', 'c', 'a', 'a', 'b']) await shout(word);
  return shout;
}

describe('inspect(memoized)', () => {
  it('lists a bounded cache in eviction order, with the next victim marked, for each policy', async () => {
    const lru = await inspect(await afterCalls('LRU'));
    expect(labels(lru)).toEqual(["'c'", "'a'", "'b'"]);
    expect(victim(lru)).toEqual(["'c'"]);
    const lfu = await inspect(await afterCalls('LFU'));
    expect(labels(lfu)).toEqual(["'c'", "'b'", "'a'"]);
    expect(lfu.entries.map((entry) => entry.hits)).toEqual([0, 1, 2]);
    const fifo = await inspect(await afterCalls('FIFO'));
    expect(labels(fifo)).toEqual(["'a'", "'b'", "'c'"]);
    expect(victim(fifo)).toEqual(["'a'"]);
  });

  it('shows the order changing and the victim going when the cache is full', async () => {
    const shout = await afterCalls('LRU');
    await shout('d');
    const view = await inspect(shout);
    expect(labels(view)).toEqual(["'a'", "'b'", "'d'"]);
    expect(view.stats).toMatchObject({ evictions: 1, size: 3 });
  });

  it('reports age, time to expiry, hits, size and options', async () => {
    const text = 'x'.repeat(1000);
    const fn = cache((n: number, flag: boolean) => (flag ? text : ''), { ttl: 60, name: 'sized' });
    await fn(5, true);
    await fn(5, true);
    const view = await inspect(fn);
    expect(view).toMatchObject({ name: 'sized', policy: 'LRU', maxItems: Infinity, ttlSeconds: 60, toDisk: false, database: undefined, inProgress: 0 });
    const [entry] = view.entries;
    expect(entry).toMatchObject({ label: '5, true', where: 'memory', hits: 1, evictsNext: false, diskKey: undefined });
    expect(entry!.ageMs).toBeGreaterThanOrEqual(0);
    expect(entry!.expiresInMs).toBeGreaterThan(0);
    expect(entry!.expiresInMs).toBeLessThanOrEqual(60_000);
    expect(entry!.approxBytes).toBeGreaterThanOrEqual(2000);
    expect(entry!.approxBytes).toBeLessThan(2100);
  });

  it('labels arguments shortly: objects, arrays, dates, long strings', async () => {
    const fn = cache((..._args: unknown[]) => 1);
    await fn({ b: [1, 'two'], a: null }, new Date(0));
    await fn(`https://example.org/${'path/'.repeat(20)}data.csv`);
    const view = await inspect(fn);
    expect(labels(view)).toEqual(["{ a: null, b: [1, 'two'] }, 1970-01-01T00:00:00.000Z", expect.stringMatching(/^'https:\/\/example\.org.*….*data\.csv'$/)]);
    for (const label of labels(view)) expect(label.length).toBeLessThanOrEqual(60);
  });

  it('inspects a method decorated with @cache through any instance', async () => {
    class Explorer {
      dataset = 'penguins';
      @cache
      async rows(limit: number): Promise<number> {
        return limit;
      }
    }
    const explorer = new Explorer();
    await explorer.rows(3);
    const view = await inspect(explorer.rows);
    expect(labels(view)).toEqual([expect.stringMatching(/^this: #\d+ \{ dataset: 'penguins' \}; 3$/)]);
  });

  it('rejects anything but a memoized function with a TypeError naming it', () => {
    expect(() => inspect((() => 1) as never)).toThrow(expect.objectContaining({ code: 'NOT_MEMOIZED', message: expect.stringMatching(/inspect\(\) takes a function made by cache\(\)/) }));
    expect(() => inspect(42 as never)).toThrow(TypeError);
  });

  it('shows disk entries of a toDisk function, flushed first', async () => {
    const cachePath = uniquePath('disk');
    const fn = cache(async (word: string) => word.length, { toDisk: true, cachePath, maxItems: 2, policy: 'FIFO', name: 'lengths' });
    await fn('alpha');
    await fn('beta');
    await fn('gamma');
    const view = await inspect(fn);
    expect(view).toMatchObject({ name: 'lengths', toDisk: true, database: cachePath, maxItems: 2 });
    expect(view.namespace).toBe('lengths\0');
    expect(view.entries.map((entry) => [entry.label, entry.where, entry.evictsNext])).toEqual([
      ["'beta'", 'both', true],
      ["'gamma'", 'both', false],
    ]);
    for (const entry of view.entries) expect(entry.diskKey).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('inspectCaches()', () => {
  it('lists every live memoized function of the page, and the storage estimate where there is one', async () => {
    const cachePath = uniquePath('page');
    const a = cache((n: number) => n, { name: 'page-a' });
    const b = cache((n: number) => n * 2, { name: 'page-b', toDisk: true, cachePath });
    await a(1);
    await b(2);
    await flushCaches();
    const page = await inspectCaches();
    const names = page.caches.map((view) => view.name);
    expect(names).toContain('page-a');
    expect(names).toContain('page-b');
    expect(page.caches.find((view) => view.name === 'page-b')!.entries.map((entry) => entry.label)).toEqual(['2']);
    if (typeof navigator.storage?.estimate === 'function') expect(page.storage?.usage).toEqual(expect.any(Number));
    else expect(page.storage).toBeUndefined();
  });
});

describe('inspect() has no effect on what it looks at', () => {
  it('leaves the eviction order and the counters as they were', async () => {
    const shout = await afterCalls('LRU');
    const stats = shout.stats();
    await inspect(shout);
    await inspect(shout);
    expect(shout.stats()).toEqual(stats);
    await shout('d');
    expect(labels(await inspect(shout))).toEqual(["'a'", "'b'", "'d'"]);
  });

  it('shows an entry past its ttl as expired until the sweep removes it', async () => {
    let now = 1_000_000;
    const realNow = Date.now;
    Date.now = () => now;
    try {
      const fn = cache((n: number) => n, { ttl: 1 });
      await fn(1);
      now += 1500;
      const [entry] = (await inspect(fn)).entries;
      expect(entry!.expiresInMs).toBeLessThanOrEqual(0);
      expect(entry!.ageMs).toBeGreaterThan(1498); // stamps may run up to 1 ms ahead of the clock
    } finally {
      Date.now = realNow;
    }
  });

  it('inspects a per-session function, and cachedFetch stores in inspectCaches()', async () => {
    const cachePath = uniquePath('session');
    const mine = cache(async (n: number) => n, { toDisk: true, perSession: true, cachePath, name: 'mine' });
    await mine(3);
    expect((await inspect(mine)).entries.map((entry) => entry.label)).toEqual(['3']);
    const { createCachedFetch } = await import('../../src/index.ts');
    const api = createCachedFetch({ toDisk: false, maxItems: 5 });
    const realFetch = globalThis.fetch;
    globalThis.fetch = async () => new Response('ok');
    try {
      await api('https://example.test/items');
    } finally {
      globalThis.fetch = realFetch;
    }
    const stores = (await inspectCaches()).caches.filter((view) => view.name === 'cachedFetch');
    expect(stores.some((view) => view.entries.length === 1 && view.stats === undefined)).toBe(true);
  });
});
