// Issue 15: the disk tier is a chunk loaded by import() on the first toDisk use. These tests import
// the modules a memory-only app imports (not src/index.ts, which also reaches cachedFetch's static
// use of the disk tier), in a fresh module graph each.
import { beforeEach, expect, it, vi } from 'vitest';

beforeEach(() => {
  vi.resetModules();
  localStorage.clear();
});

it('a memory-only cache never loads the disk tier', async () => {
  const { cache } = await import('../../src/cache');
  const { diskModule } = await import('../../src/disk/lazy');
  const f = cache((n: number) => n * 2, { maxItems: 2 });
  expect(await f(2)).toBe(4);
  expect(await f(2)).toBe(4);
  expect(await f.delete(2)).toBe(true);
  await f.clear();
  expect(f.stats()).toMatchObject({ misses: 1, memoryHits: 1 });
  expect(diskModule()).toBeUndefined();
});

it('a toDisk cache loads it, and calls made while it loads are answered in order', async () => {
  const { cache } = await import('../../src/cache');
  const { diskModule } = await import('../../src/disk/lazy');
  let calls = 0;
  const f = cache((n: number) => `${n}:${++calls}`, { toDisk: true, name: 'f', cachePath: 'lazy-disk-test' });
  expect(diskModule()).toBeUndefined();
  const answers = await Promise.all([f(1), f(1), f(2), f.delete(3)]);
  expect(answers).toEqual(['1:1', '1:1', '2:2', false]);
  expect(diskModule()).toBeDefined();
  expect(f.stats()).toMatchObject({ misses: 2, size: 2 });
});

it('clearCaches() in a page that never used toDisk still deletes the databases of earlier visits', async () => {
  // An earlier visit stored a result in database "lazy-earlier".
  const earlier = await import('../../src/index');
  await earlier.cache((n: number) => n, { toDisk: true, cachePath: 'lazy-earlier', name: 'f' })(1);
  await earlier.flushCaches();
  expect((await indexedDB.databases()).map((d) => d.name)).toContain('lazy-earlier');
  // This visit imports only cache() and clearCaches() and uses memory only.
  vi.resetModules();
  const { clearCaches } = await import('../../src/registry');
  const { diskModule } = await import('../../src/disk/lazy');
  expect(diskModule()).toBeUndefined();
  await clearCaches();
  expect(diskModule()).toBeDefined();
  expect((await indexedDB.databases()).map((d) => d.name)).not.toContain('lazy-earlier');
});
