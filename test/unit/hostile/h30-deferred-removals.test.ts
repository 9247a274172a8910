// Third hostile pass (removals the database did not take, kept for later, and logouts): each test
// failed before its fix.
import { afterEach, expect, it, vi } from 'vitest';
import { cache, clearCaches, flushCaches } from '../../../src/index';
import { dumpStores, freshLibrary, refuseWrites, storedEntries, uniquePath, waitFor } from '../helpers';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const values = async (path: string) => (await storedEntries(path)).map((entry) => entry.value);

it('a call made while two delete()s kept for later are being applied never reads what they removed', async () => {
  // They were applied one transaction each, and an operation asked meanwhile went first.
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath('h30-partial');
  let user = 'old';
  const f = cache((n: number) => `${n} of ${user}`, { toDisk: true, cachePath, name: 'h30-partial' });
  await f(1);
  await f(2);
  await flushCaches();
  let refusing = true;
  refuseWrites(() => refusing);
  expect(await f.delete(1)).toBe(true);
  expect(await f.delete(2)).toBe(true);
  refusing = false;
  user = 'new';
  const [, two] = await Promise.all([f.delete(3), f(2)]);
  expect(two).toBe('2 of new');
  await flushCaches();
  expect(await values(cachePath)).toEqual(['2 of new']);
});

it('delete()s kept for later, whose try fails again while another is kept, are all applied in the end', async () => {
  // The try put its removals back only if no newer one of the namespace was kept meanwhile.
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath('h30-merge');
  const options = { toDisk: true, cachePath, name: 'h30-merge' };
  let user = 'old';
  const f = cache((n: number) => `${n} of ${user}`, options);
  for (let n = 0; n < 10; n++) await f(n);
  await flushCaches();
  // Refused: the ten delete()s, then (once the try has applied one) the rest of the try and an eleventh.
  let refuseAfter = 0;
  let allowed = 0;
  refuseWrites(() => allowed++ >= refuseAfter);
  for (let n = 0; n < 10; n++) expect(await f.delete(n)).toBe(true);
  allowed = 0;
  refuseAfter = 1;
  await Promise.all([f.delete(100), f.delete(200)]);
  refuseAfter = Infinity;
  await waitFor(async () => (await values(cachePath)).length === 0);
  user = 'new';
  const reloaded = (await freshLibrary()).cache((n: number) => `${n} of ${user}`, options);
  expect(await reloaded(5)).toBe('5 of new');
});

it('after await clear() and await flushCaches(), a reload does not bring the cleared results back', async () => {
  // flushCaches() did not wait for the removal kept for later (its next try was 250 ms away).
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath('h30-flush');
  const options = { toDisk: true, cachePath, name: 'h30-flush' };
  let user = 'old';
  const f = cache((n: number) => `${n} of ${user}`, options);
  await f(1);
  await flushCaches();
  let refusals = 1;
  refuseWrites(() => refusals-- > 0);
  await f.clear();
  await flushCaches();
  expect(await values(cachePath)).toEqual([]);
  user = 'new';
  const reloaded = (await freshLibrary()).cache((n: number) => `${n} of ${user}`, options);
  expect(await reloaded(1)).toBe('1 of new');
});

it('a removal the database keeps refusing is tried again in the background three times, not for ever', async () => {
  // A failed try started the schedule again: one try every 250 ms for the life of the page.
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath('h30-tries');
  const f = cache((n: number) => n, { toDisk: true, cachePath, name: 'h30-tries' });
  await f(1);
  await flushCaches();
  const counts = refuseWrites(() => true);
  vi.useFakeTimers({ toFake: ['setTimeout'] });
  await f.clear();
  const afterClear = counts.refused;
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(1000);
  expect(counts.refused - afterClear).toBe(3);
});

it.each(['delete', 'clear'] as const)('%s() not awaited just before clearCaches() leaves nothing of the previous user (no tombstone of their argument)', async (how) => {
  // The removal reached the database after the logout had emptied it: a tombstone keyed by the
  // SHA-256 of the previous user's argument, and a namespace record.
  const cachePath = uniquePath('h30-logout');
  const profile = cache(async (email: string) => ({ email, name: 'Alice' }), { toDisk: true, cachePath, name: 'profile' });
  await profile('alice@example.com');
  await flushCaches();
  void (how === 'delete' ? profile.delete('alice@example.com') : profile.clear());
  await clearCaches();
  await flushCaches();
  expect(await dumpStores(cachePath)).toEqual({ entries: [], namespaces: [], tombstones: [], meta: [] });
});
