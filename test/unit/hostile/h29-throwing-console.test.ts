// Found by a hostile review (second pass): a test setup that fails on console output (console.warn throws, as jest-fail-on-console and
// many vitest setups do) in an environment without IndexedDB: the NO_INDEXEDDB warning throws inside
// the disk tier, Database.readNow's `void this.run(...).then(...)` never answers its reads, and the
// toDisk call stays pending forever (the test times out instead of failing on the warning).
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary } from '../helpers';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

it('a toDisk call settles (resolves or rejects) when console.warn throws', async () => {
  vi.stubGlobal('indexedDB', undefined);
  vi.spyOn(console, 'warn').mockImplementation((message: unknown) => {
    throw new Error(`console.warn called: ${String(message)}`);
  });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const lib = await freshLibrary();
  const f = lib.cache(async (x: number) => x * 2, { toDisk: true, name: 'zzwarn' });
  const outcome = await Promise.race([
    f(21).then(String, (e: Error) => `rejected: ${e.message}`),
    new Promise((resolve) => setTimeout(() => resolve('still pending after 3 s'), 3000)),
  ]);
  process.off('unhandledRejection', onUnhandled);
  expect(outcome).not.toBe('still pending after 3 s');
}, 10_000);
