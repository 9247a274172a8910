// The testing recipe of docs/testing.md: vitest, happy-dom and fake-indexeddb, caches emptied
// between tests, and a reload simulated by a fresh module instance on the same IndexedDB.
import { cache, cacheOf, clearCaches, flushCaches } from 'idb-memo';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { RegionView, totalOf, type Row } from './reports';

const ROWS: Row[] = [
  { region: 'north', year: 2023, amount: 10 },
  { region: 'north', year: 2024, amount: 20 },
  { region: 'north', year: 2024, amount: 5 },
];
const fetchMock = vi.fn(async () => new Response(JSON.stringify(ROWS), { headers: { 'content-type': 'application/json' } }));

beforeEach(() => {
  fetchMock.mockClear();
  vi.stubGlobal('fetch', fetchMock);
});

// Each test starts from empty caches: clearCaches() empties every cache (memory, IndexedDB and
// cachedFetch's) and resets every memoized function's stats().
afterEach(async () => {
  await clearCaches();
  vi.unstubAllGlobals();
});

it('answers a repeated call from memory', async () => {
  expect(await totalOf('north', 2024)).toBe(25);
  expect(await totalOf('north', 2024)).toBe(25);
  expect(totalOf.stats()).toMatchObject({ misses: 1, memoryHits: 1 });
  expect(fetchMock).toHaveBeenCalledTimes(1);
});

it('starts each test from empty caches', async () => {
  expect(await totalOf('north', 2024)).toBe(25);
  // Computed and fetched again: neither totalOf nor cachedFetch kept the previous test's results.
  expect(fetchMock).toHaveBeenCalledTimes(1);
});

it('memoizes a decorated method per instance', async () => {
  const north = new RegionView('north');
  expect(await north.years()).toEqual([2023, 2024]);
  expect(await new RegionView('north').years()).toEqual([2023, 2024]);
  expect(await new RegionView('south').years()).toEqual([]);
  expect(cacheOf(north.years).stats()).toMatchObject({ misses: 2, memoryHits: 1 });
});

it('reads toDisk results back after a reload', async () => {
  expect(await totalOf('north', 2023)).toBe(10);
  // Let the disk writes land, as a page does before it is reloaded.
  await flushCaches();
  // A reload: fresh modules (the app's and idb-memo's, its memory empty) on the same fake-indexeddb.
  vi.resetModules();
  const fresh = await import('./reports');
  const freshLibrary = await import('idb-memo');
  expect(freshLibrary.cache).not.toBe(cache);
  expect(await fresh.totalOf('north', 2023)).toBe(10);
  expect(fresh.totalOf.stats()).toMatchObject({ diskHits: 1, misses: 0 });
  expect(fetchMock).toHaveBeenCalledTimes(1);
  await freshLibrary.clearCaches();
});
