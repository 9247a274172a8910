// The disk tier is a chunk loaded by import() on the first toDisk use. These tests import the
// modules a memory-only app imports, in a fresh module graph each.
import { beforeEach, expect, it, vi } from 'vitest';

beforeEach(() => {
  vi.resetModules();
  localStorage.clear();
});

it('a memory-only cache never loads the disk tier, nor does flushCaches()', async () => {
  const { cache } = await import('../../src/cache');
  const { flushCaches, loadedDisk } = await import('../../src/registry');
  const f = cache((n: number) => n * 2, { maxItems: 2 });
  expect(await f(2)).toBe(4);
  expect(await f(2)).toBe(4);
  expect(await f.delete(2)).toBe(true);
  await f.clear();
  await flushCaches();
  expect(f.stats()).toMatchObject({ misses: 1, memoryHits: 1 });
  expect(loadedDisk()).toBeUndefined();
});

it('a toDisk cache loads it, and calls made while it loads are answered in order', async () => {
  const { cache } = await import('../../src/cache');
  const { loadedDisk } = await import('../../src/registry');
  let calls = 0;
  const f = cache((n: number) => `${n}:${++calls}`, { toDisk: true, cachePath: 'lazy-disk-test', name: 'lazy' });
  expect(loadedDisk()).toBeUndefined();
  const answers = await Promise.all([f(1), f(1), f(2), f.delete(3)]);
  expect(answers).toEqual(['1:1', '1:1', '2:2', false]);
  expect(loadedDisk()).toBeDefined();
  expect(f.stats()).toMatchObject({ misses: 2, size: 2 });
});

it('clearCaches() in a page that never used toDisk still empties the databases of earlier visits', async () => {
  // An earlier visit stored a result in database "lazy-earlier".
  const earlier = await import('../../src/index');
  await earlier.cache((n: number) => n, { toDisk: true, cachePath: 'lazy-earlier', name: 'f' })(1);
  await earlier.flushCaches();
  // This visit imports only cache() and clearCaches() and uses memory only.
  vi.resetModules();
  const { clearCaches, loadedDisk } = await import('../../src/registry');
  expect(loadedDisk()).toBeUndefined();
  await clearCaches();
  expect(loadedDisk()).toBeDefined();
  const { storedEntries } = await import('./helpers');
  expect(await storedEntries('lazy-earlier')).toEqual([]);
});
