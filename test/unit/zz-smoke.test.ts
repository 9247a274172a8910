import 'fake-indexeddb/auto';
import { expect, test, vi } from 'vitest';

test('smoke', async () => {
  const lib = await import('/work/main/src/index.ts');
  let n = 0;
  const f = lib.cache(async (x: string) => `${x}:${++n}`, { toDisk: true, name: 'smoke' });
  expect(await f('a')).toBe('a:1');
  expect(await f('a')).toBe('a:1');
  expect(f.stats()).toMatchObject({ hits: 1, misses: 1 });
  await lib.flushCaches();
  vi.resetModules();
  const lib2 = await import('/work/main/src/index.ts');
  const g = lib2.cache(async (x: string) => `${x}:new`, { toDisk: true, name: 'smoke' });
  expect(await g('a')).toBe('a:1');
  expect(g.stats()).toMatchObject({ diskHits: 1 });
  expect(await g.delete('a')).toBe(true);
  expect(await g('a')).toBe('a:new');
  await lib2.clearCaches();
  expect(await g('a')).toBe('a:new');
  expect(g.stats().misses).toBe(1);
  const m = lib2.cache((o: { a: number }) => o.a * 2, { maxItems: 2 });
  expect(await m({ a: 1 })).toBe(2);
  expect(await m({ a: 1 })).toBe(2);
  expect(m.stats().hits).toBe(1);
});
