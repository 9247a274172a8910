// Fifth hostile pass; a regression test (it failed before the fix):
// A delete() asked just before clearCaches() is made moot when its transaction is created (the
// logout began: "it empties what the removal would"), and it is neither applied nor kept. When the
// logout then fails (CLEAR_BLOCKED: the database refused its emptying transaction), nothing
// removed the entry: once the disk takes writes again, this very page (and the next one) serves
// the result whose delete() resolved true. h34 fixed this for removals already kept; the ones made
// moot in flight (tiers.ts unlessLoggedOut / disk/index.ts removal(), and apply()'s early return)
// are still dropped.
import { afterEach, expect, it, vi } from 'vitest';
import { cache, clearCaches, flushCaches } from '../../../src/index';
import { freshLibrary, refuseWrites, storedEntries, uniquePath } from '../helpers';

afterEach(() => vi.restoreAllMocks());

it('a delete() asked right before a logout that fails is not lost', async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath('h35');
  const options = { toDisk: true, cachePath, name: 'h35' };
  let version = 'stale';
  const f = cache(async (k: string) => `${k} ${version}`, options);
  await f('x');
  await flushCaches();
  let refusing = true;
  refuseWrites(() => refusing);
  const deleted = f.delete('x'); // asked before the logout begins
  await expect(clearCaches()).rejects.toMatchObject({ code: 'CLEAR_BLOCKED' });
  expect(await deleted).toBe(true);
  refusing = false; // the disk takes writes again
  await flushCaches();
  version = 'fresh';
  const onDisk = (await storedEntries(cachePath)).map((e) => e.value);
  const samePage = await f('x');
  const reloaded = await (await freshLibrary()).cache(async (k: string) => `${k} ${version}`, options)('x');
  expect({ onDisk, samePage, reloaded }).toEqual({ onDisk: [], samePage: 'x fresh', reloaded: 'x fresh' });
}, 20_000);
