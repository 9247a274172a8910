// LRU: a hit that lands between the moment a computation's result is stamped (compute()) and the
// moment it is put in memory (set()) orders memory one way and the disk the other way: after a
// flush and a reload, the disk evicts a different entry than memory would have.
import { expect, it, vi } from 'vitest';
import { freshLibrary, uniquePath } from '../helpers';
vi.setConfig({ testTimeout: 30_000 });

async function scenario(toDisk: boolean, delayTicks: number, reload = toDisk) {
  let lib = await freshLibrary();
  const cachePath = uniquePath('h2');
  const computed: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const fn = async (k: string) => {
    computed.push(k);
    if (k === 'x') await gate;
    return k;
  };
  const options = { toDisk, maxItems: 2, policy: 'LRU' as const, cachePath, name: 'h2' };
  let f = lib.cache(fn, options);
  await f('y'); // y stored
  const px = f('x'); // x computing
  await vi.waitFor(() => expect(computed).toContain('x')); // the disk read of x is over: x waits on the gate
  // a hit on y a few microtasks after x's computation resolves
  const hit = gate.then(async () => {
    for (let i = 0; i < delayTicks; i++) await null;
    return f('y');
  });
  release();
  await px;
  await hit;
  // Memory-only (and the model): whichever came last is most recent. Add z: which of x, y is evicted?
  if (reload) {
    await lib.flushCaches();
    lib = await freshLibrary(); // reload
    f = lib.cache(fn, options);
  }
  computed.length = 0;
  await f('z');
  await f('x');
  await f('y');
  return computed.join(',');
}

it('memory-only vs toDisk+reload agree on the LRU victim, whatever the microtask timing', async () => {
  const rows: string[] = [];
  let mismatch = 0;
  for (let ticks = 0; ticks < 8; ticks++) {
    const mem = await scenario(false, ticks);
    const same = await scenario(true, ticks, false);
    const disk = await scenario(true, ticks, true);
    rows.push(`ticks=${ticks}: memory-only [${mem}]  toDisk same page [${same}]  toDisk after flush+reload [${disk}]`);
    if (same !== disk) mismatch++;
  }
  expect(mismatch).toBe(0);
});
