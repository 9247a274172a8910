// After an open fails (blocked by another tab's upgrade, a browser error), the connection waits 5 s
// before opening again; the failed write was tried again three times within those 5 s, then given
// up: results computed just after the failure never reached the disk.
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary, storedEntries, uniquePath, waitFor } from '../helpers';

afterEach(() => vi.restoreAllMocks());

it('a result whose write met a failed open is written once the database opens again', async () => {
  const lib = await freshLibrary();
  const cachePath = uniquePath('h15');
  const failures = vi.spyOn(indexedDB, 'open').mockImplementationOnce(() => {
    throw new DOMException('Internal error opening backing store', 'UnknownError');
  });
  const f = lib.cache((n: number) => `${n}!`, { toDisk: true, cachePath, name: 'h15' });
  expect(await f(1)).toBe('1!');
  await waitFor(() => failures.mock.calls.length > 0); // the write met the failed open
  // The database may open again 5 s after the failure.
  const stored = await waitFor(async () => ((await storedEntries(cachePath)).length === 1 ? storedEntries(cachePath) : undefined), 8000);
  expect(stored.map((record) => record.value)).toEqual(['1!']);
  const reloaded = (await freshLibrary()).cache((n: number) => `${n} recomputed`, { toDisk: true, cachePath, name: 'h15' });
  expect(await reloaded(1)).toBe('1!');
}, 20_000);
