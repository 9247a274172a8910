// Key semantics; runs under happy-dom (Node's Web Crypto) and in real Chromium.
import { describe, expect, it } from 'vitest';
import { cache } from '../../src/index.ts';
import { memoryKeyOf } from '../../src/key/digest.ts';
import { encodeKey } from '../../src/key/encode.ts';
import { Other, Point } from './classes.ts';

const keyOf = (...args: unknown[]) => memoryKeyOf(encodeKey(args, undefined, []));

function cyclic(label: string) {
  const node: Record<string, unknown> = { label };
  node.self = node;
  node.list = [node, { back: node }];
  return node;
}


/** `[, 1]`: an array whose first slot is a hole. */
function holeThenOne(): unknown[] {
  const array: unknown[] = [];
  array[1] = 1;
  return array;
}

const bigArray = (size: number, change?: number) => {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31) & 0xff;
  if (change !== undefined) bytes[change] = bytes[change]! ^ 1;
  return bytes;
};

describe('keys that must hit', () => {
  const equalPairs: [string, unknown[], unknown[]][] = [
    ['plain objects in any key order', [{ a: 1, b: { c: 2, d: 3 } }], [{ b: { d: 3, c: 2 }, a: 1 }]],
    ['equal Dates', [new Date(5)], [new Date(5)]],
    ['equal typed arrays', [new Float64Array([1, 2.5])], [new Float64Array([1, 2.5])]],
    ['Sets in any insertion order', [new Set([1, 'a', 3])], [new Set([3, 1, 'a'])]],
    ['Maps in any insertion order', [new Map<unknown, unknown>([['x', 1], [2, 'y']])], [new Map<unknown, unknown>([[2, 'y'], ['x', 1]])]],
    ['NaN with NaN', [NaN], [NaN]],
    ['equal cyclic structures', [cyclic('n')], [cyclic('n')]],
    ['class instances with equal data', [new Point(1, 2)], [new Point(1, 2)]],
    ['equal large typed arrays', [bigArray(100_000)], [bigArray(100_000)]],
    ['equal Blobs', [new Blob(['abc'], { type: 'text/plain' })], [new Blob(['abc'], { type: 'text/plain' })]],
    ['equal RegExps', [/a+/gi], [/a+/gi]],
    ['equal URLs', [new URL('https://a.test/x?q=1')], [new URL('https://a.test/x?q=1')]],
    ['Sets of large typed arrays in any order', [new Set([bigArray(600), bigArray(700)])], [new Set([bigArray(700), bigArray(600)])]],
    ['JSON data with integer-like keys in any order', [{ x: 1, 10: 'a', 9: [{ b: 1, a: 2 }] }], [{ 9: [{ a: 2, b: 1 }], x: 1, 10: 'a' }]],
    ['JSON data with an own "__proto__" key in any order', [JSON.parse('{"__proto__":1,"a":2}')], [JSON.parse('{"a":2,"__proto__":1}')]],
    ['-0 and 0 inside JSON data', [{ a: [-0] }], [{ a: [0] }]],
    ['null-prototype and literal objects', [Object.assign(Object.create(null) as object, { a: 1 })], [{ a: 1 }]],
  ];
  it.each(equalPairs)('%s', async (_label, a, b) => {
    expect(await keyOf(...a)).toBe(await keyOf(...b));
  });
});

describe('keys that must miss', () => {
  const distinctPairs: [string, unknown[], unknown[]][] = [
    ['1 vs "1"', [1], ['1']],
    ['1 vs 1n', [1], [1n]],
    ['1 vs true', [1], [true]],
    ['"1" vs 1n', ['1'], [1n]],
    ['null vs undefined', [null], [undefined]],
    ['[1,2] vs "1,2"', [[1, 2]], ['1,2']],
    ['[[1],2] vs [1,[2]]', [[[1], 2]], [[1, [2]]]],
    ['Uint8Array vs Float64Array of the same numbers', [new Uint8Array([1, 2])], [new Float64Array([1, 2])]],
    ['{ab:""} vs {a:"b"}', [{ ab: '' }], [{ a: 'b' }]],
    ['arguments in another order', [1, 2], [2, 1]],
    ['arguments in another count', [1], [1, undefined]],
    ['large typed arrays differing in the last element', [bigArray(1 << 20)], [bigArray(1 << 20, (1 << 20) - 1)]],
    ['large typed arrays differing in the middle', [bigArray(1 << 20)], [bigArray(1 << 20, 1 << 19)]],
    ['large typed arrays differing in the first element', [bigArray(1 << 20)], [bigArray(1 << 20, 0)]],
    ['instances of different classes with equal data', [new Point(1, 2)], [new Other(1, 2)]],
    ['instances with different data', [new Point(1, 2)], [new Point(1, 3)]],
    ['Blobs with different content', [new Blob(['abc'])], [new Blob(['abd'])]],
    ['different Dates', [new Date(5)], [new Date(6)]],
    ['Set vs array of the same members', [new Set([1])], [[1]]],
    ['object vs Map of the same entries', [{ a: 1 }], [new Map([['a', 1]])]],
    ['boxed vs primitive string', [Object('a')], ['a']],
    ['string with separator characters', ['a', 'b'], ['a1|s1:b']],
    ['lone surrogates', ['\uD800'], ['\uDBFF']],
    ['different cycles', [cyclic('n')], [cyclic('m')]],
    ['different URLs', [new URL('https://a.test/')], [new URL('https://b.test/')]],
    ['different Headers', [new Headers({ accept: 'a' })], [new Headers({ accept: 'b' })]],
    ['NaN vs null inside an object (JSON writes both as null)', [{ a: NaN }], [{ a: null }]],
    ['Infinity vs null inside an array', [[Infinity]], [[null]]],
    ['an undefined field vs no field (JSON drops both)', [{ a: undefined }], [{}]],
    ['an array hole vs null', [holeThenOne()], [[null, 1]]],
    ['a Date vs its JSON text', [{ d: new Date(5) }], [{ d: new Date(5).toJSON() }]],
    ['a string spelling JSON vs that JSON data', ['[{"a":1}]'], [{ a: 1 }]],
    ['an object with a string vs with a number', [{ a: '1' }], [{ a: 1 }]],
    ['an array with toJSON vs what toJSON returns', [Object.assign([1], { toJSON: () => 'x' })], ['x']],
  ];
  it.each(distinctPairs)('%s', async (_label, a, b) => {
    expect(await keyOf(...a)).not.toBe(await keyOf(...b));
  });
});

describe('the key memo of plain data', () => {
  it('answers a repeated call with the key of its full encoding, in any field order', async () => {
    const first = await keyOf({ b: [1, { d: 'x', c: null }], a: true });
    expect(await keyOf({ b: [1, { d: 'x', c: null }], a: true })).toBe(first);
    expect(await keyOf({ a: true, b: [1, { c: null, d: 'x' }] })).toBe(first);
  });

  it('follows a mutated argument instead of answering with the key of its old content', async () => {
    const query = { id: 1, tags: ['a'] };
    const before = await keyOf(query);
    query.tags.push('b');
    const after = await keyOf(query);
    expect(after).not.toBe(before);
    expect(after).toBe(await keyOf({ id: 1, tags: ['a', 'b'] }));
  });

  it('is not fooled by a getter that answers differently each time', async () => {
    let reads = 0;
    const shifty = { get v() { return ++reads; } };
    const key = await keyOf(shifty);
    expect([await keyOf({ v: 1 }), await keyOf({ v: 2 })]).toContain(key);
  });
});

describe('unkeyable values', () => {
  it('names where a function sits and how to fix it', async () => {
    const f = cache((options: { handler: () => void }) => options);
    await expect(f({ handler: () => {} })).rejects.toThrow(TypeError);
    await expect(f({ handler: () => {} })).rejects.toThrow(/args\[0\]\.handler.*`key`.*`hashFuncs`/s);
  });

  it('refuses platform objects whose state it cannot see', async () => {
    const f = cache((..._args: unknown[]) => 1);
    await expect(f({ target: document.createElement('div') })).rejects.toThrow(/args\[0\]\.target: a HTMLDivElement/);
    await expect(f(Promise.resolve(1))).rejects.toThrow(TypeError);
  });

  it('refuses WeakMaps; keys symbols by identity in memory and refuses Symbol() on disk', async () => {
    const f = cache((..._args: unknown[]) => 1);
    await expect(f(1, [new WeakMap()])).rejects.toThrow(/args\[1\]\[0\]/);
    await expect(f(Symbol())).resolves.toBe(1);
    const g = cache((..._args: unknown[]) => 1, { toDisk: true, name: 'one', cachePath: `keys-symbol-${Date.now()}` });
    await expect(g({ s: Symbol('a') })).rejects.toThrow(/args\[0\]\.s: a symbol made by Symbol\("a"\) exists only in this page.*`key`/s);
    await expect(g(Symbol.for('a'), Symbol.iterator)).resolves.toBe(1);
  });

  it('accepts them through hashFuncs, by class or by predicate', async () => {
    const weak = new WeakMap();
    let calls = 0;
    const f = cache(
      (_w: WeakMap<object, unknown>, _g: () => void) => ++calls,
      {
        hashFuncs: [
          [WeakMap, () => 'the-weak-map'],
          [(v: unknown) => typeof v === 'function', (fn: () => void) => fn.name],
        ],
      },
    );
    function handler() {}
    expect(await f(weak, handler)).toBe(1);
    expect(await f(new WeakMap(), handler)).toBe(1);
    expect(calls).toBe(1);
  });

  it('accepts hashFuncs keyed by class name, like Panel\'s hash_funcs dict', async () => {
    let calls = 0;
    const f = cache((_w: WeakMap<object, unknown>) => ++calls, { hashFuncs: { WeakMap: () => 'one' } });
    expect(await f(new WeakMap())).toBe(1);
    expect(await f(new WeakMap())).toBe(1);
  });

  it('keeps a hashed stand-in apart from the same natural value', async () => {
    let calls = 0;
    const f = cache((_v: unknown) => ++calls, { hashFuncs: new Map([[Date, () => 'x']]) });
    await f(new Date(1));
    await f('x');
    expect(calls).toBe(2);
  });

  it('refuses a sparse array of billions of slots at once', async () => {
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    const f = cache((_v: unknown) => 1);
    await expect(f(sparse)).rejects.toThrow(/args\[0\]: an array of 4294967295 elements is too long/);
  });

  it('refuses values nested too deep without overflowing the stack', async () => {
    let deep: unknown = 0;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const f = cache((_v: unknown) => 1);
    await expect(f(deep)).rejects.toThrow(/nested more than/);
  });
});
