// Regression tests of issue 11: the disk tier keeps its word. Each finding of the issue, with
// toDisk under happy-dom + fake-indexeddb and in Chromium; "a fresh page" is a new instance of the
// library on the same IndexedDB, after the old page's writes were flushed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as library from '../../src/index.ts';
import { heard } from './channel.ts';

const { cache, clearCaches, flushCaches } = library;

let count = 0;
const uniquePath = (label: string) => `contract-${label}-${Date.now()}-${count++}`;

async function freshPage(): Promise<typeof library> {
  await flushCaches();
  vi.resetModules();
  return import('../../src/index.ts');
}

/** A function counting its computations per argument; each result says which computation it was. */
function counted() {
  const runs = new Map<unknown, number>();
  const fn = (n: number) => {
    const run = (runs.get(n) ?? 0) + 1;
    runs.set(n, run);
    return `${n}#${run}`;
  };
  return { fn, runs };
}

afterEach(async () => {
  await clearCaches();
});

describe('clear() and delete() stick (finding 1)', () => {
  it.each([1, 2, 3, 4, 5])('a clear() right after a call is not undone by its queued write (try %i)', async () => {
    const { fn, runs } = counted();
    const f = cache(fn, { toDisk: true, cachePath: uniquePath('clear'), name: 'clear' });
    expect(await f(1)).toBe('1#1');
    await f.clear();
    expect(await f(1)).toBe('1#2');
    expect(runs.get(1)).toBe(2);
    expect(f.stats().diskHits).toBe(0);
  });

  it('a delete() right after a call is not undone, in this page or a fresh one', async () => {
    const { fn, runs } = counted();
    const options = { toDisk: true, cachePath: uniquePath('delete'), name: 'delete' };
    const f = cache(fn, options);
    await f(1);
    await f(2);
    expect(await f.delete(1)).toBe(true);
    expect(await f(1)).toBe('1#2');
    await f.delete(2);
    const fresh = await freshPage();
    const g = fresh.cache(fn, options);
    expect(await g(2)).toBe('2#2');
    expect(await g(1)).toBe('1#2');
    expect(g.stats()).toMatchObject({ diskHits: 1, misses: 1 });
    expect(runs.get(1)).toBe(2);
  });

  it('clearCaches() right after a call leaves nothing that answers, now or in a fresh page', async () => {
    const { fn, runs } = counted();
    const options = { toDisk: true, cachePath: uniquePath('wipe'), name: 'wipe' };
    const f = cache(fn, options);
    await f(1);
    await clearCaches(); // resolves once the database is emptied
    const g = (await freshPage()).cache(fn, options);
    expect(await g(1)).toBe('1#2');
    expect(g.stats().diskHits).toBe(0);
    expect(runs.get(1)).toBe(2);
  });

  // Logout, then the next user: the memory tiers were emptied at once, but the database was deleted
  // only after clearCaches() waited for batches being written, and a read meanwhile found alice's record.
  it.each([undefined, 3])('a call made while clearCaches() runs never reads what it deletes (maxItems %s)', async (maxItems) => {
    let user = 'alice';
    const options = { toDisk: true, cachePath: uniquePath('logout'), name: 'profile', maxItems };
    const profile = cache(async () => `profile of ${user}`, options);
    expect(await profile()).toBe('profile of alice');
    await flushCaches();
    const logout = clearCaches();
    user = 'bob';
    expect(await profile()).toBe('profile of bob');
    await logout;
    expect(await profile()).toBe('profile of bob');
    expect(await (await freshPage()).cache(async () => 'recomputed', options)()).toBe('profile of bob');
  });

  // The page heard its own clearCaches() as another tab's (two channel objects of one page), and
  // then emptied memory and dropped the queued writes of calls made after it.
  it('calls made right after clearCaches() are kept, in memory and for a fresh page', async () => {
    const { fn, runs } = counted();
    const options = { toDisk: true, cachePath: uniquePath('after-wipe'), name: 'after-wipe' };
    const f = cache(fn, options);
    const inMemory = cache(fn);
    await f(0);
    const posted = heard('logout');
    await clearCaches();
    expect(await f(1)).toBe('1#1');
    expect(await inMemory(2)).toBe('2#1');
    await posted; // what the logout told other tabs has been delivered (this page must not hear it)
    expect(await f(1)).toBe('1#1');
    expect(await inMemory(2)).toBe('2#1');
    expect(await (await freshPage()).cache(fn, options)(1)).toBe('1#1');
    expect([runs.get(1), runs.get(2)]).toEqual([1, 1]);
  });
});

describe('config.cachePath changed between calls', () => {
  // delete() reached only the database of now, so switching back answered the deleted result.
  it('clear() and delete() reach every database the function used, as a memory-only cache would', async () => {
    const { fn, runs } = counted();
    const f = cache(fn, { toDisk: true, name: 'switching' });
    const before = library.config.cachePath;
    const [one, two] = [uniquePath('switch-one'), uniquePath('switch-two')];
    try {
      library.config.cachePath = one;
      expect([await f(1), await f(2)]).toEqual(['1#1', '2#1']);
      library.config.cachePath = two;
      expect(await f.delete(1)).toBe(true);
      library.config.cachePath = one;
      expect(await f(1)).toBe('1#2');
      library.config.cachePath = two;
      await f.clear();
      library.config.cachePath = one;
      expect(await f(2)).toBe('2#2');
      expect([runs.get(1), runs.get(2)]).toEqual([2, 2]);
    } finally {
      library.config.cachePath = before;
    }
  });
});

describe('delete() while computing (finding 2)', () => {
  it('keeps the result from memory and from the disk', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    const options = { toDisk: true, cachePath: uniquePath('delete-busy'), name: 'delete-busy' };
    let started!: () => void;
    const computing = new Promise<void>((resolve) => (started = resolve));
    const slow = async (n: number) => {
      runs++;
      started();
      await gate;
      return `${n}#${runs}`;
    };
    const f = cache(slow, options);
    const pending = f(1);
    await computing;
    const deleted = f.delete(1);
    release();
    expect(await pending).toBe('1#1'); // The caller still gets its answer.
    await deleted;
    expect(await f(1)).toBe('1#2');
    const g = (await freshPage()).cache(slow, options);
    expect(await g(1)).toBe('1#2');
    expect(g.stats().diskHits).toBe(1);
  });
});

describe('hits count for eviction on both tiers at once (findings 3 and 4)', () => {
  it('LRU, maxItems 3: 0, 1, 2, 0, 3 evicts 1 from memory and disk; a fresh page agrees', async () => {
    const { fn, runs } = counted();
    const options = { toDisk: true, cachePath: uniquePath('lru'), name: 'lru', maxItems: 3, policy: 'LRU' } as const;
    const f = cache(fn, options);
    for (const n of [0, 1, 2, 0, 3]) await f(n);
    const g = (await freshPage()).cache(fn, options);
    expect(await g(0)).toBe('0#1');
    expect(await g(1)).toBe('1#2');
    expect(runs.get(0)).toBe(1);
  });

  it('LFU, maxItems 2: 0, 0, 1, 2 keeps 0 on both tiers', async () => {
    const { fn, runs } = counted();
    const options = { toDisk: true, cachePath: uniquePath('lfu'), name: 'lfu', maxItems: 2, policy: 'LFU' } as const;
    const f = cache(fn, options);
    for (const n of [0, 0, 1, 2]) await f(n);
    expect(await f(0)).toBe('0#1');
    const g = (await freshPage()).cache(fn, options);
    expect(await g(0)).toBe('0#1');
    expect(await g(2)).toBe('2#1');
    expect(runs.get(0)).toBe(1);
    expect(g.stats()).toMatchObject({ diskHits: 2, misses: 0 });
  });

  it('FIFO, maxItems 2: 0, 1, 0, 2 evicts 0, and the next call of 0 computes instead of reading the disk', async () => {
    const { fn, runs } = counted();
    const f = cache(fn, { toDisk: true, cachePath: uniquePath('fifo'), name: 'fifo', maxItems: 2, policy: 'FIFO' });
    for (const n of [0, 1, 0, 2]) await f(n);
    expect(await f(0)).toBe('0#2');
    expect(runs.get(0)).toBe(2);
    expect(f.stats().diskHits).toBe(0);
  });

  it('an entry hit in a fresh page before any write is ordered by that hit (LRU)', async () => {
    const { fn, runs } = counted();
    const options = { toDisk: true, cachePath: uniquePath('cold-lru'), name: 'cold-lru', maxItems: 2, policy: 'LRU' } as const;
    const f = cache(fn, options);
    await f(0);
    await f(1);
    const g = (await freshPage()).cache(fn, options);
    // 0 is hit (made most recent) at the same moment 2 is computed: 1 must go, on both tiers.
    expect(await Promise.all([g(0), g(2)])).toEqual(['0#1', '2#1']);
    expect(await g(1)).toBe('1#2');
    const h = (await freshPage()).cache(fn, options);
    expect(await h(1)).toBe('1#2');
    expect(runs).toEqual(new Map([[0, 1], [1, 2], [2, 1]]));
  });
});

describe('two wrappers of one name (finding 5)', () => {
  it('the second reads what the first computed a moment before, with its types intact', async () => {
    const options = { toDisk: true, cachePath: uniquePath('twins'), name: 'twins' };
    let runs = 0;
    const make = (n: number) => {
      runs++;
      return { at: new Date(n), map: new Map([[n, 'x']]), set: new Set([n]) };
    };
    const first = cache(make, options);
    const second = cache((n: number) => make(n), options);
    const value = await first(5);
    const again = await second(5);
    expect(again).toEqual(value);
    expect(again.at).toBeInstanceOf(Date);
    expect(again.map).toBeInstanceOf(Map);
    expect(again.set).toBeInstanceOf(Set);
    expect(runs).toBe(1);
    expect(second.stats()).toMatchObject({ hits: 1, diskHits: 1, misses: 0 });
    await second.clear();
    expect(await first(5)).toEqual(value);
    expect(runs).toBe(2);
  });
});
