// Found by a hostile review (second pass): the upkeep of a page running a new `version` dropped the
// namespace of the old version while old tabs still used it, with its removal counters, so a clear()
// made after it no longer refused the write of a call that read before it. Now it is retired: its
// entries go, its record stays with its floor raised.
// The tabs hear nothing of each other here (as in h20): the disk alone must keep the clear.
import { expect, it, vi } from 'vitest';
import { freshLibrary, uniquePath } from '../helpers';

it("a clear() by an old tab after a new deploy's upkeep is not undone by a call begun before it", async () => {
  vi.spyOn(BroadcastChannel.prototype, 'postMessage').mockImplementation(() => {});
  const cachePath = uniquePath('zzupkeep');
  const v1 = { toDisk: true, cachePath, name: 'report', version: '1' };
  const [tabA, tabB] = [await freshLibrary(), await freshLibrary()];
  let data = 'old';
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const computing = new Promise<void>((resolve) => (started = resolve));
  const a = tabA.cache(async (k: string) => {
    const seen = data;
    if (k === 'x') {
      started();
      await gate;
    }
    return `${k}:${seen}`;
  }, v1);
  const b = tabB.cache(async (k: string) => `${k}:${data}`, v1);
  // Some ordinary use: a few deletes over the tab's life.
  await b('z');
  for (let i = 0; i < 3; i++) await b.delete('z');
  await tabB.flushCaches();
  const pending = a('x'); // begun before the clear
  await computing;
  // A new deploy opens in a third tab: its upkeep drops report@1.
  const tabN = await freshLibrary();
  await tabN.cache(async (k: string) => `${k}:v2`, { ...v1, version: '2' })('y');
  await tabN.flushCaches();
  // The data changes; the old tab B clears report.
  data = 'new';
  await b.clear();
  await tabB.flushCaches();
  release();
  expect(await pending).toBe('x:old');
  await tabA.flushCaches();
  // A fresh old-version page: the clear came after the call began, so x:old must not answer.
  const reloaded = await freshLibrary();
  expect(await reloaded.cache(async (k: string) => `${k}:${data}`, v1)('x')).toBe('x:new');
});
