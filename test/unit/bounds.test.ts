// Issue 14: damaged bookkeeping heals itself, foreign databases are handled, expired entries are
// swept, and clearCaches() leaves nothing behind or says what it could not remove.
import { deleteDB, openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { cache, clearCaches, flushCaches } from '../../src/index';
import { freshLibrary, storedEntries, uniquePath } from './helpers';

afterEach(async () => {
  await clearCaches().catch(() => {});
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a damaged namespace count is counted again', () => {
  it.each([['NaN', Number.NaN], ['a string', 'abc'], ['a huge number', 1e9], ['a negative number', -3]])('%s', async (_label, damage) => {
    const cachePath = uniquePath('count');
    const options = { toDisk: true, cachePath, name: 'count', maxItems: 5 };
    const fn = (n: number) => n;
    const f = cache(fn, options);
    for (let n = 0; n < 3; n++) await f(n);
    await flushCaches();
    const db = await openDB(cachePath);
    await db.put('namespaces', { ns: 'count\0', count: damage });
    db.close();
    const g = (await freshLibrary()).cache(fn, options);
    for (let n = 3; n < 60; n++) await g(n);
    await (await import('../../src/index')).flushCaches();
    const left = await storedEntries(cachePath);
    expect(left).toHaveLength(5);
    expect(left.map((record) => record.value).sort((a, b) => (a as number) - (b as number))).toEqual([55, 56, 57, 58, 59]);
  });
});

describe('a database of the right name but the wrong shape', () => {
  async function works(cachePath: string) {
    let runs = 0;
    const fn = (n: number) => `${n}#${++runs}`;
    const options = { toDisk: true, cachePath, name: 'shape' };
    const lib = await freshLibrary();
    expect(await lib.cache(fn, options)(1)).toBe('1#1');
    await lib.flushCaches();
    const again = (await freshLibrary()).cache(fn, options);
    expect(await again(1)).toBe('1#1');
    expect(again.stats().diskHits).toBe(1);
  }

  it('version 1 without the stores (a plain indexedDB.open)', async () => {
    const cachePath = uniquePath('plain');
    (await openDB(cachePath)).close();
    await works(cachePath);
  });

  it('another script upgraded it to a higher version with stores of its own', async () => {
    const cachePath = uniquePath('foreign');
    const db = await openDB(cachePath, 7, { upgrade: (d) => void d.createObjectStore('theirs') });
    db.close();
    await works(cachePath);
    const after = await openDB(cachePath);
    expect([...after.objectStoreNames]).toContain('theirs');
    after.close();
  });

  it('an entries store with another key path', async () => {
    const cachePath = uniquePath('keypath');
    const db = await openDB(cachePath, 2, { upgrade: (d) => void d.createObjectStore('entries', { keyPath: 'id' }) });
    db.close();
    await works(cachePath);
  });
});

describe('ttl bounds memory and disk', () => {
  it('expired entries leave memory without being touched', async () => {
    const f = cache((n: number) => n, { ttl: 0.05 });
    for (let n = 0; n < 300; n++) await f(n);
    expect(f.stats().size).toBe(300);
    await sleep(1300);
    expect(f.stats().size).toBe(0);
  });

  it('each new result sweeps a batch of expired ones', async () => {
    const f = cache((n: number) => n, { ttl: 0.02 });
    for (let n = 0; n < 100; n++) await f(n);
    await sleep(40);
    for (let n = 100; n < 110; n++) await f(n);
    // Ten calls sweep up to 10 × 16 expired entries: all 100.
    expect(f.stats().size).toBe(10);
  });

  it('expired records leave the disk, swept through the expiresAt index when a page opens it', async () => {
    const cachePath = uniquePath('ttl-disk');
    const options = { toDisk: true, cachePath, name: 'ttl-disk', ttl: 1 };
    const f = cache((n: number) => n, options);
    for (let n = 0; n < 150; n++) await f(n);
    await flushCaches();
    expect(await storedEntries(cachePath)).toHaveLength(150);
    await sleep(1100);
    const lib = await freshLibrary();
    await lib.cache((n: number) => n, options)(1000);
    await lib.flushCaches();
    expect((await storedEntries(cachePath)).map((record) => record.value)).toEqual([1000]);
  });
});

describe('clearCaches()', () => {
  it('removes this tab’s session key, and a per-session function takes a new session', async () => {
    const cachePath = uniquePath('logout-session');
    const f = cache((n: number) => n, { toDisk: true, perSession: true, cachePath, name: 'mine' });
    await f(1);
    const before = sessionStorage.getItem('idb-memo:session');
    expect(before).toBeTruthy();
    await clearCaches();
    expect(sessionStorage.getItem('idb-memo:session')).toBeNull();
    await f(2);
    await flushCaches();
    const records = await storedEntries(cachePath);
    expect(records.map((record) => record.value)).toEqual([2]);
    expect(records[0]!.ns).toBe(`mine\0\0${sessionStorage.getItem('idb-memo:session')}`);
    expect(records[0]!.ns).not.toContain(before);
  });

  it('empties a database that another connection keeps open, and never waits for it (issue 20)', async () => {
    const cachePath = uniquePath('held-open');
    const f = cache((n: number) => n, { toDisk: true, cachePath, name: 'held' });
    await f(1);
    await flushCaches();
    const foreign = await openDB(cachePath); // No versionchange handler: it never lets go.
    await expect(clearCaches()).resolves.toBeUndefined();
    expect(await foreign.count('entries')).toBe(0);
    foreign.close();
    await deleteDB(cachePath);
  });
});
