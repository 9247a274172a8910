// Found by a hostile review of the rebuilt core: a write after delete() erased the key's tombstone,
// so a call of another tab begun before the delete stored its pre-delete result over the fresh one.
// The tabs hear nothing of each other here: the disk alone must keep the delete.
import { expect, it, vi } from 'vitest';
import { freshLibrary, storedEntries, uniquePath } from '../helpers';

it("a delete() is not undone by another tab's older call once the key is written again", async () => {
  vi.spyOn(BroadcastChannel.prototype, 'postMessage').mockImplementation(() => {});
  const cachePath = uniquePath('h20');
  const options = { toDisk: true, cachePath, name: 'h20' };
  const [tabA, tabB] = [await freshLibrary(), await freshLibrary()];
  let version = 'old';
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const computing = new Promise<void>((resolve) => (started = resolve));
  const a = tabA.cache(async (k: string) => `${k}:${version}`, options);
  const b = tabB.cache(async (k: string) => {
    const seen = version; // B reads the data before it changes
    started();
    await gate;
    return `${k}:${seen}`;
  }, options);
  await a('seed');
  await tabA.flushCaches();
  const pending = b('x'); // begun before the delete
  await computing;
  version = 'new';
  await a.delete('x');
  expect(await a('x')).toBe('x:new');
  await tabA.flushCaches();
  release();
  expect(await pending).toBe('x:old'); // its caller gets it
  await tabB.flushCaches();
  expect((await storedEntries(cachePath)).map((entry) => entry.value)).not.toContain('x:old');
  const reloaded = await freshLibrary();
  expect(await reloaded.cache(async (k: string) => `${k}:${version}`, options)('x')).toBe('x:new');
});
