// The disk tier under happy-dom + fake-indexeddb: what it stores, bounds, removals ordered by the
// database, faults. Each "page" is an instance of the library (freshLibrary()) on one IndexedDB.
import { deleteDB, openDB } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cache, clearCaches, config, flushCaches, type CacheOptions } from '../../src/index';
import { freshLibrary, storedEntries, storedNamespaces, timeTravel, uniquePath, waitFor } from './helpers';

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
  const first = cache(fn, options);
  const fresh = await freshLibrary();
  return { first, second: fresh.cache(fn, options), calls, fresh };
}

/** The values stored in `path`, sorted, once this page's changes are written. */
async function storedValues(path: string): Promise<unknown[]> {
  await flushCaches();
  return (await storedEntries(path)).map((entry) => entry.value).sort();
}

describe('toDisk', () => {
  it('reads a result back with an empty memory tier, as after a reload', async () => {
    const cachePath = uniquePath('reload');
    const { first, second, calls } = await twoPages((n: number) => ({ n, at: new Date(n) }), { toDisk: true, cachePath, name: 'reload' });
    const value = await first(7);
    await flushCaches();
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
    const { first, second } = await twoPages(make, { toDisk: true, cachePath, name: 'types' });
    await first();
    await flushCaches();
    const read = await second();
    expect(second.stats().diskHits).toBe(1);
    expect(read).toEqual(make());
    expect(read.map).toBeInstanceOf(Map);
    expect(read.floats).toBeInstanceOf(Float32Array);
  });

  it('returns without waiting for the disk write', async () => {
    const cachePath = uniquePath('nowait');
    const f = cache((n: number) => n + 1, { toDisk: true, cachePath, name: 'nowait' });
    const put = vi.spyOn(IDBObjectStore.prototype, 'put');
    expect(await f(1)).toBe(2);
    expect(put.mock.calls.filter(([record]) => (record as { value?: unknown }).value === 2)).toHaveLength(0);
    expect(await storedValues(cachePath)).toEqual([2]);
  });

  it('uses config.cachePath at the time of the call', async () => {
    const before = config.cachePath;
    const cachePath = uniquePath('config');
    config.cachePath = cachePath;
    try {
      const f = cache((n: number) => n, { toDisk: true, name: 'config-path' });
      await f(1);
      expect(await storedValues(cachePath)).toEqual([1]);
    } finally {
      config.cachePath = before;
    }
  });

  it('keeps its results across a rebuild that renames the function, by its name', async () => {
    const cachePath = uniquePath('rebuild');
    await cache(function load(n: number) { return n * 2; }, { toDisk: true, cachePath, name: 'load' })(2);
    await flushCaches();
    const rebuilt = (await freshLibrary()).cache(function s(n: number) { return n * 2; }, { toDisk: true, cachePath, name: 'load' });
    expect(await rebuilt(2)).toBe(4);
    expect(rebuilt.stats()).toMatchObject({ diskHits: 1, misses: 0 });
  });

  it('a new version removes the entries of the older ones when it is first used (issue 21)', async () => {
    const cachePath = uniquePath('versions');
    const other = cache((n: number) => n, { toDisk: true, cachePath, name: 'other' });
    await other(1);
    for (const version of [1, 2, 3]) {
      const page = await freshLibrary();
      const f = page.cache((n: number) => n * version, { toDisk: true, cachePath, name: 'load', version });
      await Promise.all([f(1), f(2)]);
      await page.flushCaches();
      const entries = await storedEntries(cachePath);
      expect(entries.filter((entry) => entry.ns.startsWith('load\0')).map((entry) => entry.ns)).toEqual([`load\0${version}`, `load\0${version}`]);
      expect(entries.filter((entry) => entry.ns === 'other\0')).toHaveLength(1);
    }
  });

  it('namespaces unused for config.maxUnusedDays are removed with their entries (issue 21)', async () => {
    const cachePath = uniquePath('unused');
    await cache((n: number) => n, { toDisk: true, cachePath, name: 'old' })(1);
    await flushCaches();
    timeTravel(31 * 86_400_000);
    const page = await freshLibrary();
    await page.cache((n: number) => n, { toDisk: true, cachePath, name: 'new' })(1);
    await page.flushCaches();
    expect((await storedEntries(cachePath)).map((entry) => entry.ns)).toEqual(['new\0']);
    // The old one is retired (its record kept, floor raised, for a page still using it), then goes.
    const retired = (await storedNamespaces(cachePath)).filter((record) => (record as { retired?: boolean }).retired).map((record) => record.ns);
    expect(retired).toEqual(['old\0']);
    timeTravel(31 * 86_400_000);
    const later = await freshLibrary();
    await later.cache((n: number) => n, { toDisk: true, cachePath, name: 'new' })(2);
    await later.flushCaches();
    expect((await storedNamespaces(cachePath)).map((record) => record.ns)).toEqual(['new\0']);
    expect(() => (page.config.maxUnusedDays = 0)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('holds maxItems on disk with the function\'s policy', async () => {
    const cachePath = uniquePath('bounded');
    const f = cache((n: number) => n, { toDisk: true, cachePath, name: 'bounded', maxItems: 3, policy: 'FIFO' });
    for (const n of [1, 2, 3, 4, 5]) await f(n);
    expect(await storedValues(cachePath)).toEqual([3, 4, 5]);
  });

  it('evicts on disk in the order memory does, hits included, so a reload finds what memory held', async () => {
    const cachePath = uniquePath('lru');
    const f = cache((n: number) => n, { toDisk: true, cachePath, name: 'lru', maxItems: 2, policy: 'LRU' });
    await f(1);
    await f(2);
    await f(1); // 2 is now the least recently used
    await f(3);
    expect(await storedValues(cachePath)).toEqual([1, 3]);
    // A fresh page continues from there: a hit on 3, then 4 evicts 1.
    const page = await freshLibrary();
    const g = page.cache((n: number) => n, { toDisk: true, cachePath, name: 'lru', maxItems: 2, policy: 'LRU' });
    await g(3);
    await g(4);
    await page.flushCaches();
    expect((await storedEntries(cachePath)).map((entry) => entry.value).sort()).toEqual([3, 4]);
    expect(g.stats()).toMatchObject({ diskHits: 1, misses: 1 });
  });

  it('counts a call that joins a read of the disk as a use (LFU), as memory counts a hit', async () => {
    // Found by the model test (seed -43968375): the joined call was not counted, and LFU evicted
    // the entry used three times instead of the one used twice.
    const cachePath = uniquePath('lfu-join');
    const options = { toDisk: true, cachePath, name: 'lfu-join', maxItems: 2, policy: 'LFU' } as const;
    const { first, second, calls } = await twoPages((key: string) => key, options);
    await first('a');
    await flushCaches();
    await Promise.all([second('a'), second('a')]); // a read back, twice: three uses
    await second('c');
    await second('c'); // two uses
    await second('b'); // evicts c
    await second('a');
    expect(calls.map(([key]) => key)).toEqual(['a', 'c', 'b']);
  });

  it('honours ttl across reloads', async () => {
    const cachePath = uniquePath('ttl');
    const { first, calls } = await twoPages((n: number) => n, { toDisk: true, cachePath, name: 'ttl', ttl: 60 });
    await first(1);
    await flushCaches();
    timeTravel(61_000);
    await (await freshLibrary()).cache((n: number) => (calls.push([n]), n), { toDisk: true, cachePath, name: 'ttl', ttl: 60 })(1);
    expect(calls).toHaveLength(2);
  });

  it('treats an entry stamped in the future as expired', async () => {
    const cachePath = uniquePath('future');
    const { first, second, calls } = await twoPages((n: number) => n, { toDisk: true, cachePath, name: 'future', ttl: 3600 });
    await first(1);
    await flushCaches();
    const [entry] = await storedEntries(cachePath);
    const db = await openDB(cachePath);
    await db.put('entries', { ...entry, storedAt: Date.now() + 86_400_000, expiresAt: Date.now() + 90_000_000 });
    db.close();
    await second(1);
    expect(calls).toHaveLength(2);
  });

  it.each([
    ['missing fields', (e: Record<string, unknown>) => ({ ns: e.ns, key: e.key, value: 'forged' })],
    ['a wrong timestamp type', (e: Record<string, unknown>) => ({ ...e, value: 'forged', storedAt: 'yesterday' })],
  ])('treats a record with %s as a miss and overwrites it', async (_label, corrupt) => {
    const cachePath = uniquePath('corrupt');
    const { first, second, calls, fresh } = await twoPages((n: number) => `real ${n}`, { toDisk: true, cachePath, name: 'corrupt' });
    await first(1);
    await flushCaches();
    const [entry] = await storedEntries(cachePath);
    const db = await openDB(cachePath);
    await db.put('entries', corrupt(entry as unknown as Record<string, unknown>));
    db.close();
    expect(await second(1)).toBe('real 1');
    expect(calls).toHaveLength(2);
    await fresh.flushCaches();
    expect((await storedEntries(cachePath))[0]).toMatchObject({ value: 'real 1', storedAt: expect.any(Number) });
  });

  it('counts of a namespace overwritten with garbage are counted again', async () => {
    const cachePath = uniquePath('garbage-count');
    const f = cache((n: number) => n, { toDisk: true, cachePath, name: 'count', maxItems: 3 });
    await Promise.all([f(1), f(2), f(3)]);
    await flushCaches();
    const db = await openDB(cachePath);
    const [record] = await db.getAll('namespaces');
    await db.put('namespaces', { ...record, count: 'many', seq: -1 });
    db.close();
    const g = (await freshLibrary()).cache((n: number) => n, { toDisk: true, cachePath, name: 'count', maxItems: 3 });
    await g(4);
    await waitFor(async () => (await storedEntries(cachePath)).length === 3);
  });
});

describe('removals are ordered by the database (issue 20)', () => {
  /** A computation that waits for `release()`: its call read the disk before whatever comes meanwhile. */
  function slow() {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    return { gate, release };
  }

  it('another page\'s delete() after a call\'s read drops that call\'s write', async () => {
    const cachePath = uniquePath('tomb');
    const { gate, release } = slow();
    const f = cache(async (n: number) => (await gate, n), { toDisk: true, cachePath, name: 'tomb' });
    const pending = f(1);
    await waitFor(() => f.stats().misses === 1); // read done, computing
    const other = await freshLibrary();
    const g = other.cache((n: number) => n, { toDisk: true, cachePath, name: 'tomb' });
    expect(await g.delete(1)).toBe(false);
    release();
    expect(await pending).toBe(1);
    await flushCaches();
    expect(await storedEntries(cachePath)).toEqual([]);
    // A call made after the delete stores as usual.
    expect(await g(2)).toBe(2);
    await other.flushCaches();
    expect((await storedEntries(cachePath)).map((entry) => entry.value)).toEqual([2]);
  });

  it('another page\'s clear() after a call\'s read drops that call\'s write, of every key', async () => {
    const cachePath = uniquePath('floor');
    const { gate, release } = slow();
    const f = cache(async (n: number) => (await gate, n), { toDisk: true, cachePath, name: 'floor' });
    const pending = Promise.all([f(1), f(2)]);
    await waitFor(() => f.stats().misses === 2);
    await (await freshLibrary()).cache((n: number) => n, { toDisk: true, cachePath, name: 'floor' }).clear();
    release();
    expect(await pending).toEqual([1, 2]);
    await flushCaches();
    expect(await storedEntries(cachePath)).toEqual([]);
  });

  it('a database deleted and made anew ("Clear site data") during a call: a clear() there drops that call\'s write, though its counters start again', async () => {
    // Found by the long chaos run: the database made anew had no epoch, as the deleted one, and
    // counters below those the call's read saw, so its write passed the clear made after it.
    vi.spyOn(BroadcastChannel.prototype, 'postMessage').mockImplementation(() => {});
    const cachePath = uniquePath('made-anew');
    const options = { toDisk: true, cachePath, name: 'made-anew' };
    const other = (await freshLibrary()).cache((n: number) => n, options);
    await other(0);
    for (let i = 0; i < 3; i++) await other.delete(0); // the namespace's sequence is 3
    await flushCaches();
    const { gate, release } = slow();
    const f = cache(async (n: number) => (await gate, n), options);
    const pending = f(1);
    await waitFor(() => f.stats().misses === 1); // read (sequence 3), computing
    await deleteDB(cachePath); // "Clear site data": connections closed, the database gone
    await other.clear(); // in the database made anew: sequence 1
    release();
    expect(await pending).toBe(1);
    await flushCaches();
    expect(await storedEntries(cachePath)).toEqual([]);
  });

  it('a clear() the database fails now is applied soon after, with no other call (a page may not live until its next one)', async () => {
    // Found by the long chaos run: removals kept for the next operation were lost when the tab reloaded first.
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const cachePath = uniquePath('deferred');
    const f = cache((n: number) => n, { toDisk: true, cachePath, name: 'deferred' });
    await f(1);
    await flushCaches();
    const real = IDBDatabase.prototype.transaction;
    let failures = 0;
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      if (args[1] === 'readwrite' && failures < 2) {
        failures++;
        throw new DOMException('the connection is closing', 'InvalidStateError');
      }
      return real.apply(this, args);
    });
    await f.clear();
    expect(failures).toBe(2);
    await waitFor(async () => (await storedEntries(cachePath)).length === 0);
  });

  it('a delete() in this page during a computation: nothing of it stays, in memory or on disk', async () => {
    const cachePath = uniquePath('own-delete');
    const { gate, release } = slow();
    let calls = 0;
    const f = cache(async (n: number) => (await gate, ++calls * 0 + n), { toDisk: true, cachePath, name: 'own' });
    const pending = f(1);
    await waitFor(() => f.stats().misses === 1);
    await f.delete(1);
    release();
    await pending;
    await flushCaches();
    expect(await storedEntries(cachePath)).toEqual([]);
    await f(1);
    expect(calls).toBe(2);
  });

  it('a call made after a delete() never reads what it removed, whatever the timing', async () => {
    const cachePath = uniquePath('after-delete');
    let calls = 0;
    const f = cache((n: number) => `${n}:${++calls}`, { toDisk: true, cachePath, name: 'after' });
    await f(1);
    await flushCaches();
    const page = await freshLibrary();
    const g = page.cache((n: number) => `${n}:page2`, { toDisk: true, cachePath, name: 'after' });
    const removal = g.delete(1);
    const after = g(1); // made before the deletion committed
    expect(await removal).toBe(true);
    expect(await after).toBe('1:page2');
  });

  it('many deletes in a namespace keep its tombstones bounded', async () => {
    const cachePath = uniquePath('tombs');
    const f = cache((n: number) => n, { toDisk: true, cachePath, name: 'tombs' });
    for (let i = 0; i < 1100; i++) void f.delete(i);
    await flushCaches();
    const db = await openDB(cachePath);
    const tombstones = await db.count('tombstones');
    db.close();
    expect(tombstones).toBeLessThanOrEqual(1000);
    expect(await f(5)).toBe(5);
    expect(await storedValues(cachePath)).toEqual([5]);
  });
});

describe('clearing', () => {
  it('clear() removes this function\'s memory and disk entries only', async () => {
    const cachePath = uniquePath('clear');
    const a = cache((n: number) => n, { toDisk: true, cachePath, name: 'a' });
    const b = cache((n: number) => n, { toDisk: true, cachePath, name: 'b' });
    await Promise.all([a(1), a(2), b(1)]);
    await a.clear();
    await flushCaches();
    expect((await storedEntries(cachePath)).map((e) => e.ns)).toEqual(['b\0']);
    expect(a.stats().size).toBe(0);
  });

  it('delete() removes one entry from memory and disk', async () => {
    const cachePath = uniquePath('delete');
    const { first, second, calls } = await twoPages((n: number) => n, { toDisk: true, cachePath, name: 'delete' });
    await first(1);
    await first(2);
    expect(await first.delete(1)).toBe(true);
    expect(await first.delete(1)).toBe(false);
    await second(1);
    await second(2);
    expect(calls).toEqual([[1], [2], [1]]);
  });

  it('clearCaches() empties every database the library wrote to, of earlier visits too', async () => {
    const paths = [uniquePath('all-a'), uniquePath('all-b')];
    for (const cachePath of paths) await cache((n: number) => n, { toDisk: true, cachePath, name: 'all' })(1);
    await flushCaches();
    const page = await freshLibrary();
    await page.clearCaches();
    for (const path of paths) expect(await storedEntries(path)).toEqual([]);
  });
});

describe('faults', () => {
  it('goes memory-only with one warning when IndexedDB is missing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const saved = globalThis.indexedDB;
    // @ts-expect-error simulating a browser without IndexedDB
    delete globalThis.indexedDB;
    try {
      const page = await freshLibrary();
      let calls = 0;
      const f = page.cache((n: number) => ++calls + n, { toDisk: true, cachePath: uniquePath('none'), name: 'none' });
      const g = page.cache((n: number) => n, { toDisk: true, cachePath: uniquePath('none2'), name: 'none2' });
      expect(await f(1)).toBe(2);
      expect(await f(1)).toBe(2);
      expect(await g(1)).toBe(1);
      expect(calls).toBe(1);
      await expect(page.flushCaches()).resolves.toBeUndefined();
      await expect(page.clearCaches()).resolves.toBeUndefined();
      expect(warn.mock.calls.filter(([m]) => String(m).includes('[NO_INDEXEDDB]'))).toHaveLength(1);
    } finally {
      globalThis.indexedDB = saved;
    }
  });

  it('clearCaches() empties a database whose emptying transaction fails three times (as "Clear site data" aborts it, and is slow to end)', async () => {
    // Found by the chaos suite: one failed transaction made the logout reject with CLEAR_BLOCKED;
    // and once (not reproduced), three tries within a second during "Clear site data".
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const cachePath = uniquePath('logout-retry');
    const f = cache((n: number) => n, { toDisk: true, cachePath, name: 'logout-retry' });
    await f(1);
    await flushCaches();
    const real = IDBDatabase.prototype.transaction;
    let failures = 0;
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      const names = [args[0]].flat();
      if (args[1] === 'readwrite' && names.includes('meta') && names.length === 4 && failures < 3) {
        failures++;
        throw new DOMException('aborted by the browser', 'UnknownError');
      }
      return real.apply(this, args);
    });
    await expect(clearCaches()).resolves.toBeUndefined();
    expect(failures).toBe(3);
    vi.restoreAllMocks();
    expect(await storedEntries(cachePath)).toEqual([]);
  });

  it('goes memory-only when open() throws', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    const f = cache((n: number) => n * 3, { toDisk: true, cachePath: uniquePath('throws'), name: 'throws' });
    expect(await f(2)).toBe(6);
    expect(await f(2)).toBe(6);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('[OPEN_FAILED]'));
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
    const makeHandler = cache((n: number) => ({ n, run: () => n }), { toDisk: true, cachePath, name: 'makeHandler' });
    const makeSecret = cache(() => new Secret(), { toDisk: true, cachePath, name: 'makeSecret' });
    const handler = await makeHandler(1);
    expect(handler.run()).toBe(1);
    expect(await makeHandler(1)).toBe(handler);
    expect((await makeSecret()).hidden).toBe(1);
    await flushCaches();
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/makeHandler.*the result\.run is a function.*\[UNSTORABLE_RESULT\]/));
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/makeSecret.*Secret/));
    expect(await storedEntries(cachePath)).toHaveLength(0);
  });

  it('evicts and retries once on QuotaExceededError, else keeps the result in memory only', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const cachePath = uniquePath('quota');
    const f = cache((n: number) => n, { toDisk: true, cachePath, name: 'quota', maxItems: 100 });
    for (const n of [1, 2, 3]) await f(n);
    await flushCaches();
    const put = IDBObjectStore.prototype.put;
    let failures = 1;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (this.name === 'entries' && (args[0] as { value?: unknown }).value !== undefined && failures-- > 0) throw new DOMException('full', 'QuotaExceededError');
      return put.apply(this, args);
    });
    expect(await f(4)).toBe(4);
    // One entry (a tenth, at least one) made room, then the retry stored 4.
    expect(await storedValues(cachePath)).toEqual([2, 3, 4]);
    failures = 2;
    expect(await f(5)).toBe(5);
    expect(await storedValues(cachePath)).not.toContain(5);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('[QUOTA_EXCEEDED]'));
    expect(await f(5)).toBe(5); // still answered, from memory
  });

  it('reopens lazily after the connection is closed under it', async () => {
    const cachePath = uniquePath('closed');
    const { first, second, calls } = await twoPages((n: number) => n, { toDisk: true, cachePath, name: 'closed' });
    await first(1);
    await flushCaches();
    // Another script deletes the database: our connection gets versionchange and lets go.
    await deleteDB(cachePath);
    expect(await first(2)).toBe(2);
    expect(await storedValues(cachePath)).toEqual([2]);
    expect(await second(2)).toBe(2);
    expect(calls).toEqual([[1], [2]]);
  });

  it('never fails a call when a read transaction fails', async () => {
    const cachePath = uniquePath('readfail');
    const f = cache((n: number) => n + 1, { toDisk: true, cachePath, name: 'readfail' });
    await f(0);
    vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementation(() => {
      throw new DOMException('broken', 'UnknownError');
    });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const g = cache((n: number) => n + 1, { toDisk: true, cachePath, name: 'other' });
    expect(await g(1)).toBe(2);
  });

  it('a database made by another script, of another shape, is remade and used', async () => {
    const cachePath = uniquePath('foreign');
    const foreign = await openDB(cachePath, 7, { upgrade: (db) => void db.createObjectStore('entries', { keyPath: 'id' }) });
    foreign.close();
    const f = cache((n: number) => n, { toDisk: true, cachePath, name: 'foreign' });
    expect(await f(1)).toBe(1);
    expect(await storedValues(cachePath)).toEqual([1]);
  });
});

describe('other tabs', () => {
  it('drop entries from this page\'s memory when they clear or delete them', async () => {
    const cachePath = uniquePath('broadcast');
    const f = cache((n: number) => n, { toDisk: true, cachePath, name: 'bc' });
    await Promise.all([f(1), f(2)]);
    const page = await freshLibrary();
    const g = page.cache((n: number) => n, { toDisk: true, cachePath, name: 'bc' });
    await g.delete(1);
    await waitFor(() => f.stats().size === 1);
    await g.clear();
    await waitFor(() => f.stats().size === 0);
    await Promise.all([f(1), f(2)]);
    expect(f.stats().misses).toBe(4);
  });

  it('a message is only a hint: a tab that never hears it still reads nothing removed', async () => {
    const cachePath = uniquePath('unheard');
    await cache((n: number) => n, { toDisk: true, cachePath, name: 'unheard' })(1);
    await flushCaches();
    const listen = vi.spyOn(BroadcastChannel.prototype, 'postMessage').mockImplementation(() => {});
    const page = await freshLibrary();
    await page.cache((n: number) => n, { toDisk: true, cachePath, name: 'unheard' }).delete(1);
    expect(listen).toHaveBeenCalled();
    const third = await freshLibrary();
    const h = third.cache((n: number) => n + 100, { toDisk: true, cachePath, name: 'unheard' });
    expect(await h(1)).toBe(101);
  });

  it('many concurrent cold lookups are all read from the disk', async () => {
    const cachePath = uniquePath('batch');
    const fn = (n: number) => n * 2;
    const warm = cache(fn, { toDisk: true, cachePath, name: 'batch' });
    await Promise.all(Array.from({ length: 50 }, (_, i) => warm(i)));
    await flushCaches();
    const page = await freshLibrary();
    const cold = page.cache(fn, { toDisk: true, cachePath, name: 'batch' });
    const values = await Promise.all(Array.from({ length: 50 }, (_, i) => cold(i)));
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    expect(cold.stats()).toMatchObject({ diskHits: 50, misses: 0 });
  });
});

describe('per-session entries', () => {
  it('each tab has a session of its own: a per-session result never answers another tab', async () => {
    const cachePath = uniquePath('own-session');
    const options = { toDisk: true, cachePath, perSession: true, name: 'own-session' } as const;
    let tab = 'A';
    const tabA = await freshLibrary();
    expect(await tabA.cache(async () => `draft of ${tab}`, options)()).toBe('draft of A');
    await tabA.flushCaches();
    const sessionOfA = sessionStorage.getItem('idb-memo:session');
    // Another tab: a page with a sessionStorage of its own, on the same IndexedDB.
    const stored = { ...sessionStorage };
    sessionStorage.clear();
    tab = 'B';
    try {
      const tabB = await freshLibrary();
      expect(await tabB.cache(async () => `draft of ${tab}`, options)()).toBe('draft of B');
      expect(sessionStorage.getItem('idb-memo:session')).not.toBe(sessionOfA);
    } finally {
      sessionStorage.clear();
      for (const [name, value] of Object.entries(stored)) sessionStorage.setItem(name, value);
    }
  });

  it('are scoped to the session, and purged once their session has gone unseen for a day', async () => {
    const cachePath = uniquePath('sessions');
    const f = cache((n: number) => n, { toDisk: true, cachePath, perSession: true, name: 'per-session' });
    await f(1);
    await flushCaches();
    const [mine] = await storedEntries(cachePath);
    const session = sessionStorage.getItem('idb-memo:session');
    expect(mine?.ns).toBe(`per-session\0\0${session}`);
    // Plant the leftovers of a tab closed two days ago, and of one seen a minute ago.
    const db = await openDB(cachePath);
    for (const [other, usedAt] of [['gone', Date.now() - 2 * 86_400_000], ['recent', Date.now() - 60_000]] as const) {
      const ns = `per-session\0\0${other}`;
      await db.put('entries', { ...mine!, ns });
      await db.put('namespaces', { ns, seq: 0, floor: 0, count: 1, tombs: 0, usedAt });
    }
    db.close();
    // A new page of the origin uses the database: its upkeep purges the gone session.
    const page = await freshLibrary();
    await page.cache((n: number) => n, { toDisk: true, cachePath, name: 'shared' })(2);
    await page.flushCaches();
    const namespaces = (await storedEntries(cachePath)).map((entry) => entry.ns.split('\0')[2] ?? 'shared').sort();
    expect(namespaces).toEqual([session, 'recent', 'shared'].sort());
  });
});
