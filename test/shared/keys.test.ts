// The key rule (docs/keys.md), case by case; runs under happy-dom and in real Chromium.
import { describe, expect, it } from 'vitest';
import { cache, clearCaches, flushCaches, UnkeyableValueError } from '../../src/index.ts';
import { finishKey } from '../../src/key/digest.ts';
import { encodeCall } from '../../src/key/encode.ts';
import { Other, Point } from './classes.ts';

/** The memory key of a call with `args` (persistent: the key of a toDisk function). */
const keyOf = (args: unknown[], { self, persistent = false }: { self?: unknown; persistent?: boolean } = {}) =>
  finishKey(encodeCall(args, self, [], persistent));

const db = (label: string) => `keys-${label}-${Date.now()}-${Math.random()}`;

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

const bytes = (size: number, change?: number) => {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31) & 0xff;
  if (change !== undefined) out[change] = out[change]! ^ 1;
  return out;
};

describe('plain data is keyed by value', () => {
  const equal: [string, unknown[], unknown[]][] = [
    ['plain objects in any field order', [{ a: 1, b: { c: 2, d: 3 } }], [{ b: { d: 3, c: 2 }, a: 1 }]],
    ['null-prototype objects in any field order', [Object.assign(Object.create(null) as object, { a: 1, b: 2 })], [Object.assign(Object.create(null) as object, { b: 2, a: 1 })]],
    ['equal Dates', [new Date(5)], [new Date(5)]],
    ['equal typed arrays', [new Float64Array([1, 2.5])], [new Float64Array([1, 2.5])]],
    ['equal DataViews', [new DataView(bytes(8).buffer)], [new DataView(bytes(8).buffer)]],
    ['a subarray and its own bytes', [bytes(16).subarray(4, 8)], [bytes(16).slice(4, 8)]],
    ['Sets with the same members in the same order', [new Set([1, 'a', 3])], [new Set([1, 'a', 3])]],
    ['Maps with the same entries in the same order', [new Map<unknown, unknown>([['x', 1], [2, 'y']])], [new Map<unknown, unknown>([['x', 1], [2, 'y']])]],
    ['NaN with NaN', [NaN], [NaN]],
    ['-0 with 0 (as in Map and Set)', [{ a: [-0] }], [{ a: [0] }]],
    ['equal cyclic structures', [cyclic('n')], [cyclic('n')]],
    ['equal large typed arrays', [bytes(100_000)], [bytes(100_000)]],
    ['equal Blobs', [new Blob(['abc'], { type: 'text/plain' })], [new Blob(['abc'], { type: 'text/plain' })]],
    ['equal Files', [new File(['x'], 'a.txt', { lastModified: 5 })], [new File(['x'], 'a.txt', { lastModified: 5 })]],
    ['equal RegExps', [/a+/gi], [/a+/gi]],
    ['equal URLs', [new URL('https://a.test/x?q=1')], [new URL('https://a.test/x?q=1')]],
    ['equal long strings', ['x'.repeat(100_000)], ['x'.repeat(100_000)]],
    ['JSON data with integer-like keys in any order', [{ x: 1, 10: 'a', 9: [{ b: 1, a: 2 }] }], [{ 9: [{ a: 2, b: 1 }], x: 1, 10: 'a' }]],
    ['an own "__proto__" field in any order', [JSON.parse('{"__proto__":1,"a":2}')], [JSON.parse('{"a":2,"__proto__":1}')]],
    ['a value met twice, both times', [(() => { const o = { v: 1 }; return [o, o]; })()], [(() => { const o = { v: 1 }; return [o, o]; })()]],
  ];
  it.each(equal)('one key: %s', async (_label, a, b) => {
    expect(await keyOf(a)).toBe(await keyOf(b));
  });

  const distinct: [string, unknown[], unknown[]][] = [
    ['1 vs "1"', [1], ['1']],
    ['1 vs 1n', [1], [1n]],
    ['1 vs true', [1], [true]],
    ['null vs undefined', [null], [undefined]],
    ['[1,2] vs "1,2"', [[1, 2]], ['1,2']],
    ['[[1],2] vs [1,[2]]', [[[1], 2]], [[1, [2]]]],
    ['a Uint8Array vs a Float64Array of the same numbers', [new Uint8Array([1, 2])], [new Float64Array([1, 2])]],
    ['{ab:""} vs {a:"b"}', [{ ab: '' }], [{ a: 'b' }]],
    ['arguments in another order', [1, 2], [2, 1]],
    ['arguments in another count', [1], [1, undefined]],
    ['large typed arrays differing in their last byte', [bytes(1 << 20)], [bytes(1 << 20, (1 << 20) - 1)]],
    ['large typed arrays differing in their first byte', [bytes(1 << 20)], [bytes(1 << 20, 0)]],
    ['Blobs of different content', [new Blob(['abc'])], [new Blob(['abd'])]],
    ['Blobs of different types', [new Blob(['a'], { type: 'a/b' })], [new Blob(['a'], { type: 'a/c' })]],
    ['a File vs a Blob of the same bytes', [new File(['x'], 'x')], [new Blob(['x'])]],
    ['Files of different names', [new File(['x'], 'a', { lastModified: 1 })], [new File(['x'], 'b', { lastModified: 1 })]],
    ['Files of different lastModified', [new File(['x'], 'a', { lastModified: 1 })], [new File(['x'], 'a', { lastModified: 2 })]],
    ['different Dates', [new Date(5)], [new Date(6)]],
    ['a Set vs an array of the same members', [new Set([1])], [[1]]],
    ['Sets in another insertion order (iteration tells them apart)', [new Set([1, 2])], [new Set([2, 1])]],
    ['an object vs a Map of the same entries', [{ a: 1 }], [new Map([['a', 1]])]],
    ['a plain vs a null-prototype object (`"toString" in o` tells them apart)', [{ a: 1 }], [Object.assign(Object.create(null) as object, { a: 1 })]],
    ['a string with separator characters', ['a', 'b'], ['a1|s1:b']],
    ['lone surrogates', ['\uD800'], ['\uDBFF']],
    ['long strings differing in their last character', ['x'.repeat(100_000) + 'a'], ['x'.repeat(100_000) + 'b']],
    ['long strings with lone surrogates', ['x'.repeat(70_000) + '\uD800'], ['x'.repeat(70_000) + '\uDC00']],
    ['different cycles', [cyclic('n')], [cyclic('m')]],
    ['different URLs', [new URL('https://a.test/')], [new URL('https://b.test/')]],
    ['NaN vs null inside an object', [{ a: NaN }], [{ a: null }]],
    ['an undefined field vs no field', [{ a: undefined }], [{}]],
    ['an array hole vs undefined', [holeThenOne()], [[undefined, 1]]],
    ['an array hole vs null', [holeThenOne()], [[null, 1]]],
    ['a Date vs its JSON text', [{ d: new Date(5) }], [{ d: new Date(5).toJSON() }]],
    ['a SharedArrayBuffer vs an ArrayBuffer of the same bytes', [typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(2) : 0], [new ArrayBuffer(2)]],
    ['the same object twice vs two equal objects (aliasing)', [(() => { const o = { v: 1 }; return [o, o]; })()], [[{ v: 1 }, { v: 1 }]]],
    ['a detached ArrayBuffer vs an empty one', [(() => { const b = new ArrayBuffer(4); structuredClone(b, { transfer: [b] }); return b; })()], [new ArrayBuffer(0)]],
  ];
  it.each(distinct)('two keys: %s', async (_label, a, b) => {
    expect(await keyOf(a)).not.toBe(await keyOf(b));
  });

  it('follows a mutated argument', async () => {
    const query = { id: 1, tags: ['a'] };
    const before = await keyOf([query]);
    query.tags.push('b');
    expect(await keyOf([query])).not.toBe(before);
    expect(await keyOf([query])).toBe(await keyOf([{ id: 1, tags: ['a', 'b'] }]));
  });

  it('reads a getter once per call, whatever it answers next', async () => {
    let reads = 0;
    const shifty = { get v() { return ++reads; } };
    const key = await keyOf([shifty]);
    expect(reads).toBe(1);
    expect(key).toBe(await keyOf([{ v: 1 }]));
  });
});

describe('everything else is keyed by identity in memory', () => {
  it('class instances: the same one hits, another with equal fields misses', async () => {
    const p = new Point(1, 2);
    expect(await keyOf([p])).toBe(await keyOf([p]));
    expect(await keyOf([p])).not.toBe(await keyOf([new Point(1, 2)]));
    expect(await keyOf([p])).not.toBe(await keyOf([new Other(1, 2)]));
  });

  it('instances whose state is private, in closures or WeakMaps never share an entry', async () => {
    class Account {
      #balance: number;
      constructor(balance: number) {
        this.#balance = balance;
      }
      get balance() {
        return this.#balance;
      }
    }
    const read = cache((account: Account) => account.balance);
    expect([await read(new Account(1)), await read(new Account(2))]).toEqual([1, 2]);
  });

  it('functions, symbols and platform objects: by identity, never refused in memory', async () => {
    const f = cache((..._args: unknown[]) => _args.length);
    const handler = () => {};
    const div = typeof document === 'undefined' ? {} : document.createElement('div');
    await expect(f({ handler }, Symbol('a'), div, new WeakMap(), Promise.resolve())).resolves.toBe(5);
    expect(await keyOf([handler])).toBe(await keyOf([handler]));
    expect(await keyOf([handler])).not.toBe(await keyOf([() => {}]));
    expect(await keyOf([Symbol('a')])).not.toBe(await keyOf([Symbol('a')]));
    expect(await keyOf([Symbol.for('a')])).toBe(await keyOf([Symbol.for('a')]));
  });

  it('a Proxy that serves data through its `get` trap alone is not taken for {} (issue 21)', async () => {
    const dictionary = (words: Record<string, string>) => new Proxy({}, { get: (_target, name) => words[name as string] });
    const english = dictionary({ hello: 'Hello' });
    const french = dictionary({ hello: 'Bonjour' });
    const greet = cache((words: Record<string, string>) => words.hello);
    expect([await greet(english), await greet(french), await greet(english)]).toEqual(['Hello', 'Bonjour', 'Hello']);
    expect(greet.stats()).toMatchObject({ misses: 2, hits: 1 });
    // A Proxy that lists its fields is keyed by what they read.
    const listing = new Proxy({ hello: '' }, { get: (_target, name) => ({ hello: 'Hallo' })[name as 'hello'] });
    expect(await greet(listing)).toBe('Hallo');
  });

  it('a subclass of a built-in (it may hold more than its content) is keyed by identity', async () => {
    class Bag extends Map<string, number> {}
    const bag = new Bag([['a', 1]]);
    expect(await keyOf([bag])).toBe(await keyOf([bag]));
    expect(await keyOf([bag])).not.toBe(await keyOf([new Bag([['a', 1]])]));
    expect(await keyOf([bag])).not.toBe(await keyOf([new Map([['a', 1]])]));
  });

  it('objects of another realm (an iframe) are not taken for plain data', async (ctx) => {
    if (typeof document === 'undefined' || /HappyDOM/.test(navigator.userAgent)) return ctx.skip();
    const frame = document.createElement('iframe');
    document.body.append(frame);
    const Foreign = (frame.contentWindow as unknown as { Object: ObjectConstructor }).Object;
    const foreign = new Foreign() as Record<string, unknown>;
    foreign.a = 1;
    expect(await keyOf([foreign])).not.toBe(await keyOf([{ a: 1 }]));
    frame.remove();
  });
});

describe('`this`: its identity and own fields in memory', () => {
  it('a method: a changed field is a new key; another instance never shares (Panel\'s DataExplorer)', async () => {
    const loads: string[] = [];
    class Explorer {
      constructor(public dataset: string) {}
      @cache
      async fetchData() {
        loads.push(this.dataset);
        return this.dataset;
      }
    }
    const a = new Explorer('penguins');
    await a.fetchData();
    await a.fetchData();
    a.dataset = 'mpg';
    await a.fetchData();
    await new Explorer('mpg').fetchData();
    expect(loads).toEqual(['penguins', 'mpg', 'mpg']);
  });

  it('callable clients held on `this` (axios/ky style) are part of the key (issue 21)', async () => {
    const client = (base: string) => Object.assign((path: string) => `${base}${path}`, { base });
    class UserService {
      constructor(private readonly http: ReturnType<typeof client>) {}
      @cache
      async get(id: number) {
        return this.http(`/users/${id}`);
      }
    }
    const staging = new UserService(client('https://staging.test'));
    const prod = new UserService(client('https://prod.test'));
    expect([await prod.get(1), await staging.get(1)]).toEqual(['https://prod.test/users/1', 'https://staging.test/users/1']);
  });

  it('a class held on `this` (this.Model = User vs Admin) is part of the key (issue 21)', async () => {
    class User {}
    class Admin {}
    const repo: { Model: { name: string }; find: (id: number) => Promise<string> } = { Model: User, find: cache(function (this: { Model: { name: string } }, id: number) { return `${this.Model.name}:${id}`; }) };
    expect(await repo.find(1)).toBe('User:1');
    repo.Model = Admin;
    expect(await repo.find(1)).toBe('Admin:1');
  });

  it('a method named `async` keys its `this` (issue 21)', async () => {
    class Box {
      constructor(public v: number) {}
      @cache
      async async(x: number) {
        return this.v + x;
      }
    }
    expect([await new Box(1).async(1), await new Box(2).async(1)]).toEqual([2, 3]);
  });

  it('a function that merely says "this" in a string is not refused for its `this` (issue 21)', async () => {
    const label = cache(function (x: number) { return `this is ${x}`; });
    const element = typeof document === 'undefined' ? {} : document.createElement('button');
    expect(await label.call(element, 1)).toBe('this is 1');
  });

  it('no `this` (a plain call), the global object and a module namespace object are left out', async () => {
    let calls = 0;
    const f = cache(function (x: number) { return x + ++calls; });
    await f(1);
    await f.call(globalThis, 1);
    const namespace = Object.freeze(Object.setPrototypeOf({ [Symbol.toStringTag]: 'Module', f }, null) as { f: typeof f });
    await namespace.f(1);
    expect(calls).toBe(1);
  });

  it('`this` of a toDisk method needs `key`: refused when cache() is called, with the fix', () => {
    expect(() => {
      class Explorer {
        @cache({ toDisk: true, name: 'explorer' })
        async fetchData() {
          return 1;
        }
      }
      return Explorer;
    }).toThrow(/needs a `key` option/);
  });
});

describe('toDisk keys: plain data only, the rest refused with the path and the fix', () => {
  it.each<[string, unknown, RegExp]>([
    ['a class instance', { p: new Point(1, 2) }, /args\[0\]\.p: an instance of Point/],
    ['a function', [1, () => {}], /args\[0\]\[1\]: a function/],
    ['a Symbol()', { s: Symbol('a') }, /args\[0\]\.s: a symbol made by Symbol\(a\)/],
    ['a WeakMap', new WeakMap(), /args\[0\]: an instance of WeakMap/],
    ['a Proxy that lists no field', new Proxy({}, {}), /args\[0\]: a Proxy/],
  ])('%s', async (_label, value, path) => {
    const f = cache((_v: unknown) => 1, { toDisk: true, name: 'refused', cachePath: db('refused') });
    const error = await f(value).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnkeyableValueError);
    expect(error).toMatchObject({ code: 'UNKEYABLE_VALUE', name: 'UnkeyableValueError' });
    expect((error as Error).message).toMatch(path);
    expect((error as Error).message).toMatch(/`key`.*`hashFuncs`/);
  });

  it('a plain-object `this` keys by value on disk', async () => {
    const f = cache(function (this: { base: string }, id: number) { return this.base + id; }, { toDisk: true, name: 'this-plain', cachePath: db('this') });
    expect(await f.call({ base: 'a' }, 1)).toBe('a1');
    expect(await f.call({ base: 'b' }, 1)).toBe('b1');
    expect(await f.call({ base: 'a' }, 1)).toBe('a1');
    expect(f.stats()).toMatchObject({ misses: 2, hits: 1 });
  });

  it('registered symbols, holes, Blobs and Files are kept on disk', async () => {
    const f = cache((..._args: unknown[]) => 1, { toDisk: true, name: 'kept', cachePath: db('kept') });
    await expect(f(Symbol.for('a'), holeThenOne(), new Blob(['b']), new File(['f'], 'f'))).resolves.toBe(1);
  });
});

describe('hashFuncs', () => {
  it('key what the rule refuses, by class or predicate, checked first', async () => {
    let calls = 0;
    const f = cache((_p: Point, _g: () => void) => ++calls, {
      toDisk: true,
      name: 'hashed',
      cachePath: db('hashed'),
      hashFuncs: [
        [Point, (p) => [p.x, p.y]],
        [(v: unknown) => typeof v === 'function', (fn: () => void) => fn.name],
      ],
    });
    function handler() {}
    expect(await f(new Point(1, 2), handler)).toBe(1);
    expect(await f(new Point(1, 2), handler)).toBe(1);
    expect(await f(new Point(1, 3), handler)).toBe(2);
  });

  it('by class name, like Panel\'s hash_funcs dict', async () => {
    let calls = 0;
    const f = cache((_w: WeakMap<object, unknown>) => ++calls, { hashFuncs: { WeakMap: () => 'one' } });
    expect([await f(new WeakMap()), await f(new WeakMap())]).toEqual([1, 1]);
  });

  it('keep a stand-in apart from the same natural value', async () => {
    let calls = 0;
    const f = cache((_v: unknown) => ++calls, { hashFuncs: new Map([[Date, () => 'x']]) });
    await f(new Date(1));
    await f('x');
    expect(calls).toBe(2);
  });

  it('a fresh large binary from a hasher or a getter keys by its content', async () => {
    let calls = 0;
    const image = (fill: number) => ({ pixels: new Uint8Array(10_000).fill(fill) });
    const f = cache((_img: { pixels: Uint8Array }) => ++calls, { toDisk: true, name: 'images', cachePath: db('images') });
    const fresh = (fill: number) => ({ get pixels() { return new Uint8Array(10_000).fill(fill); } });
    expect([await f(image(1)), await f(fresh(1)), await f(image(2))]).toEqual([1, 1, 2]);
  });

  it('a hasher that returns its input is refused, not looped on', async () => {
    const f = cache((_v: unknown) => 1, { hashFuncs: [[(v: unknown) => typeof v === 'object', (v: unknown) => v]] });
    await expect(f({})).rejects.toThrow(/hashFuncs entry nests more than/);
  });
});

describe('bounds', () => {
  it('refuses a sparse array of billions of slots at once', async () => {
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    await expect(cache((_v: unknown) => 1)(sparse)).rejects.toThrow(/args\[0\]: an array of 4294967295 elements is too long/);
  });

  it('refuses values nested too deep without overflowing the stack, with a short path', async () => {
    let deep: unknown = 0;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const error = await cache((_v: unknown) => 1)(deep).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(UnkeyableValueError);
    expect((error as Error).message).toMatch(/args\[0\]\[0\].*…(\[0\])+: the value is nested more than 1000 levels deep/);
    expect((error as Error).message.length).toBeLessThan(400);
  });

  it('a memoized function tells long strings apart, in memory and on disk', async () => {
    const f = cache((s: string) => s.at(-1), { toDisk: true, name: 'long', cachePath: db('long') });
    const base = 'y'.repeat(200_000);
    expect([await f(base + 'a'), await f(base + 'b'), await f(base + 'a')]).toEqual(['a', 'b', 'a']);
    expect(f.stats()).toMatchObject({ misses: 2, hits: 1 });
  });
});

describe('the same keys without crypto.subtle (insecure contexts)', () => {
  it('large binaries, long strings and disk keys digest alike in plain JavaScript', async () => {
    const args = [bytes(100_000), 'z'.repeat(100_000), new Blob(['blob'])];
    const withCrypto = await keyOf(args);
    const subtle = Object.getOwnPropertyDescriptor(globalThis.crypto, 'subtle');
    Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined, configurable: true });
    try {
      expect(await keyOf(args)).toBe(withCrypto);
      const f = cache((n: number) => n, { toDisk: true, name: 'no-subtle', cachePath: db('no-subtle') });
      expect(await f(1)).toBe(1);
      await flushCaches();
    } finally {
      if (subtle) Object.defineProperty(globalThis.crypto, 'subtle', subtle);
      else delete (globalThis.crypto as { subtle?: unknown }).subtle;
    }
  });
});

describe('names (issue 21)', () => {
  it('toDisk needs a name: refused when cache() is called, with INVALID_OPTION', () => {
    expect(() => cache((x: number) => x, { toDisk: true } as never)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/"name"/) }));
  });

  it('two closures of one factory with their own names never answer each other', async () => {
    const makeLoader = (user: string) => cache(async (id: number) => `${user}:${id}`, { toDisk: true, name: `loader:${user}`, cachePath: db('closures') });
    const alice = makeLoader('alice');
    const bob = makeLoader('bob');
    expect([await alice(1), await bob(1)]).toEqual(['alice:1', 'bob:1']);
  });

  it('a name may not hold a NUL character (it separates name, version and session)', () => {
    expect(() => cache((x: number) => x, { toDisk: true, name: 'a\0b' })).toThrow(expect.objectContaining({ code: 'OPTION_OUT_OF_RANGE' }));
  });

  it('after the test, clearCaches() leaves nothing behind', async () => {
    await expect(clearCaches()).resolves.toBeUndefined();
  });
});
