// Seventh hostile pass; a regression test (it failed with the epoch check of h39's first fix, undone):
// no "Clear site data" needed. Tab B logs out (clearCaches(): epoch E2) and
// reads again (its `seen` is E2). Tab A hears the logout; its first try to empty the database
// too is refused, its retry 200 ms later succeeds, writing its own epoch E3: B is not told, so B's `seen` stays E2. Tab A begins a call of k (its read
// sees E3 and misses); the server's data changes and B deletes k, but B's connection refuses it:
// kept for later with seen = E2. A's call, begun before the delete, writes its value (accepted:
// no tombstone). B's kept delete is then applied but skipped by store.remove's `changed()` (E3 is
// not E2), so the value computed before the delete is served from disk afterwards.
// Control: the same steps where B's delete is not refused drop A's write.
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary, storedEntries, uniquePath } from '../helpers';

afterEach(() => vi.restoreAllMocks());

async function scenario(refuse: boolean) {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath('h40');
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
  // Tab A's connection: the one that writes A's seed.
  let aConnection: IDBDatabase | undefined;
  let capture = true;
  let aRefusing = false;
  let refusing = false;
  const real = IDBDatabase.prototype.transaction;
  vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    if (args[1] === 'readwrite') {
      if (capture && !aConnection) aConnection = this as IDBDatabase;
      if (this === aConnection && aRefusing) throw new DOMException('disk refused', 'UnknownError');
      if (refusing) throw new DOMException('disk refused', 'UnknownError');
    }
    return real.apply(this, args);
  });
  await a('other');
  await tabA.flushCaches();
  capture = false;
  expect(aConnection).toBeDefined();

  // Tab B logs out, then reads again: its `seen` is the epoch of its own emptying. Tab A hears it,
  // but its first try to empty the database too is refused (a transient fault of A's connection).
  aRefusing = true;
  await tabB.clearCaches();
  await new Promise((r) => setTimeout(r, 20));
  await b('other');
  await tabB.flushCaches();
  aRefusing = false;
  // Tab A's next try (200 ms later) empties the database: a new epoch, which B is not told of.
  await new Promise((r) => setTimeout(r, 500));

  // Tab A begins a call of k (its read misses).
  let release!: () => void;
  hold = new Promise((r) => (release = r));
  const pending = a('k');
  await new Promise((r) => setTimeout(r, 100));

  // The server's data changes; tab B deletes k. Its writes are refused: kept for later.
  version = 2;
  refusing = refuse;
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

it("a delete kept for later (stale `seen` after another tab emptied on hearing this tab's logout) drops the write of a call begun before it", async () => {
  const { fromC } = await scenario(true);
  expect(fromC).toEqual({ id: 'k', v: 2 });
}, 20_000);
