// Fourth and fifth hostile passes; regression tests (each failed before its fix). A logout that
// fails to empty a database (CLEAR_BLOCKED: it refused the emptying transaction) must not lose the
// removals asked before it:
// - h34: loggedOut() dropped the removals kept for later as soon as a logout began;
// - h35: a delete() asked just before the logout was made moot in flight, neither applied nor kept;
// - h37: removals kept again after the failed logout were never tried in the background, so a page
//   reloaded before its next disk operation lost them.
// Once the database takes writes again, the next page served what delete() removed.
import { afterEach, expect, it, vi } from 'vitest';
import { cache, clearCaches, flushCaches } from '../../../src/index';
import { freshLibrary, refuseWrites, storedEntries, uniquePath, waitFor } from '../helpers';

afterEach(() => vi.restoreAllMocks());

/** `f('x')` stored, then a disk that refuses writes until `allowWrites()`; `f` answers `x <version>`. */
async function storedThenRefusing(label: string) {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath(label);
  const options = { toDisk: true, cachePath, name: label };
  const state = { version: 'stale', refusing: false };
  const fn = async (k: string) => `${k} ${state.version}`;
  const f = cache(fn, options);
  await f('x');
  await flushCaches();
  state.refusing = true;
  refuseWrites(() => state.refusing);
  return {
    f,
    cachePath,
    allowWrites: () => void (state.refusing = false),
    /** What a reloaded page (a fresh module instance) answers for 'x', the version now 'fresh'. */
    reloaded: async () => {
      state.version = 'fresh';
      return (await freshLibrary()).cache(fn, options)('x');
    },
    fresh: () => void (state.version = 'fresh'),
  };
}

it('a delete() kept for later is not lost when the logout begun after it fails to empty the database', async () => {
  const { f, cachePath, allowWrites, reloaded } = await storedThenRefusing('h34');
  expect(await f.delete('x')).toBe(true); // kept for later
  await expect(clearCaches()).rejects.toMatchObject({ code: 'CLEAR_BLOCKED' });
  allowWrites();
  await flushCaches();
  await waitFor(async () => (await storedEntries(cachePath)).length === 0);
  expect(await reloaded()).toBe('x fresh');
}, 20_000);

it('a delete() asked right before a logout that fails is not lost', async () => {
  const { f, cachePath, allowWrites, reloaded, fresh } = await storedThenRefusing('h35');
  const deleted = f.delete('x'); // asked before the logout begins
  await expect(clearCaches()).rejects.toMatchObject({ code: 'CLEAR_BLOCKED' });
  expect(await deleted).toBe(true);
  allowWrites();
  await flushCaches();
  fresh();
  const onDisk = (await storedEntries(cachePath)).map((e) => e.value);
  const samePage = await f('x');
  expect({ onDisk, samePage, reloaded: await reloaded() }).toEqual({ onDisk: [], samePage: 'x fresh', reloaded: 'x fresh' });
}, 20_000);

it('a delete() kept again after a failed logout is tried in the background once the disk recovers', async () => {
  const { f, cachePath, allowWrites, reloaded } = await storedThenRefusing('h37');
  expect(await f.delete('x')).toBe(true); // kept for later
  await expect(clearCaches()).rejects.toMatchObject({ code: 'CLEAR_BLOCKED' });
  allowWrites(); // this page makes no further call
  // The background tries apply it (they last 250 + 1000 + 3000 ms at most).
  await waitFor(async () => (await storedEntries(cachePath)).length === 0, 6000);
  expect(await reloaded()).toBe('x fresh');
}, 20_000);
