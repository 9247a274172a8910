// Fourth hostile pass; a regression test (it failed before the fix):
// Tab A's delete() is refused by the disk and kept for later; its hint goes out at once, before
// anything is committed. Tab B, having heard it, reads the entry (still on disk) and keeps it in
// memory. When A's kept removal is applied later (its next operation, flushCaches(), or the
// background tries), nothing tells B: B answers the removed result for the life of the page.
import { afterEach, expect, it, vi } from 'vitest';
import { heard } from '../../shared/channel';
import { freshLibrary, refuseWrites, storedEntries, uniquePath } from '../helpers';

afterEach(() => vi.restoreAllMocks());

it("after tab A's kept delete() is applied, tab B no longer answers the removed result", async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath('h31');
  const options = { toDisk: true, cachePath, name: 'h31' };
  const tabA = await freshLibrary();
  const tabB = await freshLibrary();
  let user = 'old';
  const fn = async (k: string) => `${k} of ${user}`;
  const a = tabA.cache(fn, options);
  const b = tabB.cache(fn, options);
  await a('x');
  await b('seed');
  await tabA.flushCaches();
  await tabB.flushCaches();

  let refusing = true;
  refuseWrites(() => refusing);
  const told = heard('delete');
  expect(await a.delete('x')).toBe(true); // kept for later: the disk refused it
  await told;
  await new Promise((r) => setTimeout(r, 0)); // B has heard it
  // B reads the disk, where the removal is not applied yet (the disk is still refusing writes).
  expect(await b('x')).toBe('x of old');

  refusing = false;
  user = 'new';
  await tabA.flushCaches(); // A's kept removal is applied now
  expect((await storedEntries(cachePath)).map((e) => e.value)).not.toContain('x of old');
  await tabB.flushCaches();
  await new Promise((r) => setTimeout(r, 50));
  // The removal is committed: B must not answer what it removed.
  expect(await b('x')).toBe('x of new');
});
