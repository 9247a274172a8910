// Tab A deletes x while tab B is computing x (started before the delete). The disk refuses B's write
// (tombstone), but B keeps its pre-delete result in memory and keeps answering it; a clear() in A drops it.
import { expect, it, vi } from 'vitest';
import { heard } from '../../shared/channel';
import { freshLibrary, storedEntries, uniquePath, waitFor } from '../helpers';
vi.setConfig({ testTimeout: 30_000 });

for (const removal of ['delete', 'clear'] as const) {
  it(`tab A ${removal}() while tab B computes x: B's next call`, async () => {
    const cachePath = uniquePath('h9');
    const options = { toDisk: true, cachePath, name: 'h9' };
    const tabA = await freshLibrary();
    const tabB = await freshLibrary();
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const fn = async (k: string) => {
      const n = runs++;
      if (n === 1) await gate;
      return `${k}@${n}`;
    };
    const a = tabA.cache(fn, options);
    const b = tabB.cache(fn, options);
    await a('seed'); // opens the database for both
    await tabA.flushCaches();
    const pending = b('x'); // B starts computing x (run 1, gated)
    await waitFor(() => runs === 2);
    const announced = heard(removal);
    if (removal === 'delete') await a.delete('x');
    else await a.clear();
    await announced; // the removal is announced to the other tabs, B among them
    await new Promise((r) => setTimeout(r, 0));
    release();
    const first = await pending;
    await tabB.flushCaches();
    const again = await b('x');
    expect(again).not.toBe(first);
    expect((await storedEntries(cachePath)).map((r) => r.value)).not.toContain(first);
  });
}
