// Tab B makes a call on a bounded toDisk cache (its first: the tier reads its index first). Tab A's
// clearCaches() / clear() comes before B's computation starts. Is B's result stored after the wipe?
import { expect, it, vi } from 'vitest';
import { freshLibrary, storedEntries, uniquePath } from '../helpers';
vi.setConfig({ testTimeout: 30_000 });

for (const removal of ['clearCaches', 'clear'] as const) {
  it(`tab A ${removal}() right after tab B's call`, async () => {
    const cachePath = uniquePath('h4');
    let n = 0;
    const fn = async (k: string) => `${k}@${n++}`;
    const options = { toDisk: true, cachePath, name: 'h4', maxItems: 10 };
    const tabA = await freshLibrary();
    const tabB = await freshLibrary();
    const a = tabA.cache(fn, options);
    await a('seed');
    await tabA.flushCaches();
    const b = tabB.cache(fn, options);
    const pending = b('x'); // made before A's removal
    const removed = removal === 'clearCaches' ? tabA.clearCaches() : a.clear();
    await removed;
    await pending;
    await tabB.flushCaches();
    const left = (await storedEntries(cachePath)).map((r) => r.value);
    expect(left).toEqual([]);
  });
}
