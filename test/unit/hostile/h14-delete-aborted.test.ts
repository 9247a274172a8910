// "Clear site data" (or another tab) deleting a database while clearCaches() deletes it can abort
// clearCaches()'s own deletion (an AbortError in Chromium): the database is gone all the same, yet
// clearCaches() rejected with CLEAR_BLOCKED ("another connection keeps it open"). It now tries once more.
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary, uniquePath } from '../helpers';

afterEach(() => vi.restoreAllMocks());

it('clearCaches() resolves when its deletion is aborted but the database is gone', async () => {
  const lib = await freshLibrary();
  const cachePath = uniquePath('h14');
  await lib.cache((n: number) => n, { toDisk: true, cachePath, name: 'h14' })(1);
  await lib.flushCaches();
  // A request that fails: opening a database at a version below its own.
  const newer = uniquePath('h14-newer');
  await new Promise((resolve) => (indexedDB.open(newer, 5).onsuccess = (event) => resolve((event.target as IDBOpenDBRequest).result.close())));
  const realDelete = indexedDB.deleteDatabase.bind(indexedDB);
  vi.spyOn(indexedDB, 'deleteDatabase').mockImplementationOnce((name) => {
    realDelete(name); // the deletion happens, but the caller's request fails, as when site data is cleared meanwhile
    return indexedDB.open(newer, 1);
  });
  await expect(lib.clearCaches()).resolves.toBeUndefined();
  expect((await indexedDB.databases()).map((info) => info.name)).not.toContain(cachePath);
});
