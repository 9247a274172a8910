// Hostile input (issue 7): deep and wide arguments, prototype-polluting keys and engineered
// collisions (the property test of the key rule is test/shared/key-rule.test.ts). Runs under happy-dom with
// fake-indexeddb (unit project) and in real Chromium with real IndexedDB and Web Crypto (browser project).
import { deleteDB, openDB } from 'idb';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { cache, flushCaches } from '../../src/index.ts';
import { finishKey } from '../../src/key/digest.ts';
import { encodeCall } from '../../src/key/encode.ts';
import { Other, Point } from './classes.ts';

const keyOf = (args: readonly unknown[]): Promise<string> => Promise.resolve(finishKey(encodeCall(args, undefined, [], false)));

afterEach(() => vi.restoreAllMocks());

// ---------------------------------------------------------------------------------------------
// Helpers: unique databases (deleted afterwards, never with clearCaches(), which would reach the
// databases of other test files running in the same origin), and a wait for written entries.

const paths: string[] = [];
let pathCounter = 0;
function hostilePath(label: string): string {
  const path = `hostile-${label}-${Date.now()}-${pathCounter++}`;
  paths.push(path);
  return path;
}

afterAll(async () => {
  await Promise.all(paths.map((path) => deleteDB(path).catch(() => {})));
});

async function storedValues(path: string): Promise<unknown[]> {
  const db = await openDB(path);
  try {
    if (!db.objectStoreNames.contains('entries')) return [];
    return (await db.getAll('entries')).map((record: { value: unknown }) => record.value);
  } finally {
    db.close();
  }
}

/** The values stored in `path` once every change of the page is written, which must be `count`. */
async function storedAfterFlush(path: string, count: number): Promise<unknown[]> {
  await flushCaches();
  const values = await storedValues(path);
  expect(values).toHaveLength(count);
  return values;
}

/** The outcome of a memoized call: it must return a promise (never throw synchronously). */
async function settle(run: () => Promise<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  let promise: Promise<unknown>;
  try {
    promise = run();
  } catch (error) {
    throw new Error(`the memoized call threw synchronously instead of rejecting: ${String(error)}`);
  }
  expect(promise).toBeInstanceOf(Promise);
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Hostile inputs must give a key or an error within this many ms (generous: 2 slow cores). */
const BOUNDED_MS = 5000;

// ---------------------------------------------------------------------------------------------

describe('deep arguments (10,000 levels)', () => {
  const LEVELS = 10_000;
  const nest = (wrap: (inner: unknown) => unknown) => {
    let value: unknown = 'leaf';
    for (let i = 0; i < LEVELS; i++) value = wrap(value);
    return value;
  };
  class Node {
    constructor(readonly next: unknown) {}
  }
  const lazyChain = (): object => ({
    get next() {
      return lazyChain(); // a new, deeper level on every read: infinite
    },
  });
  const deepCases: [string, () => unknown][] = [
    ['arrays', () => nest((inner) => [inner])],
    ['plain objects', () => nest((inner) => ({ inner }))],
    ['null-prototype objects', () => nest((inner) => Object.assign(Object.create(null) as object, { inner }))],
    ['Map values', () => nest((inner) => new Map([['k', inner]]))],
    ['Map keys', () => nest((inner) => new Map([[inner, 1]]))],
    ['Sets', () => nest((inner) => new Set([inner]))],
    ['class instances', () => nest((inner) => new Node(inner))],
    ['boxed and mixed containers', () => nest((inner) => [{ m: new Map([[1, new Set([inner])]]) }])],
    ['an infinite chain of getters', lazyChain],
  ];

  it.each(deepCases)('%s: a TypeError or a key in bounded time, no stack overflow escaping', async (_label, make) => {
    const deep = make();
    let computed = 0;
    const f = cache((_v: unknown) => ++computed);
    const started = performance.now();
    const outcome = await settle(() => f(deep));
    expect(performance.now() - started).toBeLessThan(BOUNDED_MS);
    if (outcome.ok) {
      expect(outcome.value).toBe(1);
      expect(await f(deep)).toBe(1); // it was keyed: the second call is a hit
      expect(computed).toBe(1);
    } else {
      expect(outcome.error).toBeInstanceOf(TypeError);
      expect(String((outcome.error as Error).message)).toMatch(/idb-memo: cannot make a cache key from args\[0\]/);
      expect(computed).toBe(0);
    }
    // The page is still usable: an ordinary call works afterwards.
    const before = computed;
    expect(await f('ordinary')).toBe(before + 1);
  });

  it('a hashFuncs entry that keeps wrapping its input is stopped', async () => {
    const marker = Symbol.for('hostile-marker');
    interface Wrapped {
      readonly [marker]: true;
      readonly inner: unknown;
    }
    const wrap = (inner: unknown): Wrapped => ({ [marker]: true, inner });
    const f = cache((_v: unknown) => 1, {
      hashFuncs: [[(v: unknown) => typeof v === 'object' && v !== null && marker in v, (v: Wrapped) => wrap(v)]],
    });
    const outcome = await settle(() => f(wrap(0)));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error).toBeInstanceOf(TypeError);
  });

  it('a 10,000-level deep result is returned, stored whole or not at all, and read back faithfully', async () => {
    const cachePath = hostilePath('deep-result');
    const depthOf = (value: unknown) => {
      let depth = 0;
      let at = value;
      while (typeof at === 'object' && at !== null && 'inner' in at) {
        at = (at as { inner: unknown }).inner;
        depth++;
      }
      return at === 'leaf' ? depth : -1;
    };
    let computed = 0;
    const make = (n: number) => {
      computed++;
      let value: unknown = 'leaf';
      for (let i = 0; i < n; i++) value = { inner: value };
      return value;
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const first = cache(make, { toDisk: true, cachePath, name: 'deep-result' });
    expect(depthOf(await first(LEVELS))).toBe(LEVELS);
    await flushCaches();
    const stored = await storedValues(cachePath);
    // Whole: one record of full depth, and a fresh view reads it; or not at all, with a warning.
    if (stored.length === 1) {
      expect(depthOf(stored[0])).toBe(LEVELS);
      expect(depthOf(await cache(make, { toDisk: true, cachePath, name: 'deep-result', maxItems: 9 })(LEVELS))).toBe(LEVELS);
      expect(computed).toBe(1);
    } else {
      expect(stored).toEqual([]);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('[UNSTORABLE_RESULT]'));
    }
  });
});

/**
 * Regression (fixed in src/disk/store.ts writeOne/writeBatch): structured clone
 * refuses a result nested too deeply with a RangeError (not a DataCloneError), thrown by put();
 * writeBatch then aborts the whole batch, so every other result written in the same batch (any
 * call that finished in the same task) is silently kept off the disk, with one misleading warning.
 * Only the too-deep result should be skipped, as DataCloneError already is.
 */
it('a result too deep to store does not keep the other results of its batch off the disk', async () => {
  const cachePath = hostilePath('deep-batch');
  const make = (n: number) => {
    let value: unknown = 'leaf';
    for (let i = 0; i < n; i++) value = { inner: value };
    return value;
  };
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const f = cache(make, { toDisk: true, cachePath, name: 'deep-batch' });
  const shallow = Array.from({ length: 20 }, (_, i) => i + 1);
  await Promise.all([...shallow.slice(0, 10).map(f), f(10_000), ...shallow.slice(10).map(f)]); // finish together
  await flushCaches();
  const depths = (await storedValues(cachePath)).map((value) => JSON.stringify(value).split('inner').length - 1).sort((a, b) => a - b);
  expect(depths).toEqual(shallow);
});

describe('wide arguments (100,000 keys)', () => {
  const WIDTH = 100_000;
  const wideCases: [string, () => unknown][] = [
    ['an object', () => Object.fromEntries(Array.from({ length: WIDTH }, (_, i) => [`k${i}`, i]))],
    ['an array', () => Array.from({ length: WIDTH }, (_, i) => i)],
    ['a Set', () => new Set(Array.from({ length: WIDTH }, (_, i) => `m${i}`))],
    ['a Map', () => new Map(Array.from({ length: WIDTH }, (_, i) => [i, { i }]))],
    ['a sparse array', () => Object.assign(new Array<unknown>(WIDTH), { [WIDTH - 1]: 'last' })],
    ['a 4 MB string', () => 'x'.repeat(4 << 20)],
    ['a 16 MB typed array', () => new Float64Array(2 << 20).map((_, i) => i)],
  ];

  it.each(wideCases)('%s: a key in bounded time, and the next call is a hit', async (_label, make) => {
    const wide = make();
    let computed = 0;
    const f = cache((_v: unknown) => ++computed);
    const started = performance.now();
    const outcome = await settle(() => f(wide));
    expect(performance.now() - started).toBeLessThan(BOUNDED_MS);
    expect(outcome).toEqual({ ok: true, value: 1 });
    expect(await f(wide)).toBe(1);
    expect(computed).toBe(1);
  });

  it('two 100,000-key objects that differ in one value do not share an entry', async () => {
    const a = Object.fromEntries(Array.from({ length: WIDTH }, (_, i) => [`k${i}`, i]));
    const b = { ...a, k54321: -1 };
    let computed = 0;
    const f = cache((_v: unknown) => ++computed);
    expect([await f(a), await f(b), await f(a)]).toEqual([1, 2, 1]);
  });
});

describe('other hostile arguments', () => {
  it('a getter that throws rejects the call with its error', async () => {
    const f = cache((_v: unknown) => 1);
    const boom = new Error('boom');
    const outcome = await settle(() =>
      f({
        get x() {
          throw boom;
        },
      }),
    );
    expect(outcome).toEqual({ ok: false, error: boom });
  });

  // The check of what can be stored read the getter, threw inside the bookkeeping after the call was
  // answered: an unhandled rejection, and the key's cross-tab lock held for the life of the page.
  it('a result whose getter throws is answered, kept in memory only, and releases its lock', async () => {
    let runs = 0;
    const make = () => ({
      run: ++runs,
      get boom(): string {
        throw new Error('getter');
      },
    });
    const cachePath = hostilePath('throwing-result');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const f = cache((_k: string) => make(), { toDisk: true, cachePath, name: 'throwing-result' });
    const first = await f('g');
    expect(first.run).toBe(1);
    expect(await f('g')).toBe(first);
    const g = cache((_k: string) => make(), { toDisk: true, cachePath, name: 'throwing-result', maxItems: 5 });
    expect((await g('g')).run).toBe(2); // another tier of the namespace: nothing was stored
    const locks = (navigator as { locks?: LockManager }).locks;
    if (locks) {
      const heldHere = async () => ((await locks.query()).held ?? []).filter((lock) => lock.name?.includes(cachePath));
      for (let waited = 0; waited < 2000 && (await heldHere()).length > 0; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await heldHere()).toEqual([]);
    }
    expect(await storedValues(cachePath)).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/throwing-result cannot be stored in IndexedDB .*\[UNSTORABLE_RESULT\]$/));
  });

  it('a revoked Proxy rejects the call with a TypeError', async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const f = cache((_v: unknown) => 1);
    const outcome = await settle(() => f(proxy));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error).toBeInstanceOf(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------

describe('prototype pollution', () => {
  const POLLUTERS = [
    '{"__proto__": {"polluted": 1}}',
    '{"constructor": {"prototype": {"polluted": 1}}}',
    '{"prototype": {"polluted": 1}}',
    '{"a": [{"__proto__": {"polluted": 1}}], "__proto__": {"__proto__": {"polluted": 1}}}',
  ];
  const clean = () => {
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
    expect(([] as unknown as { polluted?: unknown }).polluted).toBeUndefined();
    expect((new Map() as unknown as { polluted?: unknown }).polluted).toBeUndefined();
  };

  it.each(POLLUTERS)('arguments and results %s pollute nothing, in memory and through the disk', async (json) => {
    const cachePath = hostilePath('proto');
    let computed = 0;
    const echo = (arg: unknown) => {
      computed++;
      return { arg, parsed: JSON.parse(json) as unknown, map: new Map([['__proto__', JSON.parse(json) as unknown]]) };
    };
    const first = cache(echo, { toDisk: true, cachePath, name: 'proto' });
    const arg = JSON.parse(json) as unknown;
    const fromCompute = await first(arg);
    expect(await first(JSON.parse(json))).toBe(fromCompute); // an equal argument hits the same entry
    clean();
    // A plain object without own "__proto__" is another argument: no shared entry.
    await first({});
    expect(computed).toBe(2);
    await storedAfterFlush(cachePath, 2);
    const second = cache(echo, { toDisk: true, cachePath, name: 'proto' });
    const fromDisk = await second(JSON.parse(json));
    expect(computed).toBe(2); // answered from IndexedDB
    clean();
    expect(fromDisk).toEqual(fromCompute);
    // Own "__proto__" keys stay own data; the prototype of what comes back is untouched.
    expect(Object.getPrototypeOf(fromDisk)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(fromDisk.parsed)).toBe(Object.prototype);
    expect(Object.keys(fromDisk.parsed as object)).toEqual(Object.keys(JSON.parse(json) as object));
    expect(Object.keys(fromDisk.arg as object)).toEqual(Object.keys(JSON.parse(json) as object));
    clean();
  });

  it('keys of a polluting object are its own, and differ from the same data one level up', async () => {
    const own = JSON.parse('{"__proto__": {"x": 1}}') as unknown;
    const viaProto: unknown = Object.create({ x: 1 }) as unknown;
    const flat = { x: 1 };
    const keys = await Promise.all([keyOf([own]), keyOf([viaProto]), keyOf([flat]), keyOf([{}])]);
    expect(new Set(keys).size).toBe(4);
    clean();
  });
});

// ---------------------------------------------------------------------------------------------


/** Pairs of distinct arguments that a naive `JSON.stringify`, `String()` or `join()` key would merge. */
const collidingPairs: [string, unknown[], unknown[]][] = [
  // JSON.stringify
  ['[undefined] vs [null]', [[undefined]], [[null]]],
  ['NaN vs null (JSON "null")', [[NaN]], [[null]]],
  ['Infinity vs -Infinity (JSON "null")', [Infinity], [-Infinity]],
  ['{a: undefined} vs {}', [{ a: undefined }], [{}]],
  ['a Date vs its ISO string', [new Date(0)], [new Date(0).toISOString()]],
  ['an invalid Date vs null', [new Date(NaN)], [null]],
  ['Maps with different entries (JSON "{}")', [new Map([['a', 1]])], [new Map([['a', 2]])]],
  ['a Map vs an empty object', [new Map([['a', 1]])], [{}]],
  ['Sets with different members (JSON "{}")', [new Set([1])], [new Set([2])]],
  ['a Uint8Array vs an object of its indexes', [new Uint8Array([1, 2])], [{ 0: 1, 1: 2 }]],
  ['Uint8Array vs Int8Array of the same numbers', [new Uint8Array([1])], [new Int8Array([1])]],
  ['an ArrayBuffer vs a Uint8Array of its bytes', [new Uint8Array([1, 2]).buffer], [new Uint8Array([1, 2])]],
  ['different RegExps (JSON "{}")', [/a/], [/b/]],
  ['RegExps with different flags', [/a/g], [/a/i]],
  ['Errors with different messages', [new Error('a')], [new Error('b')]],
  ['a boxed Number vs the number', [Object(1)], [1]],
  ['a class instance vs a plain object of its data', [new Point(1, 2)], [{ x: 1, y: 2 }]],
  ['instances of two classes with equal data', [new Point(1, 2)], [new Other(1, 2)]],
  ['a symbol vs null in an array', [[Symbol('a')]], [[null]]],
  ['a registered vs an unregistered symbol', [Symbol.for('s')], [Symbol('s')]],
  ['big integers beyond 2^53', [2n ** 64n], [2n ** 64n + 1n]],
  ['a bigint vs the number', [10n], [10]],
  // String() / toString / join
  ['[1,2] vs "1,2"', [[1, 2]], ['1,2']],
  ['["a,b"] vs ["a","b"]', [['a,b']], [['a', 'b']]],
  ['[[1,2],3] vs [1,[2,3]]', [[[1, 2], 3]], [[1, [2, 3]]]],
  ['{a:1} vs {b:2} ("[object Object]")', [{ a: 1 }], [{ b: 2 }]],
  ['{} vs "[object Object]"', [{}], ['[object Object]']],
  ['null vs "null"', [null], ['null']],
  ['undefined vs "undefined"', [undefined], ['undefined']],
  ['[null] vs "" (both "")', [[null]], ['']],
  ['true vs "true"', [true], ['true']],
  ['a Date vs its toString()', [new Date(0)], [new Date(0).toString()]],
  ['a symbol vs its String()', [Symbol('a')], ['Symbol(a)']],
  ['a Uint8Array vs its toString()', [new Uint8Array([1, 2])], ['1,2']],
  ['args ("a|b") vs ("a", "b")', ['a|b'], ['a', 'b']],
  ['args ("a,b") vs ("a", "b")', ['a,b'], ['a', 'b']],
  ['args (undefined) vs ()', [undefined], []],
  ['args (1) vs ([1])', [1], [[1]]],
  // The encoding's own syntax inside data
  ['strings that spell an encoding', ['s1:a'], ['a']],
  ['object keys that spell an encoding', [{ 'a': 's1:b' }], [{ 'as1:': 'b' }]],
  ['Set members that concatenate alike', [new Set(['ab', 'c'])], [new Set(['a', 'bc'])]],
  ['Sets in another insertion order', [new Set([1, 'x'])], [new Set(['x', 1])]],
  ['a null-prototype object vs a plain object', [Object.assign(Object.create(null) as object, { a: 1 })], [{ a: 1 }]],
  ['an object met twice vs two equal objects', [(() => { const o = { a: 1 }; return [o, o]; })()], [[{ a: 1 }, { a: 1 }]]],
  ['a SharedArrayBuffer vs an ArrayBuffer of the same bytes', [typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(1) : 1], [new ArrayBuffer(1)]],
  ['Map entries that concatenate alike', [new Map([['a', 'bc']])], [new Map([['ab', 'c']])]],
  ['nested vs flat Maps', [new Map<unknown, unknown>([['a', new Map([['b', 1]])]])], [new Map<unknown, unknown>([['a', 'b'], [1, 1]])]],
  ['a typed array vs a string of the same bytes', [new Uint8Array([115, 49, 58, 97])], ['s1:a']],
  ['large typed arrays vs a string of the same bytes', [new Uint8Array(600).fill(97)], ['a'.repeat(600)]],
  ['lone surrogates', ['\uD800'], ['\uFFFD']],
  ['own "__proto__" data vs none', [JSON.parse('{"__proto__": {"a": 1}}')], [{}]],
  ['own "constructor" data vs a class instance', [{ constructor: 'Point', x: 1, y: 2 }], [new Point(1, 2)]],
];

/** Pairs that look different to a naive key but are equal, so they must share an entry. */
const equalPairs: [string, unknown[], unknown[]][] = [
  ['-0 vs 0', [-0], [0]],
  ['objects in another key order', [{ a: 1, b: 2 }], [{ b: 2, a: 1 }]],
  ['a subarray vs a copy of the same bytes', [new Uint8Array([9, 1, 2]).subarray(1)], [new Uint8Array([1, 2])]],
  ['large subarrays vs copies', [new Uint8Array(1000).fill(3).subarray(100)], [new Uint8Array(900).fill(3)]],
];

describe('arguments engineered to collide never share an entry', () => {
  it.each(collidingPairs)('%s: different keys', async (_label, a, b) => {
    expect(await keyOf(a)).not.toBe(await keyOf(b));
  });

  it.each(equalPairs)('%s: the same key', async (_label, a, b) => {
    expect(await keyOf(a)).toBe(await keyOf(b));
  });

  it('each pair gets its own entry in memory and on disk', async () => {
    const cachePath = hostilePath('collide');
    let computed = 0;
    /** A function per pair that tells which member it was called with, by identity: a shared entry would answer wrongly. */
    const whichOf = (b: unknown[]) => (...args: unknown[]) => {
      computed++;
      return b.length === args.length && b.every((x, i) => Object.is(x, args[i])) ? 'b' : 'a';
    };
    // What only identity tells apart (instances, Errors, boxes, Symbol()) is refused on disk: checked in memory.
    const refusedOnDisk = (args: unknown[]) => Promise.resolve().then(() => finishKey(encodeCall(args, undefined, [], true))).then(() => false, () => true);
    let onDisk = 0;
    for (const [i, [label, a, b]] of collidingPairs.entries()) {
      const which = whichOf(b);
      if ((await refusedOnDisk(a)) || (await refusedOnDisk(b))) {
        const memory = cache(which);
        expect([await memory(...a), await memory(...b), await memory(...a), await memory(...b)], label).toEqual(['a', 'b', 'a', 'b']);
        computed -= 2;
        continue;
      }
      onDisk++;
      const first = cache(which, { toDisk: true, cachePath, name: `collide-${i}` });
      expect([await first(...a), await first(...b), await first(...a), await first(...b)], label).toEqual(['a', 'b', 'a', 'b']);
    }
    expect(onDisk).toBeGreaterThan(collidingPairs.length / 2);
    expect(computed).toBe(2 * onDisk);
    await storedAfterFlush(cachePath, 2 * onDisk);
    // Fresh views, as after a reload: every answer comes from the pair member's own stored entry.
    for (const [i, [label, a, b]] of collidingPairs.entries()) {
      if ((await refusedOnDisk(a)) || (await refusedOnDisk(b))) continue;
      const second = cache(whichOf(b), { toDisk: true, cachePath, name: `collide-${i}`, maxItems: 99 });
      expect([await second(...b), await second(...a)], label).toEqual(['b', 'a']);
    }
    expect(computed).toBe(2 * onDisk);
  });

  /**
   * Platform objects keep their state in internal slots behind prototype getters, not in own
   * enumerable data: keyed by own data, every URL would encode alike and two different URLs would
   * share an entry. They must be keyed by content or refused with a TypeError.
   */
  it.for<[string, () => object, () => object]>([
    ['URL', () => new URL('https://a.example/'), () => new URL('https://b.example/')],
    ['URLSearchParams', () => new URLSearchParams('q=1'), () => new URLSearchParams('q=2')],
    ['Headers', () => new Headers({ accept: 'text/csv' }), () => new Headers({ accept: 'text/html' })],
    ['Request', () => new Request('https://a.example/'), () => new Request('https://b.example/')],
    ['Response', () => new Response('a'), () => new Response('b')],
    [
      'AbortController',
      () => new AbortController(),
      () => {
        const aborted = new AbortController();
        aborted.abort();
        return aborted;
      },
    ],
    ['Event', () => new Event('a'), () => new Event('b')],
    ['DOM element', () => document.createElement('div'), () => document.createElement('span')],
    ['DOM text node', () => document.createTextNode('a'), () => document.createTextNode('b')],
  ])('two different %s objects never share an entry (keyed by content or identity)', async ([, makeA, makeB]) => {
    const a = makeA();
    const b = makeB();
    const f = cache((value: unknown) => value);
    expect([await f(a), await f(b), await f(a)]).toEqual([a, b, a]);
  });
});

/** The class of an instance comes from its prototype: an own field named "constructor" must not hide it. */
it('an own "constructor" field does not hide the class of an instance', async () => {
  const a = Object.assign(new Point(1, 2), { constructor: 0 });
  const b = Object.assign(new Other(1, 2), { constructor: 0 });
  expect(await keyOf([a])).not.toBe(await keyOf([b]));
});
