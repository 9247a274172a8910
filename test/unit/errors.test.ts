import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  cache,
  cacheOf,
  ClearBlockedError,
  configure,
  IdbMemoError,
  IdbMemoRangeError,
  IdbMemoTypeError,
  isIdbMemoError,
  UnkeyableValueError,
} from '../../src/index';
import { messageOf, warnOnce } from '../../src/errors';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('error classes and codes (issue 15)', () => {
  it('an unkeyable argument rejects with UnkeyableValueError, code UNKEYABLE_VALUE, not a plain TypeError', async () => {
    const f = cache((_x: unknown) => 1, { toDisk: true, name: 'errors', cachePath: `errors-${Date.now()}` });
    const error: unknown = await f(() => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnkeyableValueError);
    expect(error).toBeInstanceOf(IdbMemoTypeError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ code: 'UNKEYABLE_VALUE', name: 'UnkeyableValueError' });
    expect(isIdbMemoError(error)).toBe(true);
  });

  it("the function's own TypeError is not taken for the library's", async () => {
    const f = cache((_x: number) => {
      throw new TypeError('mine');
    });
    const error: unknown = await f(1).catch((e: unknown) => e);
    expect(isIdbMemoError(error)).toBe(false);
    expect(error).not.toBeInstanceOf(IdbMemoTypeError);
  });

  it.each([
    [() => cache({ maxItems: 'x' as never }), IdbMemoTypeError, 'INVALID_OPTION'],
    [() => cache({ bogus: 1 } as never), IdbMemoTypeError, 'INVALID_OPTION'],
    [() => cache({ ttl: -1 }), IdbMemoRangeError, 'OPTION_OUT_OF_RANGE'],
    [() => cache({ policy: 'MRU' as never }), IdbMemoRangeError, 'OPTION_OUT_OF_RANGE'],
    [() => configure({ cachePath: '' }), IdbMemoRangeError, 'OPTION_OUT_OF_RANGE'],
    [() => cache(3 as never), IdbMemoTypeError, 'INVALID_ARGUMENT'],
    [() => cacheOf(() => 1), IdbMemoTypeError, 'NOT_MEMOIZED'],
    [() => cache((x: number) => x, { toDisk: true } as never), IdbMemoTypeError, 'INVALID_OPTION'],
    [() => cache({ toDisk: true, name: 'm' })((x: number) => x, { kind: 'method', name: 'm', addInitializer() {} } as never), IdbMemoTypeError, 'INVALID_OPTION'],
    [() => (cache({}) as unknown as (...args: unknown[]) => unknown)({}, 'method', {}), IdbMemoTypeError, 'INVALID_ARGUMENT'],
  ])('%# throws %o with its code', (act, type, code) => {
    let thrown: unknown;
    try {
      act();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(type);
    expect(thrown).toMatchObject({ code });
  });

  it('ClearBlockedError is an IdbMemoError with code CLEAR_BLOCKED', () => {
    const error = new ClearBlockedError(['db']);
    expect(error).toBeInstanceOf(IdbMemoError);
    expect(error).toMatchObject({ code: 'CLEAR_BLOCKED', name: 'ClearBlockedError', databases: ['db'] });
    expect(error.message).toMatch(/"db"/);
  });
});

describe('cacheOf (issue 15)', () => {
  it('reaches the controls of a memoized function and of an @cache method, bound to its instance', async () => {
    let calls = 0;
    const f = cache((n: number) => n + ++calls);
    await f(1);
    expect(cacheOf(f).stats().misses).toBe(1);
    expect(await cacheOf(f).delete(1)).toBe(true);

    class Explorer {
      constructor(readonly dataset: string) {}
      @cache
      async fetchData(): Promise<string> {
        calls++;
        return this.dataset;
      }
    }
    const a = new Explorer('a');
    const b = new Explorer('b');
    await a.fetchData();
    await b.fetchData();
    expect(await cacheOf(a.fetchData).delete()).toBe(true);
    expect(await cacheOf(a.fetchData).delete()).toBe(false);
    expect(await cacheOf(b.fetchData).delete()).toBe(true);
    expect(cacheOf(a.fetchData).stats().misses).toBe(2);
    await cacheOf(a.fetchData).clear();
  });
});

describe('messages (issue 23)', () => {
  it('in development say what went wrong and how to fix it', () => {
    expect(() => cache({ ttl: -1 })).toThrow(/option "ttl" must be a positive number of seconds/);
    expect(() => cache((x: number) => x, { toDisk: true } as never)).toThrow(/option "name" must be a string when toDisk is true/);
  });

  it('a decorator compiled with experimentalDecorators is told so', () => {
    expect(() => (cache({ maxItems: 1 }) as unknown as (...args: unknown[]) => unknown)({}, 'load', { value: () => 1 })).toThrow(/experimentalDecorators/);
  });

  it('in the production build keep the code and the path, and point to where the code is explained', () => {
    expect(messageOf('UNKEYABLE_VALUE', false, 'args[0].handler')).toMatch(/^idb-memo UNKEYABLE_VALUE at args\[0\]\.handler: see https:\/\/\S+\/docs\/errors\.md#unkeyable_value$/);
    expect(messageOf('QUOTA_EXCEEDED', false)).toMatch(/^idb-memo QUOTA_EXCEEDED: see \S+#quota_exceeded$/);
  });

  it('warnings carry their code', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    warnOnce('QUOTA_EXCEEDED', 'test-dev', 'storage quota exceeded');
    warnOnce('QUOTA_EXCEEDED', 'test-dev', 'storage quota exceeded');
    warnOnce('QUOTA_EXCEEDED', 'test-prod', false);
    expect(warn.mock.calls.map(([message]) => message as string)).toEqual([
      'idb-memo: storage quota exceeded [QUOTA_EXCEEDED]',
      expect.stringMatching(/^idb-memo QUOTA_EXCEEDED: see \S+#quota_exceeded$/),
    ]);
  });
});
