// Seventh hostile pass; a regression test (it failed with the epoch check of h39's first fix, undone):
// a removal kept for later remembers `seen`, the epoch this page last read.
// "Clear site data" deletes the database (no logout: `seen` is not reset). Tab A makes it anew
// (a fresh epoch) and begins a call of key k (its read misses). Tab B, whose `seen` is still the
// old database's epoch, deletes k; its connection refuses it, so it is kept for later with the
// stale `seen`. A's call, begun before the delete, then writes its value; B's kept delete is
// applied later but skipped (epoch changed) in store.remove's `changed()` check, so no tombstone
// drops A's write, and a value computed before the delete is served from disk afterwards.
// Control: the same steps where B's delete is not refused drop A's write.
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary, refuseWrites, storedEntries, uniquePath } from '../helpers';

afterEach(() => vi.restoreAllMocks());

async function scenario(refuse: boolean) {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath('h39');
  const options = { toDisk: true, cachePath, name: 'profile' };
  const tabA = await freshLibrary();
  const tabB = await freshLibrary();
  let version = 1;
  let hold: Promise<void> = Promise.resolve();
  const fn = async (id: string) => {
    const v = version; // what the server says when the call reads
    await hold;
    return { id, v };
  };
  const a = tabA.cache(fn, options);
  const b = tabB.cache(fn, options);
  await b('other');
  await tabB.flushCaches(); // B has read: its `seen` is the first database's epoch
  await a('other');
  await tabA.flushCaches();

  // "Clear site data": the database is deleted (the connections are closed).
  await new Promise<void>((resolve, reject) => {
    const r = indexedDB.deleteDatabase(cachePath);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error);
  });

  // Tab A makes the database anew and begins a call of k (its read misses).
  let release!: () => void;
  hold = new Promise((r) => (release = r));
  const pending = a('k');
  await new Promise((r) => setTimeout(r, 100));

  // The server's data changes; tab B deletes k. Its writes are refused: kept for later.
  version = 2;
  let refusing = refuse;
  refuseWrites(() => refusing);
  await b.delete('k');
  refusing = false;

  release();
  expect(await pending).toEqual({ id: 'k', v: 1 });
  await tabA.flushCaches();
  await tabB.flushCaches();
  await new Promise((r) => setTimeout(r, 3000)); // B's kept removal is retried
  await tabB.flushCaches();
  await tabA.flushCaches();

  // A third tab (fresh page) asks for k: it must not get the value computed before the delete.
  const tabC = await freshLibrary();
  const c = tabC.cache(fn, options);
  return { fromC: await c('k'), stored: (await storedEntries(cachePath)).length };
}

it('control: a delete that is not refused drops the write of a call begun before it', async () => {
  const { fromC } = await scenario(false);
  expect(fromC).toEqual({ id: 'k', v: 2 });
}, 20_000);

it("a delete kept for later (stale `seen` after Clear site data) drops the write of a call begun before it", async () => {
  const { fromC } = await scenario(true);
  expect(fromC).toEqual({ id: 'k', v: 2 });
}, 20_000);
