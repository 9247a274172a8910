// Another script holds the database open at an older version and ignores versionchange: the
// library's upgrade is blocked (its open times out, its request stays queued), and clearCaches()'s
// deletion, queued behind that request, never heard `blocked`: clearCaches() never settled.
import { expect, it, vi } from 'vitest';
import { freshLibrary, uniquePath } from '../helpers';

it('clearCaches() rejects with CLEAR_BLOCKED instead of hanging behind a blocked upgrade', async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const lib = await freshLibrary();
  const cachePath = uniquePath('h17');
  const foreign = await new Promise<IDBDatabase>((resolve) => {
    const request = indexedDB.open(cachePath, 1);
    request.onsuccess = () => resolve(request.result);
  });
  try {
    const f = lib.cache(async (k: string) => `v:${k}`, { toDisk: true, cachePath, name: 'h17' });
    expect(await f('a')).toBe('v:a');
    await lib.flushCaches(); // its open is blocked, and times out
    const outcome = await lib.clearCaches().then(
      () => 'resolved',
      (error: { code?: string }) => error.code,
    );
    expect(outcome).toBe('CLEAR_BLOCKED');
  } finally {
    foreign.close();
  }
}, 30_000);
