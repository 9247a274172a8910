// After an open fails (blocked by another tab's upgrade, a browser error), results are answered and
// kept in memory; once the database opens again, new results are stored as usual.
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary, storedEntries, timeTravel, uniquePath } from '../helpers';

afterEach(() => vi.restoreAllMocks());

it('a failed open costs no result, and the disk is used again once it opens', async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const lib = await freshLibrary();
  const cachePath = uniquePath('h15');
  const failures = vi.spyOn(indexedDB, 'open').mockImplementationOnce(() => {
    throw new DOMException('Internal error opening backing store', 'UnknownError');
  });
  const f = lib.cache((n: number) => `${n}!`, { toDisk: true, cachePath, name: 'h15' });
  expect(await f(1)).toBe('1!');
  expect(await f(1)).toBe('1!');
  expect(failures).toHaveBeenCalled();
  expect(f.stats()).toMatchObject({ misses: 1, memoryHits: 1 });
  timeTravel(6000); // the connection tries to open again 5 s after a failure
  expect(await f(2)).toBe('2!');
  await lib.flushCaches();
  expect((await storedEntries(cachePath)).map((record) => record.value)).toEqual(['2!']);
  const reloaded = (await freshLibrary()).cache((n: number) => `${n} recomputed`, { toDisk: true, cachePath, name: 'h15' });
  expect([await reloaded(1), await reloaded(2)]).toEqual(['1 recomputed', '2!']);
});
