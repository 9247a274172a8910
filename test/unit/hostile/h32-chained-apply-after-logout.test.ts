// Fourth hostile pass; a regression test (it failed before the fix):
// A removal kept for later while an earlier application of kept removals is still running is
// snapshotted by the next operation and chained after it (`applied.then(() => apply(...))`). A
// logout begun then clears `deferred` and resets `applied`, but the chained application is already
// queued: it starts after the logout, takes the logout count of *then* as its reference, sees no
// logout, and applies the previous user's removal to the emptied database (a tombstone keyed by
// the SHA-256 of their argument, and a namespace record).
import { afterEach, expect, it, vi } from 'vitest';
import { cache, clearCaches, flushCaches } from '../../../src/index';
import { dumpStores, uniquePath, waitFor } from '../helpers';

afterEach(() => vi.restoreAllMocks());

type Mode = 'ok' | 'refuse' | 'hold';
interface Held {
  tx: IDBTransaction;
  release(): void;
  abort(): void;
}

/** Controls readwrite transactions: refused at creation, or held open (kept busy) until released or aborted. */
function controlWrites(): { mode: Mode; held: Held[] } {
  const control = { mode: 'ok' as Mode, held: [] as Held[] };
  const real = IDBDatabase.prototype.transaction;
  vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    if (args[1] !== 'readwrite' || control.mode === 'ok') return real.apply(this, args);
    if (control.mode === 'refuse') throw new DOMException('disk refused', 'UnknownError');
    const tx = real.apply(this, args);
    control.mode = 'ok'; // one transaction held per 'hold'
    let holding = true;
    const s = tx.objectStore('entries');
    const spin = () => {
      if (holding) s.count().onsuccess = spin;
    };
    spin();
    control.held.push({ tx, release: () => void (holding = false), abort: () => ((holding = false), tx.abort()) });
    return tx;
  });
  return control;
}

it('a removal kept while kept removals are being applied leaves nothing after a logout begun meanwhile', async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const cachePath = uniquePath('h32');
  const profile = cache(async (email: string) => ({ email, name: 'someone' }), { toDisk: true, cachePath, name: 'profile' });
  for (const email of ['bob@example.com', 'a1', 'a2', 'a3']) await profile(email);
  await flushCaches();
  const control = controlWrites();

  // 1. bob's delete() reaches the database; its transaction is busy (held).
  control.mode = 'hold';
  const bob = profile.delete('bob@example.com');
  await waitFor(() => control.held.length === 1);
  // 2. Three delete()s the database refuses: kept for later.
  control.mode = 'refuse';
  for (const email of ['a1', 'a2', 'a3']) await profile.delete(email);
  // 3. A call: it applies the kept removals first; their first transaction is held (queued behind bob's).
  control.mode = 'hold';
  void profile('c1');
  await waitFor(() => control.held.length === 2);
  // 4. bob's transaction fails: his removal is kept for later, while the others are being applied.
  control.held[0]!.abort();
  await bob;
  // 5. flushCaches() (not awaited): it takes bob's kept removal, to be applied after those in progress.
  void flushCaches();
  await new Promise((r) => setTimeout(r, 20));
  // 6. Logout. Then the application in progress goes on.
  const loggedOut = clearCaches();
  control.held[1]!.release();
  await loggedOut;
  await flushCaches();
  await new Promise((r) => setTimeout(r, 50));
  await flushCaches();
  // Nothing of the previous user: no tombstone of bob's argument, no namespace record.
  const left = await dumpStores(cachePath);
  expect(left.tombstones).toEqual([]);
  expect(left.namespaces).toEqual([]);
});
