// Found by a hostile review of the rebuilt core: with maxItems and ttl, the disk counted an expired
// entry against the bound and evicted a live one (which left memory too), where memory alone
// would have let the expired one go.
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary, uniquePath } from '../helpers';

afterEach(() => vi.useRealTimers());

it.each(['LRU', 'LFU'] as const)('%s, maxItems 2 and ttl: an expired entry goes before a live one, on disk as in memory', async (policy) => {
  vi.useFakeTimers({ toFake: ['Date'] });
  const lib = await freshLibrary();
  const run = async (toDisk: boolean) => {
    let computed: string[] = [];
    const f = lib.cache(async (k: string) => (computed.push(k), k), { maxItems: 2, policy, ttl: 0.6, toDisk, name: `h22-${policy}`, cachePath: uniquePath('h22') });
    await f('E');
    await lib.flushCaches();
    vi.setSystemTime(Date.now() + 300);
    await f('L'); // stored 300 ms after E: lives 300 ms longer
    await f('E'); // a hit: E is the most recently (and most often) used
    await lib.flushCaches();
    vi.setSystemTime(Date.now() + 400); // E has expired, L has not
    computed = [];
    await f('N');
    await lib.flushCaches();
    await f('L');
    return computed;
  };
  expect({ memoryOnly: await run(false), onDisk: await run(true) }).toEqual({ memoryOnly: ['N'], onDisk: ['N'] });
});
