// Two functions of one `name` in one page "share one tier: the second reads at once what the first
// computed" (README). With different bounds (maxItems/policy) they get different tiers.
import { expect, it, vi } from 'vitest';
import { freshLibrary, uniquePath } from '../helpers';
vi.setConfig({ testTimeout: 30_000 });

const cases: [string, object, object][] = [
  ['same options', {}, {}],
  ['maxItems 5 vs unbounded', { maxItems: 5 }, {}],
  ['LRU vs FIFO', { maxItems: 5 }, { maxItems: 5, policy: 'FIFO' }],
  ['ttl differs', { ttl: 60 }, { ttl: 120 }],
];
for (const [label, o1, o2] of cases) {
  it(`second wrapper reads at once what the first computed: ${label}`, async () => {
    const lib = await freshLibrary();
    const cachePath = uniquePath('h6');
    let n = 0;
    const fn = async (k: string) => `${k}@${n++}`;
    const f1 = lib.cache(fn, { toDisk: true, cachePath, name: 'h6', ...o1 });
    const f2 = lib.cache(fn, { toDisk: true, cachePath, name: 'h6', ...o2 });
    const first = await f1('a');
    const second = await f2('a'); // right after: the write of f1 may not be committed
    expect(second).toBe(first);
  });
}
