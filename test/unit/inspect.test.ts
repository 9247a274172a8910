// The inspector after a reload (issue 16): labels are never stored, so a fresh page shows hashed keys
// until its own calls name them.
import { describe, expect, it } from 'vitest';
import { cache, flushCaches, inspect } from '../../src/index';
import { labelOfKey, shorten } from '../../src/inspect/label';
import { encodeCall } from '../../src/key/encode';
import { approxBytes } from '../../src/inspect/size';
import { freshLibrary, storedEntries, uniquePath } from './helpers';

describe('inspect() across a reload', () => {
  it('shows entries a fresh page has not seen by their hashed key, and writes no argument text to IndexedDB', async () => {
    const cachePath = uniquePath('inspect-reload');
    const secret = 'argument-text-never-stored';
    const body = async (word: string) => word.length;
    const first = cache(body, { toDisk: true, cachePath, name: 'lengths' });
    await first(secret);
    await first('other');
    expect((await inspect(first)).entries.map((entry) => entry.label)).toEqual([`'${secret}'`, "'other'"]);
    await flushCaches();
    const records = await storedEntries(cachePath);
    expect(records).toHaveLength(2);
    expect(JSON.stringify(records)).not.toContain(secret);

    const fresh = await freshLibrary();
    const second = fresh.cache(body, { toDisk: true, cachePath, name: 'lengths' });
    const reloaded = await fresh.inspect(second);
    expect(reloaded.entries.map((entry) => entry.where)).toEqual(['disk', 'disk']);
    for (const entry of reloaded.entries) expect(entry.label).toBe(`#${entry.diskKey!.slice(0, 12)}`);

    await second(secret);
    const named = await fresh.inspect(second);
    expect(named.entries.map((entry) => [entry.label, entry.where])).toEqual(
      expect.arrayContaining([[`'${secret}'`, 'both'], [expect.stringMatching(/^#[0-9a-f]{12}$/), 'disk']]),
    );
  });

  it('keeps the disk order of a bounded namespace across the reload', async () => {
    const cachePath = uniquePath('inspect-order');
    const body = async (word: string) => word;
    const first = cache(body, { toDisk: true, cachePath, name: 'ordered', maxItems: 3, policy: 'LFU' });
    for (const word of ['a', 'b', 'c', 'a', 'a', 'b']) await first(word);
    const before = await inspect(first);
    await flushCaches();
    const fresh = await freshLibrary();
    const after = await fresh.inspect(fresh.cache(body, { toDisk: true, cachePath, name: 'ordered', maxItems: 3, policy: 'LFU' }));
    expect(after.entries.map((entry) => entry.diskKey)).toEqual(before.entries.map((entry) => entry.diskKey));
    expect(after.entries.map((entry) => entry.hits)).toEqual([0, 1, 2]);
    expect(after.entries[0]!.evictsNext).toBe(true);
  });
});

describe('labels and sizes', () => {
  const key = (...args: unknown[]) => encodeCall(args, undefined, [], false).text;
  it('reads each kind of key', () => {
    expect(labelOfKey(key())).toBe('()');
    expect(labelOfKey('hi')).toBe("'hi'"); // a single string argument is its own key
    expect(labelOfKey(key('hi', -1))).toBe("'hi', -1");
    expect(labelOfKey(key(true, false, undefined, null))).toBe('true, false, undefined, null');
    expect(labelOfKey(key(12n, Symbol.for('s')))).toBe("12n, Symbol.for('s')");
    expect(labelOfKey(key(new Map([['a', 1]]), new Set([1, 2])))).toBe('Map(1), Set(2)');
    expect(labelOfKey(key(new Uint8Array(3), new ArrayBuffer(2048)))).toBe('Uint8Array(3 bytes), ArrayBuffer(2048 bytes)');
    expect(labelOfKey(key({ a: [1, 'two'] }, new Date(0)))).toBe("{ a: [1, 'two'] }, 1970-01-01T00:00:00.000Z");
    expect(labelOfKey(key(/x/g, new URL('https://a.test/')))).toBe("/x/g, URL('https://a.test/')");
    const o = {};
    expect(labelOfKey(key([o, o]))).toBe('[{}, <met before>]');
    expect(labelOfKey(key(() => 1))).toMatch(/^#\d+$/);
    // A File and false once shared a tag: the label read a file as `false` and lost the rest.
    const file = new File(['abc'], 'a.txt', { type: 'text/plain', lastModified: 5 });
    expect(labelOfKey(key(false, file, new Blob(['xy'])))).toBe("false, File('a.txt', 3 bytes), Blob(2 bytes)");
  });

  it('shows a key it cannot read as it is, cut to 60 characters', () => {
    expect(labelOfKey('\u0001not a key')).toBe('\u0001not a key');
    expect(labelOfKey('\u0001'.repeat(200))).toHaveLength(60);
    expect(shorten('abcdefghij', 5)).toBe('abc…j');
  });

  it('estimates sizes without looping on cycles', () => {
    const cyclic: { self?: unknown; bytes: Uint8Array } = { bytes: new Uint8Array(1000) };
    cyclic.self = cyclic;
    expect(approxBytes(cyclic)).toBeGreaterThan(1000);
    expect(approxBytes(cyclic)).toBeLessThan(1200);
    expect(approxBytes('abc')).toBe(6);
  });
});
