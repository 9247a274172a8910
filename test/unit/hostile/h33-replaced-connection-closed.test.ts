// Fourth hostile pass; a regression test (it failed before the fix):
// An application of kept removals fails with InvalidStateError (its connection was closed under
// it). Every operation waiting for it gets that same error and, in Connection.run, resets the
// connection and retries once. The first waiter's reset closes the old connection and its retry
// opens a new one; the second waiter's reset (naming the *old* db) then drops that new opening
// without closing it, and opens a third. The dropped connection is never closed, not even on
// versionchange (its handler resets the current opening, not itself): another tab's upgrade, or a
// deleteDatabase, is blocked for the life of the page.
import { afterEach, expect, it, vi } from 'vitest';
import { cache, flushCaches } from '../../../src/index';
import { uniquePath, waitFor } from '../helpers';

afterEach(() => vi.restoreAllMocks());

it('kept removals failing with InvalidStateError under two waiting operations leave no connection open', async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath('h33');
  const f = cache(async (n: number) => `v${n}`, { toDisk: true, cachePath, name: 'h33' });
  for (let n = 1; n <= 4; n++) await f(n);
  await flushCaches();
  let mode: 'ok' | 'refuse' | 'hold' | 'invalid-once' = 'refuse';
  let holding = false;
  const real = IDBDatabase.prototype.transaction;
  vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    if (args[1] === 'readwrite' && mode === 'refuse') throw new DOMException('disk refused', 'UnknownError');
    if (args[1] === 'readwrite' && mode === 'invalid-once') {
      mode = 'ok';
      throw new DOMException('The connection is closing', 'InvalidStateError');
    }
    const tx = real.apply(this, args);
    if (args[1] === 'readwrite' && mode === 'hold') {
      // Kept busy until released: the application of the kept removals is in progress meanwhile.
      mode = 'ok';
      holding = true;
      const s = tx.objectStore('entries');
      const spin = () => void (holding && (s.count().onsuccess = spin));
      spin();
    }
    return tx;
  });
  let opens = 0;
  const realOpen = indexedDB.open.bind(indexedDB);
  vi.spyOn(indexedDB, 'open').mockImplementation((...a: [string, number?]) => (opens++, realOpen(...a)));

  await f.delete(1); // kept for later
  await f.delete(2); // kept for later
  mode = 'hold';
  const x = f.delete(3); // applies the kept removals; the first one's transaction is held
  await waitFor(() => holding);
  const y = f.delete(4); // waits for them
  await new Promise((r) => setTimeout(r, 20));
  mode = 'invalid-once'; // the next one meets a closed connection
  holding = false;
  await Promise.all([x, y]);
  await flushCaches();
  vi.restoreAllMocks();
  // One reopen is enough; the database can be deleted (no connection of this page left open).
  const reopened = opens;
  const outcome = await new Promise<string>((resolve) => {
    const request = indexedDB.deleteDatabase(cachePath);
    request.onsuccess = () => resolve('deleted');
    request.onerror = () => resolve('error');
    // Blocked: the page's connections got versionchange; those it still knows close at once.
    request.onblocked = () => setTimeout(() => resolve('still blocked after 1 s'), 1000);
  });
  expect({ reopened, outcome }).toEqual({ reopened: 1, outcome: 'deleted' });
});
