// IndexedDB that fails: calls are answered from memory, every removal settles at once, and removals
// made while it cannot open are applied once it opens again (none is lost, and none piles up).
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary, storedEntries, timeTravel, uniquePath } from '../helpers';

afterEach(() => vi.restoreAllMocks());

function openFails() {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  return vi.spyOn(indexedDB, 'open').mockImplementation(() => {
    throw new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
  });
}

it('while IndexedDB never opens, calls, delete() and clear() all settle, from memory', async () => {
  openFails();
  const lib = await freshLibrary();
  const f = lib.cache(async (n: number) => n * 2, { toDisk: true, cachePath: uniquePath('h18'), name: 'h18', maxItems: 2 });
  for (let i = 0; i < 300; i++) expect(await f(i)).toBe(i * 2);
  for (let round = 0; round < 300; round++) {
    expect(await f.delete(round)).toBe(false);
    await f.clear();
  }
  expect(await f(1)).toBe(2);
  expect(f.stats()).toMatchObject({ misses: 301, size: 1 });
  await expect(lib.flushCaches()).resolves.toBeUndefined();
});

it('a delete() and a clear() made while the database will not open are applied once it does', async () => {
  const cachePath = uniquePath('h18-later');
  const lib = await freshLibrary();
  const f = lib.cache(async (n: number) => n * 2, { toDisk: true, cachePath, name: 'kept' });
  const g = lib.cache(async (n: number) => n * 3, { toDisk: true, cachePath, name: 'cleared' });
  await Promise.all([f(1), f(2), g(1)]);
  await lib.flushCaches();
  (await import('../../../src/disk/connection')).connection(cachePath).reset(); // closed under the page
  const open = openFails();
  expect(await f.delete(1)).toBe(true); // from memory
  await g.clear();
  open.mockRestore();
  timeTravel(6000); // the connection may open again 5 s after it failed
  expect(await f(3)).toBe(6);
  await lib.flushCaches();
  expect((await storedEntries(cachePath)).map((record) => record.value).sort()).toEqual([4, 6]);
});
