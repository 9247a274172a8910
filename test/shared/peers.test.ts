// The semantic tests of p-memoize, memoizee and Panel's pn.cache, ported to idb-memo's API (issue 11).
// Every test names its original (file › test name) and runs memory-only and with `toDisk: true`,
// under happy-dom + fake-indexeddb and in Chromium. Where a peer differs from idb-memo on purpose
// (keys made of every argument by value, promises always returned, `this` keyed by its data…), the
// comment says so and the test checks idb-memo's documented behaviour (README, "Keys" and "API").
// With toDisk, Panel's eviction, clear and disk tests, its guide's disk example and memoizee's
// max sequence also check that a fresh page on the same IndexedDB (after a reload or in another
// tab: see fresh-page.ts) continues the same state and eviction order.
// Originals as read: sindresorhus/p-memoize test.ts @26e9dab; medikoo/memoizee test/index.js
// @d8dadda, test/ext/max.js @146e59e, test/ext/promise.js @b4b018d, test/ext/max-age.js @fd0f39c;
// holoviz/panel panel/tests/io/test_cache.py @0084f59 (and @b8d3263 for test_cache_lifo).
//
// Not ported, because idb-memo has no such feature:
// - p-memoize test.ts › 'disables caching' (`cache: false`), 'pMemoizeClear() throws when called on
//   an unclearable cache' (`cache: WeakMap`): idb-memo owns its storage.
// - memoizee test/ext/promise.js › 'Cancellation' (Bluebird cancellation); test/ext/max-age.js ›
//   'Refetch' (`preFetch`); test/index.js › 'Reference counter' (`refCounter`), 'Async' (Node
//   callbacks: the promise tests cover the same sequences), 'Dispose' (`dispose`), and, in older
//   revisions, 'Method' (`method`), 'Original arguments' (`mfn.args`), 'GC Mode' (`clearRef`).
// - Panel test_cache.py (older revision) › test_cache_lifo: idb-memo has no LIFO; its expectations
//   are FIFO's, ported below as test_cache_fifo.
import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cache, clearCaches, flushCaches } from '../../src/index.ts';
import { freshPage, thisPage, type Page } from './fresh-page.ts';
import type { PageOptions } from './peer-page.ts';

let counter = 0;
const unique = (label: string) => `peers-${label}-${Date.now()}-${counter++}`;

/** Settles after a macrotask: 'pending' if `promise` has not settled by then. */
function stateOf(promise: Promise<unknown>): Promise<'pending' | 'fulfilled' | 'rejected'> {
  return Promise.race([
    promise.then(
      () => 'fulfilled' as const,
      () => 'rejected' as const,
    ),
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 10)),
  ]);
}

const nextTick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe.each([
  { mode: 'memory-only', toDisk: false },
  { mode: 'toDisk', toDisk: true },
])('$mode', ({ toDisk }) => {
  /** `extra` plus, with toDisk, a database and a namespace of its own (one per call). */
  function opts<O extends object>(extra?: O): O & PageOptions {
    const own = toDisk ? { toDisk: true, cachePath: unique('db'), name: unique('fn') } : {};
    return { ...own, ...(extra ?? ({} as O)) };
  }

  const pages: Page[] = [];
  /** A fresh page on the same IndexedDB, after this page's changes were flushed (a reload). */
  async function reload(): Promise<Page> {
    await flushCaches();
    const page = await freshPage();
    pages.push(page);
    const [here, there] = await Promise.all([thisPage().send({ op: 'flush' }), page.send({ op: 'flush' })]);
    expect(there.realm, 'the fresh page has its own module instances').not.toBe(here.realm);
    return page;
  }

  afterEach(async () => {
    vi.useRealTimers();
    for (const page of pages.splice(0)) page.close();
    await clearCaches();
  });

  describe('p-memoize test.ts', () => {
    // p-memoize test.ts › 'memoize'. p-memoize keys a call by its first argument only, by identity;
    // idb-memo keys every argument (docs/keys.md), so () and (undefined), ('foo') and ('foo', 'bar')
    // are distinct calls here. A function argument is keyed by identity in memory; with toDisk it
    // rejects with a TypeError naming it, unless hashFuncs (or key) says how to key it.
    it('memoize', async () => {
      let index = 0;
      const fixture = async (..._arguments: unknown[]) => index++;
      const memoized = cache(fixture, opts());
      expect([await memoized(), await memoized(), await memoized()]).toEqual([0, 0, 0]);
      expect([await memoized(undefined), await memoized(undefined)]).toEqual([1, 1]);
      expect([await memoized('foo'), await memoized('foo'), await memoized('foo')]).toEqual([2, 2, 2]);
      expect([await memoized('foo', 'bar'), await memoized('foo', 'bar')]).toEqual([3, 3]);
      expect([await memoized(1), await memoized(1)]).toEqual([4, 4]);
      expect([await memoized(null), await memoized(null)]).toEqual([5, 5]);
      if (toDisk) {
        await expect(memoized(fixture)).rejects.toThrow(TypeError);
        await expect(memoized(fixture)).rejects.toThrow(/args\[0\]/);
      } else {
        expect([await memoized(fixture), await memoized(fixture)]).toEqual([6, 6]);
        index--;
      }
      expect([await memoized(true), await memoized(true)]).toEqual([6, 6]);
      expect(index).toBe(7);

      // "Ensure that functions are stored by reference and not by value": with hashFuncs giving each
      // function an identity, two functions of the same source text are two keys.
      const ids = new WeakMap<object, number>();
      let lastId = 0;
      const idOf = (value: object) => ids.get(value) ?? (ids.set(value, ++lastId), lastId);
      const byReference = cache(fixture, opts({ hashFuncs: [[(value: unknown) => typeof value === 'function', idOf]] as const }));
      expect([await byReference(fixture), await byReference(fixture)]).toEqual([7, 7]);
      expect(await byReference(() => index++)).toBe(8);
      expect(await byReference(() => index++)).toBe(9);
    });

    // p-memoize test.ts › 'pending promises are cached'. p-memoize's `cache.get(undefined)` reads
    // its storage; idb-memo's storage is internal, so `stats().size` stands for it.
    it('pending promises are cached', async () => {
      let resolve!: (value: boolean) => void;
      const promise = new Promise<boolean>((done) => (resolve = done));
      let invocationsCount = 0;
      const memoized = cache(async () => {
        invocationsCount++;
        return promise;
      }, opts());
      const promise1 = memoized();
      expect(await stateOf(promise1)).toBe('pending');
      const promise2 = memoized();
      expect(await stateOf(promise2)).toBe('pending');
      // With toDisk the function runs once the disk has answered "not stored", which may be later.
      expect(invocationsCount).toBeLessThanOrEqual(1);
      resolve(true);
      expect(await promise1).toBe(true);
      expect(await promise2).toBe(true);
      expect(invocationsCount, 'pending promises are cached').toBe(1);
      expect(await memoized()).toBe(true);
      expect(memoized.stats()).toMatchObject({ misses: 1, size: 1 });
    });

    // p-memoize test.ts › 'pending promises are cached synchronously'. p-memoize returns the very
    // same promise to both callers; idb-memo promises one shared computation, not promise
    // identity (with toDisk a call first waits for its tier), so that is what is checked.
    it('pending promises are cached synchronously', async () => {
      let resolve!: (value: boolean) => void;
      const promise = new Promise<boolean>((done) => (resolve = done));
      let invocationsCount = 0;
      const memoized = cache(async () => {
        invocationsCount++;
        return promise;
      }, opts());
      const promise1 = memoized();
      const promise2 = memoized();
      resolve(true);
      expect(await promise1).toBe(true);
      expect(await promise2).toBe(true);
      expect(invocationsCount).toBe(1);
      expect(await memoized()).toBe(true);
      expect(memoized.stats()).toMatchObject({ misses: 1, size: 1 });
    });

    // p-memoize test.ts › 'cacheKey option' (idb-memo: `key`).
    it('cacheKey option', async () => {
      let index = 0;
      const fixture = async (..._arguments: unknown[]) => index++;
      const memoized = cache(fixture, opts({ key: (firstArgument: unknown) => String(firstArgument) }));
      expect(await memoized(1)).toBe(0);
      expect(await memoized(1)).toBe(0);
      expect(await memoized('1')).toBe(0);
      expect(await memoized('2')).toBe(1);
      expect(await memoized(2)).toBe(1);
    });

    // p-memoize test.ts › 'memoize with multiple non-primitive arguments'. p-memoize needs
    // `cacheKey: JSON.stringify` for this; idb-memo keys objects by value by default.
    it('memoize with multiple non-primitive arguments', async () => {
      let index = 0;
      const memoized = cache(async (..._arguments: unknown[]) => index++, opts());
      expect(await memoized()).toBe(0);
      expect(await memoized()).toBe(0);
      expect(await memoized({ foo: true }, { bar: false })).toBe(1);
      expect(await memoized({ foo: true }, { bar: false })).toBe(1);
      expect(await memoized({ foo: true }, { bar: false }, { baz: true })).toBe(2);
      expect(await memoized({ foo: true }, { bar: false }, { baz: true })).toBe(2);
    });

    // p-memoize test.ts › 'memoize with regexp arguments'. p-memoize needs `cacheKey:
    // serializeJavascript`; idb-memo keys a RegExp by its source and flags by default.
    it('memoize with regexp arguments', async () => {
      let index = 0;
      const memoized = cache(async (..._arguments: unknown[]) => index++, opts());
      expect(await memoized()).toBe(0);
      expect(await memoized()).toBe(0);
      expect(await memoized(/Sindre Sorhus/)).toBe(1);
      expect(await memoized(/Sindre Sorhus/)).toBe(1);
      expect(await memoized(/Elvin Peng/)).toBe(2);
      expect(await memoized(/Elvin Peng/)).toBe(2);
    });

    // p-memoize test.ts › 'memoize with Symbol arguments'. In memory idb-memo keys a symbol by its
    // identity, as p-memoize does. On disk a key must mean the same after a reload: a registered
    // symbol (`Symbol.for`) is keyed by its registry key, and a unique symbol is refused.
    it('memoize with Symbol arguments', async () => {
      let index = 0;
      const [argument1, argument2] = toDisk ? [Symbol.for('fixture1'), Symbol.for('fixture2')] : [Symbol('fixture1'), Symbol('fixture2')];
      const memoized = cache(async (..._arguments: unknown[]) => index++, opts());
      expect(await memoized()).toBe(0);
      expect(await memoized()).toBe(0);
      expect(await memoized(argument1)).toBe(1);
      expect(await memoized(argument1)).toBe(1);
      expect(await memoized(argument2)).toBe(2);
      expect(await memoized(argument2)).toBe(2);
      if (toDisk) await expect(memoized(Symbol('fixture1'))).rejects.toMatchObject({ code: 'UNKEYABLE_VALUE' });
      else expect(await memoized(Symbol('fixture1'))).toBe(3); // another symbol of the same description
    });

    // p-memoize test.ts › 'cache option'. p-memoize keys `foo` and `bar` (two empty objects) by
    // identity in a WeakMap; idb-memo keys by value, so they are one key, unless `key` gives
    // each object an identity.
    it('cache option', async () => {
      let index = 0;
      const fixture = async (..._arguments: unknown[]) => index++;
      const foo = {};
      const bar = {};
      const byValue = cache(fixture, opts());
      expect([await byValue(foo), await byValue(foo), await byValue(bar), await byValue(bar)]).toEqual([0, 0, 0, 0]);
      const ids = new WeakMap<object, number>([
        [foo, 1],
        [bar, 2],
      ]);
      const byIdentity = cache(fixture, opts({ key: (firstArgument: object) => ids.get(firstArgument) }));
      expect([await byIdentity(foo), await byIdentity(foo), await byIdentity(bar), await byIdentity(bar)]).toEqual([1, 1, 2, 2]);
    });

    // p-memoize test.ts › 'internal promise cache is only used if a value already exists in cache'
    // (p-memoize deletes from its `cache` Map; idb-memo: `delete()`).
    it('internal promise cache is only used if a value already exists in cache', async () => {
      let index = 0;
      const memoized = cache(async (..._arguments: unknown[]) => index++, opts());
      const foo = {};
      expect(await memoized(foo)).toBe(0);
      expect(await memoized(foo)).toBe(0);
      expect(await memoized.delete(foo)).toBe(true);
      expect(await memoized(foo)).toBe(1);
      expect(await memoized(foo)).toBe(1);
    });

    // p-memoize test.ts › 'preserves the original function name'.
    it('preserves the original function name', () => {
      expect(cache(async function foo() {}, opts()).name).toBe('foo');
    });

    // p-memoize test.ts › '.pMemoizeClear()' (idb-memo: `clear()`).
    it('.pMemoizeClear()', async () => {
      let index = 0;
      const memoized = cache(async () => index++, opts());
      expect(await memoized()).toBe(0);
      expect(await memoized()).toBe(0);
      await memoized.clear();
      expect(await memoized()).toBe(1);
      expect(await memoized()).toBe(1);
    });

    // p-memoize test.ts › 'prototype support'. A memoized function called on a class instance keys
    // the instance by identity and own fields in memory (docs/keys.md): `foo` increments
    // `this.index`, so each call has a new key and computes; with toDisk an instance cannot be
    // keyed, and the call rejects. With a `key` that leaves `this` out, p-memoize's expectations hold.
    it('prototype support', async () => {
      class Unicorn {
        index = 0;
        async foo() {
          return this.index++;
        }
      }
      const original = Unicorn.prototype.foo;
      Unicorn.prototype.foo = cache(original, opts());
      const unicorn = new Unicorn();
      if (toDisk) await expect(unicorn.foo()).rejects.toThrow(/cache key from this: an instance of Unicorn/);
      else expect([await unicorn.foo(), await unicorn.foo(), await unicorn.foo()]).toEqual([0, 1, 2]);
      Unicorn.prototype.foo = cache(original, opts({ key: () => 'unicorn' }));
      const other = new Unicorn();
      expect([await other.foo(), await other.foo(), await other.foo()]).toEqual([0, 0, 0]);
    });

    // p-memoize test.ts › '.pMemoizeDecorator()' (idb-memo: `@cache(options)`). As p-memoize, one
    // entry per instance: idb-memo keys `this` by identity and own fields. A toDisk method needs a
    // `key` (an instance cannot be stored by value): here, its label.
    it('.pMemoizeDecorator()', async () => {
      let returnValue = 1;
      const returnValue2 = 101;
      const key = toDisk ? { key(this: TestClass) { return this.label ?? null; } } : {};
      class TestClass {
        constructor(readonly label?: string) {}
        @cache(opts(key))
        async counter() {
          return returnValue++;
        }
        @cache(opts(key))
        async counter2() {
          return returnValue2;
        }
      }
      const alpha = new TestClass('alpha');
      expect(await alpha.counter()).toBe(1);
      expect(await alpha.counter()).toBe(1);
      expect(await alpha.counter2()).toBe(101);
      const beta = new TestClass('beta');
      expect(await beta.counter()).toBe(2);
      expect(await beta.counter()).toBe(2);
    });

    // p-memoize test.ts › 'pMemoizeClear() throws when called with a plain function'. idb-memo has
    // no free-standing clear (it is a method of the memoized function); the nearest bad input is
    // a non-function given to cache(), which throws a TypeError naming the problem.
    it('pMemoizeClear() throws when called with a plain function', () => {
      expect(() => cache(42 as never, opts())).toThrow(TypeError);
      expect(() => cache(opts())(42 as never)).toThrow(/needs a function/);
    });
  });

  describe('memoizee test/ext/max.js', () => {
    /** memoizee's sequence for `max: 3` (least recently used goes first): [x, y, result, computations so far]. */
    async function lruSequence(mfn: (x: number, y: number) => Promise<number>, computations: () => number, remove: {
      delete: (x: number, y: number) => Promise<boolean>;
      clear: () => Promise<void>;
    }) {
      const step = async (x: number, y: number, result: number, called: number, label: string) => {
        expect(await mfn(x, y), `Result ${label}`).toBe(result);
        expect(computations(), `Called ${label}`).toBe(called);
      };
      await step(3, 7, 10, 1, '#1');
      await step(3, 7, 10, 1, '#2');
      await step(5, 8, 13, 2, 'B #1');
      await step(3, 7, 10, 2, '#3');
      await step(5, 8, 13, 2, 'B #2');
      await step(12, 4, 16, 3, 'C #1');
      await step(3, 7, 10, 3, '#4');
      await step(5, 8, 13, 3, 'B #3');
      await step(77, 11, 88, 4, 'D #1'); // Clear 12, 4
      await step(5, 8, 13, 4, 'B #4');
      await step(12, 4, 16, 5, 'C #2'); // Clear 3, 7
      await step(3, 7, 10, 6, '#5'); // Clear 77, 11
      await step(77, 11, 88, 7, 'D #2'); // Clear 5, 8
      await step(12, 4, 16, 7, 'C #3');
      await step(5, 8, 13, 8, 'B #5'); // Clear 3, 7
      await step(77, 11, 88, 8, 'D #3');
      await remove.delete(77, 11);
      await step(77, 11, 88, 9, 'D #4');
      await remove.clear();
      await step(5, 8, 13, 10, 'B #6');
      await step(77, 11, 88, 11, 'D #5');
    }

    const primitiveKey = (x: number, y: number) => `${x}\u0001${y}`;
    const syncAdd = (count: () => void) => (x: number, y: number) => (count(), x + y);
    const asyncAdd = (count: () => void) => async (x: number, y: number) => {
      await nextTick();
      count();
      return x + y;
    };

    // memoizee test/ext/max.js › Regular › Sync, Regular › Async, Primitive › Sync, Primitive ›
    // Async. memoizee's `max` evicts the least recently used: idb-memo's maxItems with 'LRU'.
    // Async: Node callbacks there, an async function here. Primitive: memoizee keys by the
    // arguments' string forms; idb-memo keys typed values, and `key` gives the string form.
    it.each([
      ['Regular › Sync', syncAdd, undefined],
      ['Regular › Async', asyncAdd, undefined],
      ['Primitive › Sync', syncAdd, primitiveKey],
      ['Primitive › Async', asyncAdd, primitiveKey],
    ] as const)('%s', async (_, make, key) => {
      let i = 0;
      const options = opts({ maxItems: 3, policy: 'LRU' as const });
      const mfn = cache(
        make(() => ++i),
        key ? { ...options, key } : options,
      );
      await lruSequence(mfn, () => i, mfn);
      if (!toDisk || key) return;
      // With toDisk, a fresh page holds what memory held after the sequence's delete() and clear():
      // (5, 8) and (77, 11), and nothing of the entries evicted, deleted or cleared before.
      const fresh = await reload();
      expect([await fresh.call(options, 5, 8), await fresh.call(options, 77, 11)]).toEqual([13, 88]);
      expect((await fresh.send({ op: 'flush' })).computed, 'read from the disk').toEqual([]);
      expect([await fresh.call(options, 3, 7), await fresh.call(options, 12, 4)]).toEqual([10, 16]);
      expect((await fresh.send({ op: 'flush' })).computed, 'computed again').toEqual(['add(3,7)=10', 'add(12,4)=16']);
    });
  });

  describe('memoizee test/ext/promise.js', () => {
    // memoizee test/ext/promise.js › Regular › Success and Primitive › Success (primitive: `key` of strings).
    it.each([
      ['Regular', undefined],
      ['Primitive', (x: number, y: number) => `${x}\u0001${y}`],
    ] as const)('%s › Success', async (_, key) => {
      let i = 0;
      let invoked = 0;
      const fn = (x: number, y: number) => new Promise<number>((resolve) => (++i, resolve(x + y)));
      const mfn = cache(fn, opts(key ? { key } : {}));
      const first = await Promise.all(
        ([[3, 7, 10], [3, 7, 10], [5, 8, 13], [3, 7, 10], [5, 8, 13]] as const).map(([x, y, result]) =>
          mfn(x, y).then((res) => {
            ++invoked;
            expect(res).toBe(result);
          }),
        ),
      );
      expect(first).toHaveLength(5);
      expect(i, 'Init Called').toBe(2);
      expect(invoked, 'Cb Called').toBe(5);
      expect([await mfn(3, 7), await mfn(5, 8)]).toEqual([10, 13]);
      expect(i, 'Init Called #2').toBe(2);
      await mfn.delete(3, 7);
      expect(await Promise.all([mfn(3, 7), mfn(5, 8)])).toEqual([10, 13]);
      expect(i, 'Init After delete').toBe(3);
    });

    // memoizee test/ext/promise.js › Regular › Error and Primitive › Error: a rejection reaches
    // every caller as is and is never cached.
    it.each([
      ['Regular', undefined],
      ['Primitive', (x: number, y: number) => `${x}\u0001${y}`],
    ] as const)('%s › Error', async (_, key) => {
      let i = 0;
      const e = new Error('Test');
      const fn = (_x: number, _y: number) => {
        ++i;
        return new Promise<number>((_resolve, reject) => reject(e));
      };
      const mfn = cache(fn, opts(key ? { key } : {}));
      const first = await Promise.allSettled([mfn(3, 7), mfn(5, 8)]);
      expect(first).toEqual([
        { status: 'rejected', reason: e },
        { status: 'rejected', reason: e },
      ]);
      expect(i, 'Called #2').toBe(2);
      const again = await Promise.allSettled([mfn(3, 7), mfn(5, 8)]);
      expect(again.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
      expect(i, 'Again Called #2').toBe(4);
    });

    // memoizee test/ext/promise.js › Primitive › Primitive null arg case.
    it('Primitive › Primitive null arg case', async () => {
      const x = {};
      const mfn = cache((_id: null) => new Promise<object>((resolve) => resolve(x)), opts());
      expect(await mfn(null)).toEqual(x);
    });

    // memoizee test/ext/promise.js › Sync Clear and Sync Clear: Primitive: each call gets its own
    // result when the promises settle on a later tick.
    it.each([
      ['Sync Clear', undefined],
      ['Sync Clear: Primitive', (x: number) => String(x)],
    ] as const)('%s', async (_, key) => {
      const fn = (x: number) => new Promise<number>((resolve) => void nextTick().then(() => resolve(x)));
      const mfn = cache(fn, opts(key ? { key } : {}));
      expect(await Promise.all([mfn(1), mfn(2)])).toEqual([1, 2]);
    });
  });

  describe('memoizee test/ext/max-age.js', () => {
    // The clock is faked (Date only: IndexedDB keeps its real timers), so that "20 ms later" and
    // "110 ms later" are exact: no timing in these tests.
    let now = 0;
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'] });
      now = Date.now();
    });
    const advance = (ms: number) => vi.setSystemTime((now += ms));

    /** memoizee's max-age sequence (maxAge: 100 ms; idb-memo: ttl 0.1 s). */
    async function maxAgeSequence(mfn: (x: number, y: number) => Promise<number>, computations: () => number) {
      const step = async (x: number, y: number, result: number, called: number, label: string) => {
        expect(await mfn(x, y), `Result ${label}`).toBe(result);
        expect(computations(), `Called ${label}`).toBe(called);
      };
      await step(3, 7, 10, 1, '#1');
      await step(3, 7, 10, 1, '#2');
      await step(5, 8, 13, 2, 'B #1');
      await step(3, 7, 10, 2, '#3');
      await step(5, 8, 13, 2, 'B #2');
      advance(20);
      await step(3, 7, 10, 2, ': Wait');
      await step(5, 8, 13, 2, ': Wait B');
      await step(9, 1, 10, 3, ': C');
      advance(90);
      await step(3, 7, 10, 4, ': Wait After');
      await step(5, 8, 13, 5, ': Wait After B');
      await step(3, 7, 10, 5, ': Wait After #2');
      await step(5, 8, 13, 5, ': Wait After B #2');
      await step(9, 1, 10, 5, ': Wait C');
    }

    // memoizee test/ext/max-age.js › Regular › Sync, Regular › Async, Primitive › Sync, Primitive ›
    // Async (Async: Node callbacks there, an async function here; Primitive: `key` of strings).
    it.each([
      ['Regular › Sync', false, false],
      ['Regular › Async', true, false],
      ['Primitive › Sync', false, true],
      ['Primitive › Async', true, true],
    ] as const)('%s', async (_, isAsync, primitive) => {
      let i = 0;
      const add = (x: number, y: number) => (++i, x + y);
      const fn = isAsync ? async (x: number, y: number) => (await nextTick(), add(x, y)) : add;
      const mfn = cache(fn, opts(primitive ? { ttl: 0.1, key: (x: number, y: number) => `${x}\u0001${y}` } : { ttl: 0.1 }));
      await maxAgeSequence(mfn, () => i);
    });
  });

  describe('memoizee test/index.js', () => {
    // memoizee test/index.js › "0". memoizee ignores the arguments of a function declared without
    // parameters (its `length` is 0); idb-memo keys every argument, so `key` must say to ignore them.
    it('0', async () => {
      let i = 0;
      const fn = (..._args: unknown[]) => (++i, 3);
      const everyArgument = cache(fn, opts());
      expect([await everyArgument(), await everyArgument(1), await everyArgument(5)]).toEqual([3, 3, 3]);
      expect(i).toBe(3);
      i = 0;
      const noArgument = cache(fn, opts({ key: () => null }));
      expect(await noArgument(), 'First').toBe(3);
      expect(await noArgument(1), 'Second').toBe(3);
      expect(await noArgument(5), 'Third').toBe(3);
      expect(i, 'Called once').toBe(1);
    });

    // memoizee test/index.js › "1" › "No arg", "Arg", "Other Arg". memoizee keys only the first
    // `fn.length` arguments; idb-memo keys them all unless `key` picks them.
    describe('1', () => {
      it('No arg', async () => {
        let i = 0;
        const fn = cache((x?: unknown) => (++i, x), opts());
        expect([await fn(), await fn(), await fn()]).toEqual([undefined, undefined, undefined]);
        expect(i, 'Called once').toBe(1);
      });

      it.each(['Arg', 'Other Arg'])('%s', async (name) => {
        let i = 0;
        const x = {};
        const seconds = name === 'Arg' ? [8, 4, 2] : [2, 9, 3];
        const fn = cache((value: object, _extra: number) => (++i, value), opts({ key: (value: object) => value }));
        for (const second of seconds) expect(await fn(x, second)).toBe(x);
        expect(i, 'Called once').toBe(1);
      });
    });

    // memoizee test/index.js › "3" › "No args", "Some Args" (› "Other"), "Full stuff" (› "Other").
    // A repeated call answers the very object computed first (a memory hit).
    describe('3', () => {
      function three() {
        let i = 0;
        const fn = cache((x?: unknown, y?: unknown, z?: unknown) => (++i, [x, y, z]), opts({ key: (...args: unknown[]) => args.slice(0, 3) }));
        return { fn, calls: () => i };
      }

      it('No args', async () => {
        const { fn, calls } = three();
        const r = await fn();
        expect(r).toEqual([undefined, undefined, undefined]);
        expect(await fn()).toBe(r);
        expect(await fn()).toBe(r);
        expect(calls(), 'Called once').toBe(1);
      });

      it('Some Args › Other', async () => {
        const { fn, calls } = three();
        const x = {};
        let r = await fn(x, 8);
        expect(r).toEqual([x, 8, undefined]);
        expect(await fn(x, 8)).toBe(r);
        expect(await fn(x, 8)).toBe(r);
        expect(calls(), 'Called once').toBe(1);
        r = await fn(x, 5);
        expect(r).toEqual([x, 5, undefined]);
        expect(await fn(x, 5)).toBe(r);
        expect(calls()).toBe(2);
      });

      it('Full stuff › Other', async () => {
        const { fn, calls } = three();
        const x = {};
        const four = fn as unknown as (...args: unknown[]) => Promise<unknown[]>;
        let r = await four(x, 8, 23, 98);
        expect(r).toEqual([x, 8, 23]);
        expect(await four(x, 8, 23, 43)).toBe(r);
        expect(await four(x, 8, 23, 9)).toBe(r);
        expect(calls(), 'Called once').toBe(1);
        r = await four(x, 23, 8, 13);
        expect(r).toEqual([x, 23, 8]);
        expect(await four(x, 23, 8, 22)).toBe(r);
        expect(calls()).toBe(2);
      });
    });

    // memoizee test/index.js › "Error": a throw is never cached. memoizee rethrows synchronously;
    // an idb-memo function always returns a promise, so the throw is a rejection.
    it('Error', async () => {
      let i = 0;
      const e = new Error('Test');
      const fn = cache(() => {
        ++i;
        if (i < 3) throw e;
        return 3;
      }, opts());
      await expect(fn()).rejects.toBe(e);
      expect(i, 'Called once').toBe(1);
      await expect(fn()).rejects.toBe(e);
      expect(i, 'Called twice').toBe(2);
      expect([await fn(), await fn(), await fn()]).toEqual([3, 3, 3]);
      expect(i, 'Called three times').toBe(3);
    });

    // memoizee test/index.js › "Normalizer function" (idb-memo: `key`).
    it('Normalizer function', async () => {
      let i = 0;
      const mfn = cache((...args: unknown[]) => (++i, args.join('|')), opts({ key: (...args: unknown[]) => Boolean(args[0]) }));
      expect(await mfn(false, 'raz'), '#1').toBe('false|raz');
      expect(await mfn(0, 'dwa'), '#2').toBe('false|raz');
      expect(i, 'Called once').toBe(1);
      expect(await mfn(34, 'bar'), '#3').toBe('34|bar');
      expect(i, 'Called twice').toBe(2);
      expect(await mfn(true, 'ola'), '#4').toBe('34|bar');
      expect(i, 'Called twice #2').toBe(2);
    });

    // memoizee test/index.js › "Dynamic" › "No args", "Some Args", "Many args" (memoizee's
    // `length: false` is idb-memo's default: every argument is keyed).
    it.each([
      ['No args', []],
      ['Some Args', [{}, 8]],
      ['Many args', [{}, 8, 23, 98]],
    ] as const)('Dynamic › %s', async (_, args) => {
      let i = 0;
      const fn = cache((...received: unknown[]) => (++i, received), opts());
      const r = await fn(...args);
      expect(r).toEqual(args);
      expect(await fn(...args)).toBe(r);
      expect(await fn(...args)).toBe(r);
      expect(i, 'Called once').toBe(1);
    });

    // memoizee test/index.js › "Resolvers" › "No args", "Some Args" › "Other". memoizee coerces the
    // first arguments (Boolean, String) and passes the coerced values to the function; idb-memo
    // passes the arguments as given, and `key` applies the coercions to the key alone.
    describe('Resolvers', () => {
      function resolved() {
        let i = 0;
        const fn = cache(
          (...args: unknown[]) => (++i, [Boolean(args[0]), String(args[1]), ...args.slice(2)]),
          opts({ key: (...args: unknown[]) => [Boolean(args[0]), String(args[1]), args[2]] }),
        );
        return { fn, calls: () => i };
      }

      it('No args', async () => {
        const { fn, calls } = resolved();
        const r = await fn();
        expect(r).toEqual([false, 'undefined']);
        expect(await fn()).toBe(r);
        expect(await fn()).toBe(r);
        expect(calls(), 'Called once').toBe(1);
      });

      it('Some Args › Other', async () => {
        const { fn, calls } = resolved();
        const x = {};
        let r = await fn(0, 34, x, 45);
        expect(r).toEqual([false, '34', x, 45]);
        expect(await fn(0, 34, x, 22)).toBe(r);
        expect(await fn(0, 34, x, false)).toBe(r);
        expect(calls(), 'Called once').toBe(1);
        r = await fn(1, 34, x, 34);
        expect(r).toEqual([true, '34', x, 34]);
        expect(await fn(1, 34, x, 89)).toBe(r);
        expect(calls()).toBe(2);
      });
    });

    // memoizee test/index.js › "Clear Cache" › "Specific" (memoizee: `delete(...args)`).
    it('Clear Cache › Specific', async () => {
      let i = 0;
      const x = {};
      const fn = (_a?: number, _b?: object, c?: number) => {
        if (c === 3) ++i;
        return c;
      };
      let mfn = cache(fn, opts());
      await mfn(1, x, 3);
      await mfn(1, x, 4);
      await mfn.delete(1, x, 4);
      await mfn(1, x, 3);
      await mfn(1, x, 3);
      expect(i, 'Pre clear').toBe(1);
      await mfn.delete(1, x, 3);
      await mfn(1, x, 3);
      expect(i, 'After clear').toBe(2);

      i = 0;
      mfn = cache(fn, opts());
      await mfn(1, x, 3);
      await mfn(1, x, 3);
      await mfn();
      await mfn();
      await mfn.delete();
      await mfn(1, x, 3);
      expect(i, 'Proper no arguments clear').toBe(1);
    });

    // memoizee test/index.js › "Clear Cache" › "All" (memoizee: `clear()`).
    it('Clear Cache › All', async () => {
      let i = 0;
      const x = {};
      const fn = cache((..._args: unknown[]) => ++i, opts());
      for (const c of [3, 4, 3, 4]) await fn(1, x, c);
      expect(i, 'Pre clear').toBe(2);
      await fn.clear();
      for (const c of [3, 4, 3, 4]) await fn(1, x, c);
      expect(i, 'After clear').toBe(4);
    });

    // memoizee test/index.js › "Primitive" › "No args", "One arg", "Many args", "Clear cache".
    // memoizee's `primitive` mode keys by the arguments' string forms, so an object whose
    // toString() is 'foo' hits the entry of 'foo'. idb-memo keys typed values (README, "Keys":
    // `1` and `'1'` miss each other), so these run with a `key` of string forms.
    describe('Primitive', () => {
      const strings = (...args: unknown[]) => args.map(String);
      const y = { toString: () => 'foo' };

      it('No args', async () => {
        let i = 0;
        const mfn = cache((...args: unknown[]) => (++i, args[0]), opts({ key: () => null }));
        expect(await mfn('ble'), '#1').toBe('ble');
        expect(await mfn({}), '#2').toBe('ble');
        expect(i, 'Called once').toBe(1);
      });

      it('One arg', async () => {
        let i = 0;
        // With toDisk, `y` (a result holding a function) stays in memory, with a warning.
        const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
        const mfn = cache((x: unknown) => (++i, x), opts({ key: strings }));
        expect(await mfn(y), '#1').toBe(y);
        expect(await mfn('foo'), '#2').toBe(y);
        expect(i, 'Called once').toBe(1);
        // Without the string `key`, `y` is keyed as a plain object whose field is a function: by
        // identity in memory (a key apart from 'foo'); with toDisk it is refused, naming where it sits.
        const typed = cache((x: unknown) => x, opts());
        if (toDisk) await expect(typed(y)).rejects.toThrow(/args\[0\]\.toString/);
        else expect(await typed(y)).toBe(y);
        expect(await typed('foo')).toBe('foo');
        if (toDisk) {
          await flushCaches();
          expect(warn).toHaveBeenCalledWith(expect.stringContaining('[UNSTORABLE_RESULT]'));
        } else expect(warn).not.toHaveBeenCalled();
      });

      it('Many args', async () => {
        let i = 0;
        const mfn = cache((x: unknown, yy: unknown, z: unknown) => (++i, `${String(x)}${String(yy)}${String(z)}`), opts({ key: strings }));
        expect(await mfn(y, 'bar', 'zeta'), '#1').toBe('foobarzeta');
        expect(await mfn('foo', 'bar', 'zeta'), '#2').toBe('foobarzeta');
        expect(i, 'Called once').toBe(1);
      });

      it('Clear cache', async () => {
        let i = 0;
        const mfn = cache((x: unknown, yy: unknown, z: unknown) => (++i, `${String(x)}${String(yy)}${String(z)}`), opts({ key: strings }));
        expect(await mfn(y, 'bar', 'zeta'), '#1').toBe('foobarzeta');
        expect(await mfn('foo', 'bar', 'zeta'), '#2').toBe('foobarzeta');
        expect(i, 'Called once').toBe(1);
        expect(await mfn.delete('foo', { toString: () => 'bar' }, 'zeta')).toBe(true);
        expect(await mfn(y, 'bar', 'zeta'), '#3').toBe('foobarzeta');
        expect(i, 'Called twice').toBe(2);
      });
    });
  });

  describe('Panel panel/tests/io/test_cache.py', () => {
    /**
     * Panel's `hashes_equal(v1, v2)`, through idb-memo's API: whether a call with `v2` is answered
     * by the entry a call with `v1` stored.
     */
    async function hashesEqual(v1: unknown, v2: unknown): Promise<boolean> {
      let computed = 0;
      const f = cache((_value: unknown) => ++computed, opts());
      await f(v1);
      await f(v2);
      return computed === 1;
    }

    // test_cache.py › test_str_hash, test_int_hash, test_float_hash, test_bool_hash, test_none_hash
    // (None: null, kept apart from false and from undefined).
    it.each([
      ['test_str_hash', 'foo', 'foo', 'bar'],
      ['test_int_hash', 12, 12, 2],
      ['test_float_hash', 3.14, 3.14, 1.2],
      ['test_bool_hash', true, true, false],
      ['test_bool_hash (False)', false, false, true],
      ['test_none_hash', null, null, false],
      ['test_none_hash (undefined)', null, null, undefined],
    ])('%s', async (_, value, equal, different) => {
      expect(await hashesEqual(value, equal)).toBe(true);
      expect(await hashesEqual(value, different)).toBe(false);
    });

    // test_cache.py › test_bytes_hash (bytes: Uint8Array).
    it('test_bytes_hash', async () => {
      expect(await hashesEqual(new Uint8Array([48]), new Uint8Array([48]))).toBe(true);
      expect(await hashesEqual(new Uint8Array([48]), new Uint8Array([49]))).toBe(false);
    });

    // test_cache.py › test_date_hash, test_datetime_hash (Date; JavaScript dates stop at milliseconds).
    it('test_date_hash, test_datetime_hash', async () => {
      expect(await hashesEqual(new Date(1988, 3, 14), new Date(1988, 3, 14))).toBe(true);
      expect(await hashesEqual(new Date(1988, 3, 14), new Date(1988, 3, 15))).toBe(false);
      expect(await hashesEqual(new Date(1988, 3, 14, 12, 3, 2, 1), new Date(1988, 3, 14, 12, 3, 2, 1))).toBe(true);
      expect(await hashesEqual(new Date(1988, 3, 14, 12, 3, 2, 1), new Date(1988, 3, 14, 12, 3, 2, 2))).toBe(false);
    });

    // Panel's recursion checks compare `l` with `list(l)` (and `d` with `dict(d)`) through
    // `_find_hash_func(v)(v)`, which leaves the outermost value off Panel's cycle stack; through
    // Panel's cache() itself, `fn(l)` and `fn(list(l))` are two keys (the copy is one level deeper
    // before its cycle closes), as in idb-memo. What both key alike is two equal cycles.
    function cyclicList(): unknown[] {
      const l: unknown[] = [0];
      l.push(l);
      return l;
    }
    function cyclicDict(): Record<string, unknown> {
      const d: Record<string, unknown> = { a: {} };
      d.a = d;
      return d;
    }

    // test_cache.py › test_list_hash and test_tuple_hash (both are arrays here), with recursion.
    it('test_list_hash, test_tuple_hash', async () => {
      expect(await hashesEqual([0], [0])).toBe(true);
      expect(await hashesEqual(['a', ['b']], ['a', ['b']])).toBe(true);
      expect(await hashesEqual([0], [1])).toBe(false);
      expect(await hashesEqual(['a', ['b']], ['a', ['c']])).toBe(false);
      expect(await hashesEqual(cyclicList(), cyclicList())).toBe(true);
      expect(await hashesEqual(cyclicList(), [0, [0]])).toBe(false);
    });

    // test_cache.py › test_dict_hash (dict: plain object), with recursion.
    it('test_dict_hash', async () => {
      expect(await hashesEqual({ a: 0 }, { a: 0 })).toBe(true);
      expect(await hashesEqual({ a: { b: 0 } }, { a: { b: 0 } })).toBe(true);
      expect(await hashesEqual({ a: 0 }, { b: 0 })).toBe(false);
      expect(await hashesEqual({ a: 0 }, { a: 1 })).toBe(false);
      expect(await hashesEqual({ a: { b: 0 } }, { a: { b: 1 } })).toBe(false);
      expect(await hashesEqual(cyclicDict(), cyclicDict())).toBe(true);
      expect(await hashesEqual(cyclicDict(), { a: { a: {} } })).toBe(false);
    });

    // test_cache.py › test_stringio_hash, test_bytesio_hash (in-memory files: Blobs, keyed by content).
    it('test_stringio_hash, test_bytesio_hash', async () => {
      expect(await hashesEqual(new Blob(['foo']), new Blob(['foo']))).toBe(true);
      expect(await hashesEqual(new Blob(['foo']), new Blob(['bar']))).toBe(false);
      expect(await hashesEqual(new Blob([new Uint8Array([102, 111, 111])]), new Blob([new Uint8Array([102, 111, 111])]))).toBe(true);
      expect(await hashesEqual(new Blob([new Uint8Array([102, 111, 111])]), new Blob([new Uint8Array([98, 97, 114])]))).toBe(false);
    });

    // test_cache.py › test_pathlib_hash (a path: a URL).
    it('test_pathlib_hash', async () => {
      const base = 'https://example.com/a/b/';
      expect(await hashesEqual(new URL('./', base), new URL('./', base))).toBe(true);
      expect(await hashesEqual(new URL('./', base), new URL('../', base))).toBe(false);
    });

    // test_cache.py › test_ndarray_hash (arrays of a dtype: typed arrays).
    it('test_ndarray_hash', async () => {
      expect(await hashesEqual(new Int32Array([0, 1, 2]), new Int32Array([0, 1, 2]))).toBe(true);
      expect(await hashesEqual(new Uint32Array([0, 1, 2]), new Float64Array([0, 1, 2]))).toBe(false);
      expect(await hashesEqual(new Int32Array([0, 1, 2]), new Int32Array([2, 1, 0]))).toBe(false);
    });

    // test_cache.py › test_dataframe_hash, test_series_hash (a frame: an object of columns).
    it('test_dataframe_hash, test_series_hash', async () => {
      const frame = () => ({ A: new Float64Array([0, 1, 2, 3, 4]), B: [0, 1, 0, 1, 0], C: ['foo1', 'foo2', 'foo3', 'foo4', 'foo5'] });
      const reversed = frame();
      reversed.A.reverse();
      expect(await hashesEqual(frame(), frame())).toBe(true);
      expect(await hashesEqual(frame(), reversed)).toBe(false);
      const series = ['a', 'b', 'c'];
      expect(await hashesEqual(series, [...series])).toBe(true);
      expect(await hashesEqual(series, [3.14, 'b', 'c'])).toBe(false);
    });

    // test_cache.py › test_ufunc_hash, test_builtin_hash, test_module_hash. Panel hashes functions
    // and modules by name; idb-memo keys a function by identity in memory, and refuses it with
    // toDisk (an identity cannot outlive the page), with a TypeError saying to use `key` or
    // `hashFuncs`. With hashFuncs keying functions by name, Panel's expectations hold.
    it('test_ufunc_hash, test_builtin_hash, test_module_hash', async () => {
      if (toDisk) await expect(hashesEqual(Math.abs, Math.abs)).rejects.toThrow(/hashFuncs/);
      else expect([await hashesEqual(Math.abs, Math.abs), await hashesEqual(Math.abs, Math.sin)]).toEqual([true, false]);
      let computed = 0;
      const byName = cache((_value: unknown) => ++computed, opts({ hashFuncs: [[(value: unknown) => typeof value === 'function', (fn: () => void) => fn.name]] as const }));
      await byName(Math.abs);
      await byName(Math.abs);
      expect(computed).toBe(1);
      await byName(Math.sin);
      await byName(Math.cos);
      expect(computed).toBe(3);
      await byName(Math.max);
      await byName(Math.min);
      expect(computed).toBe(5);
      // Modules: namespace objects. Math and JSON list no data of their own: tagged, they are keyed
      // by identity (refused with toDisk), never as {}.
      if (toDisk) return void (await expect(hashesEqual(Math, Math)).rejects.toThrow(/a Math object/));
      expect(await hashesEqual(Math, Math)).toBe(true);
      expect(await hashesEqual(Math, JSON)).toBe(false);
      expect(await hashesEqual(Math, {})).toBe(false);
      expect(await hashesEqual([{}], [JSON])).toBe(false);
      expect(await hashesEqual({ [Symbol.toStringTag]: 'Tagged', n: 1 }, { [Symbol.toStringTag]: 'Tagged', n: 1 })).toBe(false);
    });

    // test_cache.py › test_cache_with_args (function_with_args: the page fixture, see peer-page.ts).
    it('test_cache_with_args', async () => {
      const page = thisPage();
      const options = opts();
      expect(await page.call(options, 0, 0)).toBe(0);
      expect(await page.call(options, 0, 0)).toBe(0);
    });

    // test_cache.py › test_async_cache_with_args.
    it('test_async_cache_with_args', async () => {
      const offsets = new Map<string, number>();
      const asyncFunctionWithArgs = async (a: number, b: number) => {
        const offset = offsets.get(`${a},${b}`) ?? 0;
        offsets.set(`${a},${b}`, offset + 1);
        return a + b + offset;
      };
      const fn = cache(asyncFunctionWithArgs, opts());
      expect(await fn(0, 0)).toBe(0);
      expect(await fn(0, 0)).toBe(0);
    });

    // test_cache.py › test_cache_with_kwargs. JavaScript has no keyword arguments: their
    // counterpart is an options object, keyed regardless of key order.
    it('test_cache_with_kwargs', async () => {
      let offset = 0;
      const fn = cache(({ a, b }: { a: number; b: number }) => a + b + offset++, opts());
      expect(await fn({ a: 0, b: 0 })).toBe(0);
      expect(await fn({ a: 0, b: 0 })).toBe(0);
      expect(await fn({ b: 0, a: 0 })).toBe(0);
    });

    // test_cache.py › test_cache_clear; with toDisk, a fresh page reads the recomputed result.
    it('test_cache_clear', async () => {
      const page = thisPage();
      const options = opts();
      expect(await page.call(options, 0, 0)).toBe(0);
      await page.send({ op: 'clear', options });
      expect(await page.call(options, 0, 0)).toBe(1);
      if (!toDisk) return;
      const fresh = await reload();
      expect(await fresh.call(options, 0, 0)).toBe(1);
      expect((await fresh.send({ op: 'flush' })).computed).toEqual([]);
    });

    // test_cache.py › test_per_session_cache. Panel's session is a document; idb-memo's is a tab,
    // and a memory tier belongs to its page anyway. Another session (a fresh page that is not a
    // reload of this tab: a worker in Chromium, a cleared sessionStorage under happy-dom) computes
    // its own result; this page keeps answering its own.
    it('test_per_session_cache', async () => {
      const page = thisPage();
      const options = opts({ perSession: true });
      expect(await page.call(options, 0, 0)).toBe(0);
      await flushCaches();
      try {
        sessionStorage.removeItem('idb-memo:session');
      } catch {
        // No sessionStorage: nothing to forget.
      }
      const other = await freshPage();
      pages.push(other);
      expect((await other.send({ op: 'flush' })).realm).not.toBe((await page.send({ op: 'flush' })).realm);
      expect(await other.call(options, 0, 0)).toBe(0);
      expect((await other.send({ op: 'flush' })).computed).toEqual(['add(0,0)=0']);
      expect(await page.call(options, 0, 0)).toBe(0);
      expect(await other.call(options, 0, 0)).toBe(0);
      expect((await other.send({ op: 'flush' })).computed).toEqual(['add(0,0)=0']);
      expect(await page.send({ op: 'stats', options })).toMatchObject({ value: { misses: 1, hits: 1 } });
    });

    // test_cache.py › test_disk_cache. Panel checks that ./cache exists and holds files; here the
    // IndexedDB database of `cachePath` holds the entry. Memory-only, nothing is written.
    it('test_disk_cache', async () => {
      const page = thisPage();
      const options = opts();
      expect(await page.call(options, 0, 0)).toBe(0);
      await flushCaches();
      if (toDisk) {
        const db = await openDB(options.cachePath!);
        try {
          expect(db.objectStoreNames.length).toBeGreaterThan(0);
          const counts = await Promise.all([...db.objectStoreNames].map((store) => db.count(store)));
          expect(counts.some((count) => count > 0)).toBe(true);
        } finally {
          db.close();
        }
      }
      expect(await page.call(options, 0, 0)).toBe(0);
      await page.send({ op: 'clear', options });
      expect(await page.call(options, 0, 0)).toBe(1);
      if (!toDisk) return;
      const fresh = await reload();
      expect(await fresh.call(options, 0, 0)).toBe(1);
    });

    /**
     * Runs Panel's sequence on this page, checking each answer. With toDisk, a fresh page then
     * continues in the same state and eviction order: it computes `dropped` (not held), which
     * evicts `evictedNext` as this page would have, answers the rest of `kept` (the values this
     * page holds) from the disk, and computes `evictedNext` again.
     */
    async function evictionSequence(
      options: PageOptions,
      steps: [number, number, number][],
      { kept, dropped, evictedNext }: { kept: [number, number, number][]; dropped: [number, number]; evictedNext: [number, number] },
    ) {
      const page = thisPage();
      for (const [a, b, expected] of steps) expect(await page.call(options, a, b), `fn(${a}, ${b})`).toBe(expected);
      if (!toDisk) return;
      const fresh = await reload();
      const computed = async () => (await fresh.send({ op: 'flush' })).computed.length;
      await fresh.call(options, ...dropped);
      expect(await computed(), `fresh page: fn(${dropped.join(', ')}) is computed`).toBe(1);
      for (const [a, b, expected] of kept) {
        if (a === evictedNext[0] && b === evictedNext[1]) continue;
        expect(await fresh.call(options, a, b), `fresh page: fn(${a}, ${b}) is read from the disk`).toBe(expected);
      }
      expect(await computed()).toBe(1);
      await fresh.call(options, ...evictedNext);
      expect(await computed(), `fresh page: fn(${evictedNext.join(', ')}) was evicted by fn(${dropped.join(', ')})`).toBe(2);
    }

    // test_cache.py › test_cache_fifo[to_disk] (the older revision's test_cache_lifo has the same expectations).
    it('test_cache_fifo', async () => {
      await evictionSequence(
        opts({ maxItems: 2, policy: 'FIFO' }),
        [
          [0, 0, 0],
          [0, 1, 1],
          [0, 0, 0],
          [0, 2, 2], // (0, 0) should be evicted
          [0, 0, 1],
        ],
        { kept: [[0, 2, 2], [0, 0, 1]], dropped: [0, 1], evictedNext: [0, 2] },
      );
    });

    // test_cache.py › test_cache_lfu[to_disk].
    it('test_cache_lfu', async () => {
      await evictionSequence(
        opts({ maxItems: 2, policy: 'LFU' }),
        [
          [0, 0, 0],
          [0, 0, 0],
          [0, 1, 1],
          [0, 2, 2], // (0, 1) should be evicted
          [0, 1, 2],
        ],
        { kept: [[0, 0, 0], [0, 1, 2]], dropped: [0, 2], evictedNext: [0, 1] },
      );
    });

    // test_cache.py › test_cache_lru[to_disk].
    it('test_cache_lru', async () => {
      await evictionSequence(
        opts({ maxItems: 3, policy: 'LRU' }),
        [
          [0, 0, 0],
          [0, 1, 1],
          [0, 2, 2],
          [0, 0, 0],
          [0, 3, 3], // (0, 1) should be evicted
          [0, 0, 0],
          [0, 1, 2],
        ],
        { kept: [[0, 0, 0], [0, 1, 2], [0, 3, 3]], dropped: [0, 2], evictedNext: [0, 3] },
      );
    });

    // test_cache.py › test_cache_ttl[to_disk]: Panel sleeps past the ttl; so does this test (it
    // asserts no duration, only that an expired result is recomputed).
    it('test_cache_ttl', async () => {
      const page = thisPage();
      const options = opts({ ttl: 0.1 });
      expect(await page.call(options, 0, 0)).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await page.call(options, 0, 0)).toBe(1);
    });

    // Panel's caching guide (how_to/caching), "Disk Caching › Basic Disk Caching": the second call
    // answers the first call's result, "even after server restart" (here: after a reload, with
    // toDisk); the stored datetime comes back as a Date of the same instant.
    it('guide: Basic Disk Caching', async () => {
      const page = thisPage();
      const options = opts();
      const call = async (target: Page) => {
        const reply = await target.send({ op: 'call', fixture: 'expensive_computation', options, args: [5] });
        if (!reply.ok) throw new Error(reply.error);
        return reply;
      };
      const result1 = (await call(page)).value;
      const result2 = (await call(page)).value;
      expect(result1).toBeInstanceOf(Date);
      expect(result2).toBe(result1);
      const fresh = await reload();
      const after = await call(fresh);
      expect(after.value).toBeInstanceOf(Date);
      if (toDisk) {
        expect((after.value as Date).getTime()).toBe((result1 as Date).getTime());
        expect(after.computed).toEqual([]);
      } else expect(after.computed).toEqual(['expensive_computation(5)']);
    });

    // Panel's caching guide, "Clearing the Cache": `pn.state.clear_caches()` (idb-memo:
    // `clearCaches()`) clears every cache, so neither this page nor a fresh one answers from it.
    it('guide: Clearing the Cache', async () => {
      const page = thisPage();
      const [first, second] = [opts(), opts({ maxItems: 2 })];
      expect([await page.call(first, 0, 0), await page.call(second, 0, 1)]).toEqual([0, 1]);
      await page.send({ op: 'clearCaches' });
      expect([await page.call(first, 0, 0), await page.call(second, 0, 1)]).toEqual([1, 2]);
      await page.send({ op: 'clearCaches' });
      const fresh = await reload();
      expect([await fresh.call(first, 0, 0), await fresh.call(second, 0, 1)]).toEqual([0, 1]);
      expect((await fresh.send({ op: 'flush' })).computed).toEqual(['add(0,0)=0', 'add(0,1)=1']);
    });

    // test_cache.py › test_cache_on_undecorated_parameterized_method. Panel keys `self` of a
    // Parameterized by its parameters' identity, and counts executions on the instance. idb-memo
    // keys `this` by its own data, `executions` included, so the count would change the key:
    // `key` names what the result depends on (`data` and `value`), as Panel's expectations need.
    it('test_cache_on_undecorated_parameterized_method', async () => {
      class Model {
        data = 1;
        executions = 0;
        @cache(
          opts({
            key(this: Model, value: number) {
              return [this.data, value];
            },
          }),
        )
        async expensiveCalculation(value: number) {
          this.executions += 1;
          return 2 * value;
        }
      }
      const model = new Model();
      expect(await model.expensiveCalculation(1)).toBe(2);
      expect(await model.expensiveCalculation(1)).toBe(2);
      expect(model.executions).toBe(1);
      expect(await model.expensiveCalculation(2)).toBe(4);
      expect(model.executions).toBe(2);
    });
  });
});

