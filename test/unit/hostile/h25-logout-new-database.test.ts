// Found by a hostile review (second pass): a logout racing another tab's first use of a new
// cachePath. The logout emptied the databases the browser listed; one another tab made after the
// listing was never emptied, so a result computed there with the previous user's state stayed for
// the next user. Now every tab that hears of a logout empties the databases it knows too.
import { afterEach, expect, it, vi } from 'vitest';
import { heard } from '../../shared/channel';
import { freshLibrary, uniquePath } from '../helpers';

afterEach(() => vi.restoreAllMocks());

it("another tab's first use of a new cachePath during a logout leaves nothing of the previous user", async () => {
  const cachePath = uniquePath('zznewpath');
  const [tabA, tabB] = [await freshLibrary(), await freshLibrary()];
  // Tab A has used the default cache path before.
  await tabA.cache(async (k: string) => k, { toDisk: true, name: 'warm' })('w');
  await tabA.flushCaches();
  // The browser answers the listing as it stood when asked, a little later (a busy browser).
  const real = indexedDB.databases.bind(indexedDB);
  vi.spyOn(indexedDB, 'databases').mockImplementation(async () => {
    const snapshot = await real();
    await new Promise((r) => setTimeout(r, 200));
    return snapshot;
  });
  let user = 'alice';
  const profileB = tabB.cache(async (k: string) => `${k} of ${user}`, { toDisk: true, name: 'profile', cachePath });
  const logout = tabA.clearCaches(); // alice logs out in tab A
  await new Promise((r) => setTimeout(r, 20));
  // Tab B has not heard it yet: it opens the profile page, whose cache lives in a new database.
  expect(await profileB('me')).toBe('me of alice');
  await tabB.flushCaches();
  await logout;
  user = 'bob';
  // Bob, in a fresh tab.
  const tabC = await freshLibrary();
  const profileC = tabC.cache(async (k: string) => `${k} of ${user}`, { toDisk: true, name: 'profile', cachePath });
  expect(await profileC('me')).toBe('me of bob');
});

it("a foreign database whose upgrade is blocked does not hold back the logout's word to other tabs", async () => {
  const foreign = uniquePath('foreign-app-db');
  // Another script of the origin: an old connection that ignores versionchange, and its upgrade waiting.
  const old = await new Promise<IDBDatabase>((resolve) => {
    const request = indexedDB.open(foreign, 1);
    request.onsuccess = () => resolve(request.result);
  });
  indexedDB.open(foreign, 2); // blocked by `old`
  const tabA = await freshLibrary();
  await tabA.cache(async (k: string) => k, { toDisk: true, name: 'warm' })('w');
  await tabA.flushCaches();
  const told = heard('logout');
  const logout = tabA.clearCaches();
  // The other tabs hear it once this tab's own databases are being emptied, not after the probe of
  // the foreign one gives up (3 s).
  expect(await Promise.race([told.then(() => 'told'), logout.then(() => 'settled')])).toBe('told');
  await logout;
  old.close();
}, 15_000);
