// Panel's own pn.cache tests, restated for idb-memo; runs under happy-dom and in real Chromium.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cache, clearCaches, type Memoized } from '../../src/index.ts';

function counted<A extends unknown[], R>(body: (...args: A) => R) {
  const calls: A[] = [];
  const fn = (...args: A) => {
    calls.push(args);
    return body(...args);
  };
  return { fn, calls };
}

const add = (a: number, b: number) => a + b;

afterEach(() => {
  vi.useRealTimers();
});

describe('memoization', () => {
  it('computes fn(0, 0) once', async () => {
    const { fn, calls } = counted(add);
    const cached = cache(fn);
    expect(await cached(0, 0)).toBe(0);
    expect(await cached(0, 0)).toBe(0);
    expect(calls).toHaveLength(1);
    expect(cached.stats()).toMatchObject({ hits: 1, memoryHits: 1, misses: 1, size: 1 });
  });

  it('memoizes async functions and returns a promise for sync ones', async () => {
    const { fn, calls } = counted(async (a: number, b: number) => a * b);
    const cached = cache(fn);
    const first = cached(2, 3);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe(6);
    expect(await cached(2, 3)).toBe(6);
    expect(calls).toHaveLength(1);
    expect(cache(add)(1, 1)).toBeInstanceOf(Promise);
  });

  it('recomputes after clear()', async () => {
    const { fn, calls } = counted(add);
    const cached = cache(fn);
    await cached(0, 0);
    await cached.clear();
    await cached(0, 0);
    expect(calls).toHaveLength(2);
  });

  it('delete() removes one entry and tells whether it did', async () => {
    const { fn, calls } = counted(add);
    const cached = cache(fn);
    await cached(1, 1);
    await cached(2, 2);
    expect(await cached.delete(1, 1)).toBe(true);
    expect(await cached.delete(1, 1)).toBe(false);
    await cached(1, 1);
    await cached(2, 2);
    expect(calls).toEqual([[1, 1], [2, 2], [1, 1]]);
  });

  it('returns the stored value itself on a memory hit', async () => {
    const cached = cache((n: number) => ({ n }));
    expect(await cached(1)).toBe(await cached(1));
  });

  it('clearCaches() clears every cache made by the library', async () => {
    const a = counted(add);
    const b = counted(add);
    const cachedA = cache(a.fn);
    const cachedB = cache(b.fn, { maxItems: 3 });
    await Promise.all([cachedA(1, 2), cachedB(1, 2)]);
    await clearCaches();
    await Promise.all([cachedA(1, 2), cachedB(1, 2)]);
    expect(a.calls).toHaveLength(2);
    expect(b.calls).toHaveLength(2);
  });
});

describe('concurrency and failures', () => {
  it('shares one computation between concurrent identical calls', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { fn, calls } = counted(async (x: number) => {
      await gate;
      return x * 2;
    });
    const cached = cache(fn);
    const results = Promise.all([cached(4), cached(4), cached(4)]);
    release();
    expect(await results).toEqual([8, 8, 8]);
    expect(calls).toHaveLength(1);
  });

  it('never caches a rejection: every waiter sees it and the next call computes again', async () => {
    let attempt = 0;
    let release!: () => void;
    const bothWaiting = new Promise<void>((resolve) => (release = resolve));
    const cached = cache(async (_x: number) => {
      attempt++;
      if (attempt === 1) await bothWaiting;
      if (attempt === 1) throw new Error('boom');
      return 'ok';
    });
    const waiters = [cached(1), cached(1)];
    release();
    for (const waiter of waiters) await expect(waiter).rejects.toThrow('boom');
    expect(await cached(1)).toBe('ok');
    expect(attempt).toBe(2);
  });

  it('turns a synchronous throw into a rejection, never caching it', async () => {
    let attempt = 0;
    const cached = cache((x: number) => {
      if (++attempt === 1) throw new RangeError('bad');
      return x;
    });
    const first = cached(3);
    expect(first).toBeInstanceOf(Promise);
    await expect(first).rejects.toThrow(RangeError);
    expect(await cached(3)).toBe(3);
  });

  it('keeps nothing from a computation that was cleared while running', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { fn, calls } = counted(async (): Promise<number> => {
      await gate;
      return calls.length;
    });
    const cached = cache(fn);
    const running = cached();
    await cached.clear();
    release();
    expect(await running).toBe(1);
    expect(await cached()).toBe(2);
  });
});

describe('policies', () => {
  async function run(policy: 'FIFO' | 'LFU' | 'LRU', maxItems: number, sequence: [number, number][]) {
    const { fn, calls } = counted(add);
    const cached = cache(fn, { policy, maxItems });
    for (const [a, b] of sequence) await cached(a, b);
    return { cached, calls };
  }

  it('FIFO, maxItems 2: (0,0) (0,1) (0,0) (0,2) evicts (0,0)', async () => {
    const { cached, calls } = await run('FIFO', 2, [[0, 0], [0, 1], [0, 0], [0, 2]]);
    expect(calls).toHaveLength(3);
    await cached(0, 1);
    expect(calls).toHaveLength(3);
    await cached(0, 0);
    expect(calls).toHaveLength(4);
    expect(cached.stats().evictions).toBe(2);
  });

  it('LFU, maxItems 2: (0,0) (0,0) (0,1) (0,2) evicts (0,1)', async () => {
    const { cached, calls } = await run('LFU', 2, [[0, 0], [0, 0], [0, 1], [0, 2]]);
    await cached(0, 0);
    await cached(0, 2);
    expect(calls).toHaveLength(3);
    await cached(0, 1);
    expect(calls).toHaveLength(4);
  });

  it('LRU, maxItems 3: (0,0) (0,1) (0,2) (0,0) (0,3) evicts (0,1)', async () => {
    const { cached, calls } = await run('LRU', 3, [[0, 0], [0, 1], [0, 2], [0, 0], [0, 3]]);
    await cached(0, 0);
    await cached(0, 2);
    await cached(0, 3);
    expect(calls).toHaveLength(4);
    await cached(0, 1);
    expect(calls).toHaveLength(5);
  });

  it('accepts the policy in any case and defaults to LRU', async () => {
    const { cached, calls } = await run('lru' as 'LRU', 2, [[0, 0], [0, 1], [0, 0], [0, 2]]);
    await cached(0, 0);
    expect(calls).toHaveLength(3);
    const byDefault = counted(add);
    const unnamed = cache(byDefault.fn, { maxItems: 2 });
    for (const [a, b] of [[0, 0], [0, 1], [0, 0], [0, 2], [0, 0]] as const) await unnamed(a, b);
    expect(byDefault.calls).toHaveLength(3);
  });

  it('stays within maxItems under many keys', async () => {
    const cached = cache((n: number) => n, { maxItems: 10, policy: 'LFU' });
    for (let i = 0; i < 500; i++) await cached(i % 37);
    expect(cached.stats().size).toBe(10);
  });
});

describe('ttl', () => {
  it('recomputes after the ttl (0.1 s) has passed', async () => {
    const { fn, calls } = counted(add);
    const cached = cache(fn, { ttl: 0.1 });
    await cached(0, 0);
    await cached(0, 0);
    expect(calls).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await cached(0, 0);
    expect(calls).toHaveLength(2);
  });

  it('treats an entry stamped in the future (clock moved back) as expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    const { fn, calls } = counted(add);
    const cached = cache(fn, { ttl: 60 });
    await cached(0, 0);
    vi.setSystemTime(500_000);
    await cached(0, 0);
    expect(calls).toHaveLength(2);
  });
});

describe('the decorator forms', () => {
  it('cache(options)(fn) honours every option', async () => {
    const { fn, calls } = counted(add);
    const cached = cache({ maxItems: 2, policy: 'LFU' })(fn);
    for (const [a, b] of [[0, 0], [0, 0], [0, 1], [0, 2], [0, 0], [0, 1]] as const) await cached(a, b);
    expect(calls).toEqual([[0, 0], [0, 1], [0, 2], [0, 1]]);
  });

  it('keys a method by its instance and its fields, with @cache bare or with options', async () => {
    const loads: string[] = [];
    class Explorer {
      dataset = 'a';
      @cache
      async fetchData() {
        loads.push(this.dataset);
        return `data:${this.dataset}`;
      }
      @cache({ maxItems: 1 })
      async describe(prefix: string) {
        loads.push(`${prefix}${this.dataset}`);
        return prefix + this.dataset;
      }
    }
    const explorer = new Explorer();
    expect(await explorer.fetchData()).toBe('data:a');
    expect(await explorer.fetchData()).toBe('data:a');
    explorer.dataset = 'b';
    expect(await explorer.fetchData()).toBe('data:b');
    explorer.dataset = 'a';
    expect(await explorer.fetchData()).toBe('data:a');
    expect(loads).toEqual(['a', 'b']);
    // Another instance never shares an entry, whatever its fields: it may hold state they do not show.
    expect(await new Explorer().fetchData()).toBe('data:a');
    expect(loads).toEqual(['a', 'b', 'a']);
    explorer.dataset = 'b';
    expect(await explorer.describe('>')).toBe('>b');
    expect(await explorer.describe('<')).toBe('<b');
    expect(await explorer.describe('>')).toBe('>b');
    expect(loads).toEqual(['a', 'b', 'a', '>b', '<b', '>b']);
    expect(await (explorer.fetchData as unknown as Memoized<() => Promise<string>>).delete()).toBe(true);
    await explorer.fetchData();
    expect(loads.at(-1)).toBe('b');
  });

  it('calls a custom key with the method\'s this', async () => {
    const seen: unknown[] = [];
    class Explorer {
      dataset = 'a';
      noise = Math.random();
      @cache({
        key(this: Explorer) {
          seen.push(this);
          return this.dataset;
        },
      })
      async fetchData() {
        return this.noise;
      }
    }
    const first = new Explorer();
    const second = new Explorer();
    const firstResult = await first.fetchData();
    expect(await second.fetchData()).toBe(firstResult);
    expect(seen).toEqual([first, second]);
  });
});
