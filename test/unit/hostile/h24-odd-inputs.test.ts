// Found by a hostile review of the rebuilt core: a damaged epoch record stopped every write, an
// async `key` made every call a miss (memory grew by one entry per call), reactive (Proxy) Maps and
// Sets threw a raw TypeError, objects differing only in hidden fields shared a result, and
// `hashFuncs` keyed by an app's class name broke once a minifier renamed the class.
import { openDB } from 'idb';
import { expect, it } from 'vitest';
import { freshLibrary, storedEntries, uniquePath } from '../helpers';

it('an epoch record of the wrong type does not stop the writes', async () => {
  const cachePath = uniquePath('h24-epoch');
  const lib = await freshLibrary();
  const f = lib.cache(async (n: number) => n * 2, { toDisk: true, name: 'h24', cachePath });
  await f(1);
  await lib.flushCaches();
  const db = await openDB(cachePath);
  await db.put('meta', { id: 'epoch', value: { damaged: true } });
  db.close();
  await f(2);
  await f(3);
  await lib.flushCaches();
  expect((await storedEntries(cachePath)).map((entry) => entry.value).sort()).toEqual([2, 4, 6]);
});

it('an async key is refused with INVALID_OPTION naming `key`, not keyed anew on every call', async () => {
  const lib = await freshLibrary();
  const f = lib.cache(async (id: number) => id, { key: async (id: number) => id });
  await expect(f(1)).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('"key"') });
  expect(f.stats().size).toBe(0);
});

/** A reactive collection as Vue 3 makes it: a Proxy with only a get trap that binds methods to the target. */
const reactive = <T extends object>(target: T): T =>
  new Proxy(target, {
    get(t, k) {
      const v: unknown = Reflect.get(t, k, t);
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(t) : v;
    },
  });

it('a reactive (Proxy) Map or Set is keyed by identity in memory, and refused on disk with its path', async () => {
  const lib = await freshLibrary();
  const size = lib.cache(async (m: Map<string, number> | Set<string>) => m.size);
  const map = reactive(new Map([['a', 1]]));
  expect([await size(map), await size(map), await size(reactive(new Set(['a'])))]).toEqual([1, 1, 1]);
  expect(size.stats()).toMatchObject({ misses: 2, memoryHits: 1 });
  const onDisk = lib.cache(async (m: Map<string, number>) => m.size, { toDisk: true, name: 'h24-reactive', cachePath: uniquePath('h24') });
  await expect(onDisk(map)).rejects.toMatchObject({ code: 'UNKEYABLE_VALUE', path: 'args[0]' });
});

it('objects that differ only in a non-enumerable or symbol-keyed field never share a result', async () => {
  const lib = await freshLibrary();
  const read = lib.cache(async (o: Record<string | symbol, unknown>) => (o.hidden ?? o[Symbol.for('k')]) as number);
  const hidden = (n: number) => Object.defineProperty({}, 'hidden', { value: n });
  const sym = (n: number) => ({ [Symbol.for('k')]: n });
  expect([await read(hidden(1)), await read(hidden(2)), await read(sym(1)), await read(sym(2))]).toEqual([1, 2, 1, 2]);
});

it("hashFuncs keyed by an app's class name are refused (a minifier renames the class); a built-in's name is kept", async () => {
  const lib = await freshLibrary();
  expect(() => lib.cache((p: unknown) => p, { hashFuncs: { Point: (p: { x: number }) => p.x } })).toThrow(
    expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining('[[Point, hash]]') }),
  );
  expect(() => lib.cache((w: unknown) => w, { hashFuncs: { WeakMap: () => 'one' } })).not.toThrow();
});
