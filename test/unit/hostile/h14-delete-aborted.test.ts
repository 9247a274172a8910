// "Clear site data" (or another script) deleting a database while clearCaches() empties it: the
// logout resolves, and nothing of the previous user is left.
import { deleteDB } from 'idb';
import { expect, it } from 'vitest';
import { freshLibrary, storedEntries, uniquePath } from '../helpers';

it('clearCaches() resolves when the database is deleted under it, and leaves nothing behind', async () => {
  const lib = await freshLibrary();
  const cachePath = uniquePath('h14');
  await lib.cache((n: number) => n, { toDisk: true, cachePath, name: 'h14' })(1);
  await lib.flushCaches();
  const [cleared] = await Promise.all([lib.clearCaches(), deleteDB(cachePath)]);
  expect(cleared).toBeUndefined();
  expect(await storedEntries(cachePath)).toEqual([]);
});
