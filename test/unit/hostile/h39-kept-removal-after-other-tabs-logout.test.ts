// Sixth hostile pass; a regression test (it failed before the fix):
// tab B keeps a delete() for later (its connection refused it). Tab A logs out:
// its clearCaches() empties the database and resolves. B hears the logout, but its own emptying of
// the database is refused by B's connection (4 tries, then swallowed: `.catch(() => {})` in
// registry.ts hear()). B's `emptiedAt` stays 0, so its kept removal (asked at B's count 0) is not
// moot by the page-local rule, and once B's connection takes writes again it is applied to the
// database A's logout emptied: a tombstone keyed by the SHA-256 of the previous user's argument,
// and the previous user's namespace record, are left after a logout that succeeded.
import { afterEach, expect, it, vi } from 'vitest';
import { dumpStores, freshLibrary, uniquePath } from '../helpers';

afterEach(() => vi.restoreAllMocks());

it("a removal kept in tab B is not applied after tab A's successful logout emptied the database", async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath('h39');
  const options = { toDisk: true, cachePath, name: 'profile' };
  const tabA = await freshLibrary();
  const tabB = await freshLibrary();
  const fn = async (email: string) => ({ email, name: 'someone' });
  const a = tabA.cache(fn, options);
  const b = tabB.cache(fn, options);
  await a('seed@example.com');
  await tabA.flushCaches();
  await b('bob@example.com');
  await tabB.flushCaches();

  // Only tab B's connection refuses readwrite transactions (a fault of that tab's connection).
  let bRefusing = true;
  let bConnection: IDBDatabase | undefined;
  let capture = true;
  const real = IDBDatabase.prototype.transaction;
  vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    if (args[1] === 'readwrite') {
      // The first connection to write after the seeds is tab B's (its delete() below).
      if (capture && !bConnection) bConnection = this as IDBDatabase;
      if (this === bConnection && bRefusing) throw new DOMException('disk refused', 'UnknownError');
    }
    return real.apply(this, args);
  });
  expect(await b.delete('bob@example.com')).toBe(true); // kept for later by tab B
  capture = false;
  expect(bConnection).toBeDefined();

  await tabA.clearCaches(); // resolves: tab A emptied the database
  expect((await dumpStores(cachePath)).tombstones).toEqual([]);
  // B heard it; its own emptying is refused (tries at 0, 200, 800 ms and 3 s later), then given up.
  await new Promise((r) => setTimeout(r, 5500));
  bRefusing = false;
  await tabB.flushCaches();
  await new Promise((r) => setTimeout(r, 50));
  const left = await dumpStores(cachePath);
  // Nothing of the previous user after a logout that succeeded.
  expect({ tombstones: left.tombstones, namespaces: left.namespaces }).toEqual({ tombstones: [], namespaces: [] });
}, 20_000);
