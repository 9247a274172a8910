// Fifth hostile pass; a regression test (it failed before the fix):
// A logout that fails to empty a database keeps again the removals it dropped (keepAgain, the h34
// fix), whenever it gives up: even when another logout began meanwhile and emptied the database
// (the user logs out again while the first seems stuck; or another tab's logout is heard). The
// restored removals are then applied to the next user's emptied database: a tombstone keyed by the
// SHA-256 of the previous user's argument, and the namespace record, are left after a logout that
// succeeded.
import { afterEach, expect, it, vi } from 'vitest';
import { cache, clearCaches, flushCaches } from '../../../src/index';
import { dumpStores, refuseWrites, uniquePath } from '../helpers';

afterEach(() => vi.restoreAllMocks());

it("a failed logout's kept removals are not applied after a later logout emptied the database", async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath('h36');
  const profile = cache(async (email: string) => ({ email, name: 'someone' }), { toDisk: true, cachePath, name: 'profile' });
  await profile('bob@example.com');
  await flushCaches();
  let refusing = true;
  refuseWrites(() => refusing);
  expect(await profile.delete('bob@example.com')).toBe(true); // kept for later
  const first = clearCaches(); // fails: tries at 0, 200, 800 ms, then 3 s later
  const firstOutcome = first.then(() => 'ok', (e: { code?: string }) => e.code);
  await new Promise((r) => setTimeout(r, 1300)); // its third try has failed
  refusing = false;
  await clearCaches(); // the user logs out again: this one empties the database
  refusing = true; // a transient fault again when the first one tries a last time
  expect(await firstOutcome).toBe('CLEAR_BLOCKED');
  refusing = false;
  await flushCaches();
  await new Promise((r) => setTimeout(r, 50));
  await flushCaches();
  const left = await dumpStores(cachePath);
  // The database was emptied by the second logout: nothing of the previous user after it.
  expect({ tombstones: left.tombstones, namespaces: left.namespaces }).toEqual({ tombstones: [], namespaces: [] });
}, 20_000);
