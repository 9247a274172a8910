// A call made before clearCaches() on a bounded toDisk cache whose index is still loading
// (the first call of a page) is stored after clearCaches() and answers the next call.
import { expect, it, vi } from "vitest";
vi.setConfig({ testTimeout: 30_000 });
import { freshLibrary, uniquePath } from '../helpers';

for (const toDisk of [false, true]) {
  it(`call, clearCaches(), call again — toDisk: ${toDisk}`, async () => {
    const lib = await freshLibrary();
    const cachePath = uniquePath('h1');
    let n = 0;
    const f = lib.cache(async (k: string) => `${k}@${n++}`, { toDisk, maxItems: 5, cachePath, name: 'h1' });
    const first = f('a'); // made before clearCaches()
    await lib.clearCaches();
    expect(await first).toBe('a@0');
    await lib.flushCaches();
    const second = await f('a');
    expect(second).toBe('a@1'); // memory-only: the first result was dropped by clearCaches()
  });
}

it('perSession: call, clearCaches(), call again', async () => {
  const lib = await freshLibrary();
  const cachePath = uniquePath('h1s');
  let n = 0;
  const f = lib.cache(async (k: string) => `${k}@${n++}`, { toDisk: true, perSession: true, cachePath, name: 'h1s' });
  const first = f('a');
  await lib.clearCaches();
  expect(await first).toBe('a@0');
  await lib.flushCaches();
  const second = await f('a');
  expect(second).toBe('a@1');
});
