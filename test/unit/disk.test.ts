import { deleteDB, openDB } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cache, clearCaches, config, flushCaches, type CacheOptions } from '../../src/index';
import { RECORD_FORMAT } from '../../src/disk/schema';
import { freshLibrary, storedEntries, uniquePath, waitFor, waitForEntries } from './helpers';

afterEach(() => {
  vi.restoreAllMocks();
});

/** One function memoized in this page and in a fresh page (a new instance of the library, as after a reload). */
async function twoPages<A extends unknown[], R>(body: (...args: A) => R, options: CacheOptions) {
  const calls: A[] = [];
  const fn = (...args: A) => {
    calls.push(args);
    return body(...args);
  };
  const fresh = await freshLibrary();
  return { first: cache(fn, options), second: fresh.cache(fn, options), calls };
}

describe('toDisk', () => {
  it('reads a result back with an empty memory tier, as after a reload', async () => {
    const cachePath = uniquePath('reload');
    const { first, second, calls } = await twoPages((n: number) => ({ n, at: new Date(n) }), { toDisk: true, name: 'f', cachePath });
    const value = await first(7);
    await waitForEntries(cachePath, 1);
    const again = await second(7);
    expect(again).toEqual(value);
    expect(again.at).toBeInstanceOf(Date);
    expect(calls).toHaveLength(1);
    expect(second.stats()).toMatchObject({ diskHits: 1, misses: 0, size: 1 });
    // The disk hit was promoted: the next call is a memory hit returning the same object.
    expect(await second(7)).toBe(again);
    expect(second.stats().memoryHits).toBe(1);
  });

  it('round-trips Date, Map, Set, typed arrays, ArrayBuffer, Blob, BigInt and nested objects', async () => {
    const cachePath = uniquePath('types');
    const make = () => ({
      date: new Date(1),
      map: new Map([['a', { deep: [1, 2n] }]]),
      set: new Set([1, 'x']),
      floats: new Float32Array([1.5]),
      buffer: new Uint8Array([1, 2, 3]).buffer,
      big: 10n ** 20n,
      nested: { list: [{ k: null }] },
    });
    const { first, second } = await twoPages(make, { toDisk: true, name: 'f', cachePath });
    await first();
    await waitForEntries(cachePath, 1);
    const read = await second();
    expect(second.stats().diskHits).toBe(1);
    expect(read).toEqual(make());
    expect(read.map).toBeInstanceOf(Map);
    expect(read.floats).toBeInstanceOf(Float32Array);
  });

  it('returns without waiting for the disk write', async () => {
    const cachePath = uniquePath('nowait');
    const f = cache((n: number) => n + 1, { toDisk: true, name: 'f', cachePath });
    const put = vi.spyOn(IDBObjectStore.prototype, 'put');
    expect(await f(1)).toBe(2);
    expect(put.mock.calls.filter(([record]) => (record as { value?: unknown }).value === 2)).toHaveLength(0);
    await waitForEntries(cachePath, 1);
  });

  it('uses config.cachePath at the time of the call', async () => {
    const before = config.cachePath;
    const cachePath = uniquePath('config');
    config.cachePath = cachePath;
    try {
      const f = cache((n: number) => n, { toDisk: true, name: 'config-path' });
      await f(1);
      await waitForEntries(cachePath, 1);
    } finally {
      config.cachePath = before;
    }
  });

  it('keeps the entries of an edited function apart, and of each version', async () => {
    const cachePath = uniquePath('namespace');
    // @ts-expect-error the default name (source text) of a toDisk function without `name`
    const v1 = cache(function load(n: number) { return n; }, { toDisk: true, cachePath });
    // @ts-expect-error the default name (source text) of a toDisk function without `name`
    const v2 = cache(function load(n: number) { return n * 10; }, { toDisk: true, cachePath });
    expect(await v1(2)).toBe(2);
    await waitForEntries(cachePath, 1);
    expect(await v2(2)).toBe(20);
    await waitForEntries(cachePath, 2);
    const fn = (n: number) => n;
    await cache(fn, { toDisk: true, name: 'fn', cachePath, version: 1 })(1);
    await cache(fn, { toDisk: true, name: 'fn', cachePath, version: 2 })(1);
    const entries = await waitForEntries(cachePath, 4);
    expect(new Set(entries.map((e) => e.ns)).size).toBe(4);
  });

  it('warns once when two different functions would share a namespace', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const cachePath = uniquePath('shared');
    const make = (base: number) => (n: number) => base + n;
    // @ts-expect-error the default name (source text) of a toDisk function without `name`
    await cache(make(1), { toDisk: true, cachePath })(1);
    // @ts-expect-error the default name (source text) of a toDisk function without `name`
    await cache(make(2), { toDisk: true, cachePath })(1);
    // @ts-expect-error the default name (source text) of a toDisk function without `name`
    await cache(make(3), { toDisk: true, cachePath })(1);
    const shared = warn.mock.calls.filter(([message]) => String(message).includes('pass a distinct `name`'));
    expect(shared).toHaveLength(1);
  });

  it('holds maxItems on disk with the function\'s policy', async () => {
    const cachePath = uniquePath('bounded');
    const f = cache((n: number) => n, { toDisk: true, name: 'f', cachePath, maxItems: 3, policy: 'FIFO' });
    for (const n of [1, 2, 3, 4, 5]) {
      await f(n);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const entries = await waitFor(async () => {
      const all = await storedEntries(cachePath);
      return all.length === 3 && all.every((e) => e.value !== 1 && e.value !== 2) ? all : undefined;
    });
    expect(entries.map((e) => e.value).sort()).toEqual([3, 4, 5]);
  });

  it('evicts by disk LRU order, fed by batched hits', async () => {
    const cachePath = uniquePath('lru');
    const options = { toDisk: true as const, name: 'fn', cachePath, maxItems: 2, policy: 'LRU' as const };
    const fn = (n: number) => n;
    const page1 = cache(fn, options);
    await page1(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await page1(2);
    await waitForEntries(cachePath, 2);
    // A disk hit from a fresh page marks 1 as used after 2.
    const page2 = cache(fn, options);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await page2(1);
    await waitFor(async () => {
      const one = (await storedEntries(cachePath)).find((e) => e.value === 1);
      return one && one.hits > 1;
    }, 4000);
    await page2(3);
    const values = await waitFor(async () => {
      const all = (await storedEntries(cachePath)).map((e) => e.value).sort();
      return all.includes(3) ? all : undefined;
    });
    expect(values).toEqual([1, 3]);
  });

  it('honours ttl across reloads', async () => {
    const cachePath = uniquePath('ttl');
    const { first, second, calls } = await twoPages((n: number) => n, { toDisk: true, name: 'f', cachePath, ttl: 0.1 });
    await first(1);
    await waitForEntries(cachePath, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await second(1);
    expect(calls).toHaveLength(2);
  });

  it('treats an entry stamped in the future as expired', async () => {
    const cachePath = uniquePath('future');
    const { first, second, calls } = await twoPages((n: number) => n, { toDisk: true, name: 'f', cachePath, ttl: 3600 });
    await first(1);
    const [entry] = await waitForEntries(cachePath, 1);
    const db = await openDB(cachePath);
    await db.put('entries', { ...entry, storedAt: Date.now() + 86_400_000, expiresAt: Date.now() + 90_000_000 });
    db.close();
    await second(1);
    expect(calls).toHaveLength(2);
  });

  it.each([
    ['missing fields', (e: Record<string, unknown>) => ({ ns: e.ns, key: e.key, value: 'forged' })],
    ['a wrong format version', (e: Record<string, unknown>) => ({ ...e, value: 'forged', format: RECORD_FORMAT + 1 })],
    ['a wrong timestamp type', (e: Record<string, unknown>) => ({ ...e, value: 'forged', storedAt: 'yesterday' })],
  ])('treats a record with %s as a miss and overwrites it', async (_label, corrupt) => {
    const cachePath = uniquePath('corrupt');
    const { first, second, calls } = await twoPages((n: number) => `real ${n}`, { toDisk: true, name: 'f', cachePath });
    await first(1);
    const [entry] = await waitForEntries(cachePath, 1);
    const db = await openDB(cachePath);
    await db.put('entries', corrupt(entry as unknown as Record<string, unknown>));
    db.close();
    expect(await second(1)).toBe('real 1');
    expect(calls).toHaveLength(2);
    await waitFor(async () => (await storedEntries(cachePath))[0]?.format === RECORD_FORMAT);
  });
});

describe('clearing', () => {
  it('clear() removes this function\'s memory and disk entries only', async () => {
    const cachePath = uniquePath('clear');
    const a = cache((n: number) => n, { toDisk: true, cachePath, name: 'a' });
    const b = cache((n: number) => n, { toDisk: true, cachePath, name: 'b' });
    await Promise.all([a(1), a(2), b(1)]);
    await waitForEntries(cachePath, 3);
    await a.clear();
    expect((await storedEntries(cachePath)).map((e) => e.ns)).toEqual(['b@']);
  });

  it('delete() removes one entry from memory and disk', async () => {
    const cachePath = uniquePath('delete');
    const { first, second, calls } = await twoPages((n: number) => n, { toDisk: true, name: 'f', cachePath });
    await first(1);
    await first(2);
    await waitForEntries(cachePath, 2);
    expect(await first.delete(1)).toBe(true);
    expect(await first.delete(1)).toBe(false);
    await second(1);
    await second(2);
    expect(calls).toEqual([[1], [2], [1]]);
  });

  it('clearCaches() deletes every database the library wrote to', async () => {
    const paths = [uniquePath('all-a'), uniquePath('all-b')];
    for (const cachePath of paths) {
      await cache((n: number) => n, { toDisk: true, name: 'f', cachePath })(1);
      await waitForEntries(cachePath, 1);
    }
    await clearCaches();
    const names = (await indexedDB.databases()).map((d) => d.name);
    for (const path of paths) expect(names).not.toContain(path);
  });
});

describe('faults', () => {
  it('goes memory-only with one warning when IndexedDB is missing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const saved = globalThis.indexedDB;
    // @ts-expect-error simulating a browser without IndexedDB
    delete globalThis.indexedDB;
    try {
      let calls = 0;
      const f = cache((n: number) => ++calls + n, { toDisk: true, name: 'f', cachePath: uniquePath('none') });
      const g = cache((n: number) => n, { toDisk: true, name: 'f', cachePath: uniquePath('none2') });
      expect(await f(1)).toBe(2);
      expect(await f(1)).toBe(2);
      expect(await g(1)).toBe(1);
      expect(calls).toBe(1);
      // Once the disk tier tries to open (it may wait for another tab's wipe of this file to end).
      await waitFor(() => warn.mock.calls.some(([m]) => String(m).includes('IndexedDB is not available')), 5000);
      expect(warn.mock.calls.filter(([m]) => String(m).includes('IndexedDB is not available'))).toHaveLength(1);
    } finally {
      globalThis.indexedDB = saved;
    }
  });

  it('goes memory-only when open() throws', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    const f = cache((n: number) => n * 3, { toDisk: true, name: 'f', cachePath: uniquePath('throws') });
    expect(await f(2)).toBe(6);
    expect(await f(2)).toBe(6);
    await flushCaches(); // the first write opens the database (a read never creates one)
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('could not open IndexedDB'));
  });

  it('keeps a result that cannot be cloned in memory, and warns naming the function', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const cachePath = uniquePath('clone');
    class Secret {
      #hidden = 1;
      get hidden() {
        return this.#hidden;
      }
    }
    const makeHandler = cache(function makeHandler(n: number) { return { n, run: () => n }; }, { toDisk: true, name: 'makeHandler', cachePath });
    const makeSecret = cache(function makeSecret() { return new Secret(); }, { toDisk: true, name: 'makeSecret', cachePath });
    const handler = await makeHandler(1);
    expect(handler.run()).toBe(1);
    expect(await makeHandler(1)).toBe(handler);
    expect((await makeSecret()).hidden).toBe(1);
    await waitFor(() => warn.mock.calls.length >= 2);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/makeHandler.*the result\.run is a function/));
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/makeSecret.*Secret/));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await storedEntries(cachePath)).toHaveLength(0);
  });

  it('evicts and retries once on QuotaExceededError, else skips the write', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const cachePath = uniquePath('quota');
    const f = cache((n: number) => n, { toDisk: true, cachePath, name: 'quota', maxItems: 100 });
    for (const n of [1, 2, 3]) await f(n);
    await waitForEntries(cachePath, 3);
    const put = IDBObjectStore.prototype.put;
    let failures = 1;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (this.name === 'entries' && failures-- > 0) throw new DOMException('full', 'QuotaExceededError');
      return put.apply(this, args);
    });
    expect(await f(4)).toBe(4);
    // One entry (a tenth, at least one) made room, then the retry stored 4.
    const values = await waitFor(async () => {
      const all = (await storedEntries(cachePath)).map((e) => e.value as number).sort();
      return all.includes(4) ? all : undefined;
    });
    expect(values).toEqual([2, 3, 4]);
    failures = 2;
    expect(await f(5)).toBe(5);
    await waitFor(() => warn.mock.calls.some(([m]) => String(m).includes('quota exceeded')));
    expect((await storedEntries(cachePath)).map((e) => e.value)).not.toContain(5);
  });

  it('reopens lazily after the connection is closed under it', async () => {
    const cachePath = uniquePath('closed');
    const { first, second, calls } = await twoPages((n: number) => n, { toDisk: true, name: 'f', cachePath });
    await first(1);
    await waitForEntries(cachePath, 1);
    // Another tab deletes the database: our connection gets versionchange and must let go.
    await deleteDB(cachePath);
    expect(await first(2)).toBe(2);
    await waitForEntries(cachePath, 1);
    expect(await second(2)).toBe(2);
    expect(calls).toEqual([[1], [2]]);
  });

  it('never fails a call when a read transaction fails', async () => {
    const cachePath = uniquePath('readfail');
    const f = cache((n: number) => n + 1, { toDisk: true, name: 'f', cachePath });
    await f(0);
    vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementation(() => {
      throw new DOMException('broken', 'UnknownError');
    });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const g = cache((n: number) => n + 1, { toDisk: true, cachePath, name: 'other' });
    expect(await g(1)).toBe(2);
  });
});

describe('cross-tab removal', () => {
  it('drops entries from memory when another tab clears or deletes them', async () => {
    const cachePath = uniquePath('broadcast');
    let calls = 0;
    const f = cache((n: number) => n + ++calls * 0, { toDisk: true, cachePath, name: 'bc' });
    await f(1);
    await f(2);
    expect(f.stats().size).toBe(2);
    const otherTab = new BroadcastChannel('idb-memo');
    otherTab.postMessage({ type: 'clear', db: cachePath, ns: 'bc@' });
    await waitFor(() => f.stats().size === 0);
    otherTab.close();
  });
});

describe('batched reads', () => {
  it('answers many concurrent cold lookups from few transactions', async () => {
    const cachePath = uniquePath('batch');
    const fn = (n: number) => n * 2;
    const warm = cache(fn, { toDisk: true, name: 'fn', cachePath });
    await Promise.all(Array.from({ length: 50 }, (_, i) => warm(i)));
    await waitForEntries(cachePath, 50);
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction');
    const cold = cache(fn, { toDisk: true, name: 'fn', cachePath });
    const values = await Promise.all(Array.from({ length: 50 }, (_, i) => cold(i)));
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    expect(cold.stats().diskHits).toBe(50);
    const readonly = transaction.mock.calls.filter(([, mode]) => mode === 'readonly' || mode === undefined);
    expect(readonly.length).toBeLessThan(50);
  });

  /** A namespace of `stored` entries (n → n * 3), and spies on how a cold reader reads it. */
  async function storedNamespace(label: string, stored: number) {
    const cachePath = uniquePath(label);
    const computed: number[] = [];
    const fn = (n: number) => {
      computed.push(n);
      return n * 3;
    };
    const warm = cache(fn, { toDisk: true, cachePath, name: label });
    await Promise.all(Array.from({ length: stored }, (_, i) => warm(i)));
    await waitForEntries(cachePath, stored);
    computed.length = 0;
    const getAll = vi.spyOn(IDBObjectStore.prototype, 'getAll');
    const get = vi.spyOn(IDBObjectStore.prototype, 'get');
    const cold = (await freshLibrary()).cache(fn, { toDisk: true, cachePath, name: label });
    return { cold, computed, getAll, get, cachePath };
  }

  it('sweeps a namespace in one request when a batch asks for most of it, misses included', async () => {
    const { cold, computed, getAll, get } = await storedNamespace('sweep', 30);
    const wanted = Array.from({ length: 40 }, (_, i) => i); // 30 stored, 10 not
    expect(await Promise.all(wanted.map((n) => cold(n)))).toEqual(wanted.map((n) => n * 3));
    expect(cold.stats()).toMatchObject({ diskHits: 30, misses: 10 });
    expect(computed.sort((a, b) => a - b)).toEqual(wanted.slice(30));
    expect(getAll.mock.calls.length).toBeGreaterThanOrEqual(1);
    // Only the namespace count and the re-reads of the 10 misses under their locks were single gets.
    expect(get.mock.calls.length).toBeLessThan(20);
  });

  it('finds every entry when the namespace count is behind and the sweep comes back full', async () => {
    const { cold, computed, getAll, cachePath } = await storedNamespace('count-behind', 60);
    const db = await openDB(cachePath);
    const [counted] = (await db.getAll('namespaces')) as { ns: string; count: number }[];
    await db.put('namespaces', { ...counted!, count: 10 });
    db.close();
    const wanted = Array.from({ length: 20 }, (_, i) => i * 3);
    expect(await Promise.all(wanted.map((n) => cold(n)))).toEqual(wanted.map((n) => n * 3));
    expect(getAll.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(cold.stats().diskHits).toBe(20);
    expect(computed).toEqual([]);
  });

  it('reads entry by entry when a batch asks for a small part of a large namespace', async () => {
    const { cold, computed, getAll, get } = await storedNamespace('no-sweep', 100);
    const wanted = Array.from({ length: 20 }, (_, i) => i * 5);
    expect(await Promise.all(wanted.map((n) => cold(n)))).toEqual(wanted.map((n) => n * 3));
    expect(cold.stats().diskHits).toBe(20);
    expect(computed).toEqual([]);
    expect(getAll).not.toHaveBeenCalled();
    expect(get.mock.calls.length).toBeGreaterThanOrEqual(20);
  });
});

describe('per-session entries', () => {
  it('are scoped to the session and purged once their session is gone', async () => {
    const cachePath = uniquePath('sessions');
    const f = cache((n: number) => n, { toDisk: true, cachePath, perSession: true, name: 'per-session' });
    await f(1);
    const [mine] = await waitForEntries(cachePath, 1);
    expect(mine?.ns).toMatch(/^per-session@\/session:/);
    expect(mine?.session).toBe(sessionStorage.getItem('idb-memo:session'));
    // Plant the leftovers of a tab closed two days ago, and of one seen a minute ago.
    const db = await openDB(cachePath);
    const planted = (session: string, seenAt: number) =>
      Promise.all([
        db.put('sessions', { id: session, seenAt }),
        db.put('entries', { ...mine!, ns: `per-session@/session:${session}`, session }),
      ]);
    await planted('gone', Date.now() - 2 * 86_400_000);
    await planted('recent', Date.now() - 60_000);
    db.close();
    // A new page of the same origin starts its session, which purges the gone one.
    vi.resetModules();
    const fresh = await import('../../src/index');
    sessionStorage.removeItem('idb-memo:session');
    await fresh.cache((n: number) => n, { toDisk: true, cachePath, perSession: true, name: 'per-session' })(2);
    const sessions = await waitFor(async () => {
      const all = (await storedEntries(cachePath)).map((e) => e.session);
      return all.length === 3 && !all.includes('gone') ? all : undefined;
    });
    expect(sessions).toContain('recent');
    expect(sessions).toContain(mine?.session);
  });
});
