import { describe, expect, it } from 'vitest';
import { cache, config, configure } from '../../src/index.ts';

const id = (x: number) => x;

describe('option validation', () => {
  it.each([
    [{ policy: 'MRU' }, RangeError, /"policy".*MRU/],
    [{ policy: 3 }, TypeError, /"policy"/],
    [{ maxItems: 0 }, RangeError, /"maxItems".*positive integer/],
    [{ maxItems: 1.5 }, RangeError, /"maxItems"/],
    [{ maxItems: '10' }, TypeError, /"maxItems"/],
    [{ ttl: -1 }, RangeError, /"ttl"/],
    [{ ttl: 0 }, RangeError, /"ttl"/],
    [{ ttl: '1' }, TypeError, /"ttl"/],
    [{ toDisk: 'yes' }, TypeError, /"toDisk"/],
    [{ perSession: 1 }, TypeError, /"perSession"/],
    [{ cachePath: 5 }, TypeError, /"cachePath"/],
    [{ cachePath: '' }, RangeError, /"cachePath"/],
    [{ key: 'k' }, TypeError, /"key"/],
    [{ name: {} }, TypeError, /"name"/],
    [{ version: {} }, TypeError, /"version"/],
    [{ hashFuncs: 3 }, TypeError, /"hashFuncs"/],
    [{ hashFuncs: [[Date]] }, TypeError, /"hashFuncs\[0\]"/],
    [{ max_items: 3 }, TypeError, /unknown.*"max_items".*maxItems/],
  ])('rejects %j when cache() is called', (options, errorType, message) => {
    expect(() => cache(id, options as never)).toThrow(errorType);
    expect(() => cache(id, options as never)).toThrow(message);
    expect(() => cache(options as never)).toThrow(errorType);
  });

  it('accepts every documented option', () => {
    expect(() =>
      cache(id, {
        maxItems: 3,
        policy: 'fifo',
        ttl: 0.5,
        toDisk: false,
        cachePath: 'db',
        perSession: false,
        hashFuncs: [],
        key: (x: number) => x,
        name: 'id',
        version: 2,
      }),
    ).not.toThrow();
  });

  it('takes maxItems: Infinity as unbounded', async () => {
    const f = cache((n: number) => n, { maxItems: Infinity });
    for (let i = 0; i < 50; i++) await f(i);
    expect(f.stats()).toMatchObject({ size: 50, evictions: 0 });
  });

  it('refuses a non-function', () => {
    expect(() => cache('nope' as never)).toThrow(TypeError);
  });
});

describe('config', () => {
  it('sets cachePath with configure() and directly, validating both', () => {
    const before = config.cachePath;
    expect(before).toBe('./cache');
    configure({ cachePath: 'cache2' });
    expect(config.cachePath).toBe('cache2');
    config.cachePath = 'cache3';
    expect(config.cachePath).toBe('cache3');
    expect(() => configure({ cachePath: 3 as never })).toThrow(TypeError);
    expect(() => configure({ cache_path: 'x' } as never)).toThrow(/unknown setting "cache_path"/);
    expect(() => {
      config.cachePath = '';
    }).toThrow(RangeError);
    config.cachePath = before;
  });
});
