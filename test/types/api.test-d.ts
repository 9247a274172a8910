/**
 * Type tests of the public API (issue 15), checked by `npm run typecheck` against the sources and
 * by `npm run test:types` against the published `dist/index.d.ts` under moduleResolution node16.
 * Each `@ts-expect-error` fails the check if the line it guards compiles again.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  cache,
  cacheOf,
  ClearBlockedError,
  IdbMemoRangeError,
  IdbMemoTypeError,
  isIdbMemoError,
  UnkeyableValueError,
  type CacheControls,
  type CacheStats,
  type ErrorCode,
  type Memoized,
} from 'idb-memo';

describe('memoized functions', () => {
  it('return a promise of the awaited result, sync or async', () => {
    const sync = cache((a: number, b: string) => a + b.length);
    expectTypeOf(sync).toEqualTypeOf<Memoized<(a: number, b: string) => number>>();
    expectTypeOf(sync(1, 'x')).toEqualTypeOf<Promise<number>>();
    const async = cache(async (id: string) => ({ id }));
    expectTypeOf(async('a')).toEqualTypeOf<Promise<{ id: string }>>();
    // @ts-expect-error wrong argument type
    void sync('1', 'x');
    expectTypeOf(sync.delete).parameters.toEqualTypeOf<[a: number, b: string]>();
    expectTypeOf(sync.stats()).toEqualTypeOf<CacheStats>();
    expectTypeOf(sync.clear()).toEqualTypeOf<Promise<void>>();
  });

  it('type `key` from the function, in every form', () => {
    cache((d: Date, n: number) => n, {
      key: (d, n) => {
        expectTypeOf(d).toEqualTypeOf<Date>();
        expectTypeOf(n).toEqualTypeOf<number>();
        return d.getTime() + n;
      },
    });
    // cache(options)(fn): an annotated key is checked against fn's arguments, an unannotated one is `unknown`.
    const byId = cache({ key: (id: number) => id })((id: number, _verbose?: boolean) => id * 2);
    expectTypeOf(byId(1)).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error the key takes a number, the function is called with a string
    cache({ key: (id: number) => id })((name: string) => name);
    cache({
      key: (x) => {
        expectTypeOf(x).toEqualTypeOf<unknown>();
        return 1;
      },
    })((s: string) => s);
    // @ts-expect-error key must accept the function's arguments
    cache((s: string) => s, { key: (n: number) => n });
  });

  it('infer hashFuncs value types from the class or predicate', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const isPoint = (value: unknown): value is Point => value instanceof Point;
    cache((d: Date, p: Point) => p.x + d.getTime(), {
      hashFuncs: [
        [Date, (d) => expectTypeOf(d).toEqualTypeOf<Date>()],
        [Point, (p) => p.x],
        { type: Map, hash: (m) => m.size },
        [(v: unknown): v is string => typeof v === 'string', (s) => expectTypeOf(s).toEqualTypeOf<string>()],
        { test: (v: unknown): v is bigint => typeof v === 'bigint', hash: (b) => expectTypeOf(b).toEqualTypeOf<bigint>() },
        [isPoint, (p) => expectTypeOf(p).toEqualTypeOf<Point>()],
        // A plain predicate: the hasher says what it takes.
        [(v: unknown) => typeof v === 'function', (fn: () => void) => fn.name],
      ],
    });
    cache((w: WeakMap<object, number>) => w, { hashFuncs: { WeakMap: (_w: WeakMap<object, number>) => 'one' } });
    cache((d: Date) => d, { hashFuncs: new Map([[Date, () => 'x']]) });
    // @ts-expect-error `d` is a Date
    cache((d: Date) => d, { hashFuncs: [[Date, (d) => d.nope()]] });
  });
});

describe('options', () => {
  it('refuse a misspelt option, a bad value and toDisk without a name, in every form', () => {
    const square = (x: number) => x * x;
    // @ts-expect-error maxItem: did you mean maxItems? (test/types/messages checks the message)
    cache(square, { maxItem: 10 });
    // @ts-expect-error 'MRU' is no policy
    cache(square, { policy: 'MRU' });
    // @ts-expect-error maxItem, in cache(options)(fn)
    cache({ maxItem: 10 })(square);
    // @ts-expect-error toDisk: true needs a name
    cache(square, { toDisk: true });
    // @ts-expect-error toDisk: true needs a name, in cache(options)(fn)
    cache({ toDisk: true })(square);
    // @ts-expect-error an empty options type still has no such option
    cache(square, { maxItem: 10, hashFuncs: new Map() });
    expectTypeOf(cache(square, { toDisk: true, name: 'square', policy: 'lfu', version: 2 })).toEqualTypeOf<Memoized<typeof square>>();
    const flag = Math.random() > 0.5;
    // A boolean toDisk is taken with a name, whichever it is at run time.
    cache(square, { toDisk: flag, name: 'square' });
  });
});

describe('@cache methods', () => {
  it('keep an async method’s type and reach its controls through cacheOf', () => {
    class Explorer {
      dataset = 'a';
      @cache
      async fetchData(): Promise<string> {
        return this.dataset;
      }
      @cache({ maxItems: 1 })
      async describe(prefix: string): Promise<string> {
        return prefix + this.dataset;
      }
      @cache({ key: (prefix: string) => prefix })
      async byPrefix(prefix: string): Promise<string> {
        return prefix;
      }
      @cache({ toDisk: true, name: 'Explorer.stored' })
      async stored(): Promise<string> {
        return this.dataset;
      }
    }
    const explorer = new Explorer();
    expectTypeOf(explorer.fetchData()).toEqualTypeOf<Promise<string>>();
    expectTypeOf(cacheOf(explorer.describe)).toEqualTypeOf<CacheControls<[prefix: string]>>();
    expectTypeOf(cacheOf(explorer.describe).delete).parameters.toEqualTypeOf<[prefix: string]>();
    expectTypeOf(cacheOf(explorer.fetchData).stats()).toEqualTypeOf<CacheStats>();
  });

  it('refuse a synchronous method at compile time, with a message', () => {
    class Sync {
      // @ts-expect-error AsyncMethodsOnly: a memoized method returns a Promise
      @cache
      total(): number {
        return 1;
      }
      // @ts-expect-error AsyncMethodsOnly, with options too
      @cache({ ttl: 1 })
      count(): number {
        return 1;
      }
      // @ts-expect-error maxItem: did you mean maxItems?
      @cache({ maxItem: 1 })
      async typo(): Promise<number> {
        return 1;
      }
      // @ts-expect-error toDisk: true needs a name
      @cache({ toDisk: true })
      async unnamed(): Promise<number> {
        return 1;
      }
      // @ts-expect-error the key takes a number, the method a string
      @cache({ key: (n: number) => n })
      async named(name: string): Promise<string> {
        return name;
      }
    }
    void Sync;
  });
});

describe('errors', () => {
  it('carry a stable code, and are told apart from the function’s own errors', () => {
    expectTypeOf<UnkeyableValueError>().toExtend<IdbMemoTypeError>();
    expectTypeOf<UnkeyableValueError>().toExtend<TypeError>();
    expectTypeOf<IdbMemoRangeError>().toExtend<RangeError>();
    expectTypeOf<ClearBlockedError['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<ClearBlockedError['databases']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<'UNKEYABLE_VALUE'>().toExtend<ErrorCode>();
    const error: unknown = new Error();
    if (isIdbMemoError(error)) expectTypeOf(error.code).toEqualTypeOf<ErrorCode>();
  });
});
