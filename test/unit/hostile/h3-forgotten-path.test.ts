// clearCaches() removes localStorage['idb-memo:cache-paths'] after its deletions complete; a database
// (re)opened while it ran is then no longer remembered, and a clearCaches() in a later page (logout
// right after a reload) leaves that database and its entries in place.
import { expect, it, vi } from 'vitest';
import { freshLibrary, storedEntries, uniquePath } from '../helpers';
vi.setConfig({ testTimeout: 30_000 });

it('a call made right after clearCaches() (not awaited) makes its database unknown to later clearCaches()', async () => {
  const cachePath = uniquePath('h3');
  let n = 0;
  const fn = async (k: string) => `${k}@${n++}`;
  const page1 = await freshLibrary();
  const f1 = page1.cache(fn, { toDisk: true, cachePath, name: 'h3' });
  await f1('a');
  const wiping = page1.clearCaches(); // logout
  const b = f1('b'); // the next user's work, after the logout started
  await wiping;
  await b;
  await page1.flushCaches();

  // Page 2: the next user logs out right after loading the page.
  const page2 = await freshLibrary();
  await page2.clearCaches();
  const left = (await storedEntries(cachePath)).map((r) => r.value);

  // Page 3: a third user's first call.
  const page3 = await freshLibrary();
  const f3 = page3.cache(fn, { toDisk: true, cachePath, name: 'h3' });
  const answer = await f3('b');
  expect(left).toEqual([]);
  expect(answer).not.toBe('b@1');
});

it('a database first opened while clearCaches() runs is forgotten too', async () => {
  const cachePath = uniquePath('h3a');
  const other = uniquePath('h3b');
  let n = 0;
  const fn = async (k: string) => `${k}@${n++}`;
  const page1 = await freshLibrary();
  const f1 = page1.cache(fn, { toDisk: true, cachePath, name: 'h3' });
  const g1 = page1.cache(fn, { toDisk: true, cachePath: other, name: 'h3g' });
  await f1('a');
  const wiping = page1.clearCaches();
  await g1('secret'); // written after the logout started, in a database not yet opened
  await wiping;
  await page1.flushCaches();
  const page2 = await freshLibrary();
  await page2.clearCaches(); // logout in a later page
  const left = (await storedEntries(other)).map((r) => r.value);
  expect(left).toEqual([]);
});
