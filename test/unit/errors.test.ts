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
import { warnOnce } from '../../src/warn';

const NODE_ENV = process.env.NODE_ENV;
afterEach(() => {
  process.env.NODE_ENV = NODE_ENV;
  vi.restoreAllMocks();
});

describe('error classes and codes (issue 15)', () => {
  it('an unkeyable argument rejects with UnkeyableValueError, code UNKEYABLE_VALUE, not a plain TypeError', async () => {
    const f = cache((_x: unknown) => 1);
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

describe('messages in production builds (issue 15)', () => {
  it('keep the class and code, and point to the section of docs/errors.md instead of the full message', () => {
    process.env.NODE_ENV = 'production';
    let thrown: unknown;
    try {
      cache({ ttl: -1 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IdbMemoRangeError);
    expect(thrown).toMatchObject({ code: 'OPTION_OUT_OF_RANGE' });
    expect((thrown as Error).message).toBe('idb-memo OPTION_OUT_OF_RANGE: see https://github.com/idb-memo/idb-memo/blob/main/docs/errors.md');
    expect((thrown as Error).message).not.toMatch(/ttl/);
  });

  it('full messages in development', () => {
    process.env.NODE_ENV = 'development';
    expect(() => cache({ ttl: -1 })).toThrow(/option "ttl" must be a positive number of seconds/);
  });

  it('warnings carry their code in both', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    warnOnce('QUOTA_EXCEEDED', 'test-dev', 'storage quota exceeded');
    process.env.NODE_ENV = 'production';
    warnOnce('QUOTA_EXCEEDED', 'test-prod', 'storage quota exceeded');
    expect(warn.mock.calls[0]?.[0]).toBe('idb-memo: storage quota exceeded [QUOTA_EXCEEDED]');
    expect(warn.mock.calls[1]?.[0]).toBe('idb-memo QUOTA_EXCEEDED: see https://github.com/idb-memo/idb-memo/blob/main/docs/errors.md');
  });
});
