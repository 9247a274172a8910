// Fifth hostile pass; a regression test (it failed before the fix):
// A logout that fails keeps again the removals it dropped (keepAgain, the h34 fix), but nothing
// tries them any more: the background tries (applySoon) of the removal found `deferred` empty while
// the logout ran and stopped, and keepAgain schedules none. Once the disk takes writes again, the
// removal waits for this page's next disk operation; a page reloaded (or closed) before that loses
// it, and the next page serves the result whose delete() resolved true. The fix of bug 8 ("tried
// again at once and in the background") does not hold on this path. (h34 passes only because it
// calls flushCaches(), which tries them.)
import { afterEach, expect, it, vi } from 'vitest';
import { cache, clearCaches, flushCaches } from '../../../src/index';
import { freshLibrary, refuseWrites, storedEntries, uniquePath, waitFor } from '../helpers';

afterEach(() => vi.restoreAllMocks());

it('a delete() kept again after a failed logout is tried in the background once the disk recovers', async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath('h37');
  const options = { toDisk: true, cachePath, name: 'h37' };
  let version = 'stale';
  const f = cache(async (k: string) => `${k} ${version}`, options);
  await f('x');
  await flushCaches();
  let refusing = true;
  refuseWrites(() => refusing);
  expect(await f.delete('x')).toBe(true); // kept for later
  await expect(clearCaches()).rejects.toMatchObject({ code: 'CLEAR_BLOCKED' });
  refusing = false; // the disk takes writes again; this page makes no further call
  // The background tries apply it (they last 250 + 1000 + 3000 ms at most).
  await waitFor(async () => (await storedEntries(cachePath)).length === 0, 6000);
  version = 'fresh';
  const reloaded = await (await freshLibrary()).cache(async (k: string) => `${k} ${version}`, options)('x');
  expect(reloaded).toBe('x fresh');
}, 20_000);
