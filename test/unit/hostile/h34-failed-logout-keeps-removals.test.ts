// Fourth hostile pass; a regression test (it failed before the fix):
// loggedOut() drops the removals kept for later as soon as a logout *begins* ("it empties what
// they would remove"). When the logout then fails to empty that database (CLEAR_BLOCKED), nothing
// removed them: once the database takes writes again, the next page serves what delete() removed.
import { afterEach, expect, it, vi } from 'vitest';
import { cache, clearCaches, flushCaches } from '../../../src/index';
import { freshLibrary, refuseWrites, storedEntries, uniquePath, waitFor } from '../helpers';

afterEach(() => vi.restoreAllMocks());

it('a delete() kept for later is not lost when the logout begun after it fails to empty the database', async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath('h34');
  const options = { toDisk: true, cachePath, name: 'h34' };
  let version = 'stale';
  const f = cache(async (k: string) => `${k} ${version}`, options);
  await f('x');
  await flushCaches();
  let refusing = true;
  refuseWrites(() => refusing);
  expect(await f.delete('x')).toBe(true); // kept for later
  await expect(clearCaches()).rejects.toMatchObject({ code: 'CLEAR_BLOCKED' });
  refusing = false; // the disk takes writes again
  await flushCaches();
  await waitFor(async () => (await storedEntries(cachePath)).length === 0);
  version = 'fresh';
  const reloaded = (await freshLibrary()).cache(async (k: string) => `${k} ${version}`, options);
  expect(await reloaded('x')).toBe('x fresh');
}, 20_000);
