// Sixth hostile pass; a regression test (it failed before the fix):
// bug 9's scenario ("a delete() not awaited just before clearCaches() reached
// the database after the logout had emptied it, leaving a tombstone keyed by the SHA-256 of the
// previous user's argument and a namespace record") was back for any argument whose key is digested
// asynchronously (a string over 64 Ki chars, bytes over 1 KiB, a Blob): cache.ts delete() calls
// Tiers.delete only once the key's digest resolves (`key.then(remove)`), and Tiers.delete read
// `asked = logoutCount()` then, after the logout began. The removal counts as asked after the
// logout, is not moot, and is applied to the database the logout emptied.
import { afterEach, expect, it, vi } from 'vitest';
import { cache, clearCaches, flushCaches } from '../../../src/index';
import { dumpStores, uniquePath } from '../helpers';

afterEach(() => vi.restoreAllMocks());

const cases = {
  'a short string (control)': 'bob@example.com',
  'bytes over 1 KiB': new Uint8Array(2048).fill(7),
  'an object holding a string over 64 Ki chars': { text: 'bob'.repeat(30_000) },
};

for (const [label, arg] of Object.entries(cases)) {
  it(`a delete() of ${label} asked just before clearCaches() leaves nothing of the previous user`, async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const cachePath = uniquePath('h38');
    const f = cache(async (x: unknown) => `result of ${typeof x}`, { toDisk: true, cachePath, name: 'h38' });
    await f(arg);
    await flushCaches();
    const deleted = f.delete(arg); // not awaited: asked before the logout
    await clearCaches(); // succeeds: the database is emptied
    await deleted;
    await flushCaches();
    const left = await dumpStores(cachePath);
    expect({ entries: left.entries, tombstones: left.tombstones, namespaces: left.namespaces }).toEqual({ entries: [], tombstones: [], namespaces: [] });
  });
}
