// A fourth hostile review of the failing-disk queue (changes settled at once, removals replacing
// the queued changes they make moot): a clear applied twice (cachedFetch applies one to its tier
// and to the store) dropped its own shadow, so the previous user's response was served after
// clearFetchCache(); a removal queued while a batch was in flight was dropped without settling (its
// promise never resolved); an eviction took the place of a user's delete() and its tombstone, so
// a reload returned the deleted value.
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary, storedEntries, waitFor } from '../helpers';
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The store's private state these tests wait on. */
type Internals = { retryTimer: unknown; flushing: unknown };

for (const kind of ['clear'] as ('delete' | 'clear')[]) {
  it(`a ${kind}() queued while a batch is written settles, even when a later one makes it moot`, async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const lib = await freshLibrary();
    const { storeFor } = await import('../../../src/disk/disk-tier');
    const P = `h19-w1-${kind}-${Date.now()}`;
    // A foreign connection at version 1 blocks the library's upgrade: each open times out.
    const foreign = await new Promise<IDBDatabase>((resolve) => {
      const request = indexedDB.open(P, 1);
      request.onsuccess = () => resolve(request.result);
    });
    const f = lib.cache(async (n: number) => n * 2, { toDisk: true, cachePath: P, name: 'w1' });
    expect(await f(1)).toBe(2); // its read timed out (3 s); its put failed at once; retry pending
    const store = storeFor(P) as unknown as Internals;
    await waitFor(() => store.retryTimer === undefined && store.flushing !== undefined, 10_000); // the retry's batch is in flight (open blocked)
    let first = 'pending';
    void (kind === 'delete' ? f.delete(1) : f.clear()).then((v: unknown) => (first = `settled ${v}`));
    await waitFor(() => store.retryTimer !== undefined, 10_000); // that batch failed; the next retry is pending
    await (kind === 'delete' ? f.delete(1) : f.clear());
    foreign.close(); // the disk can come back
    await sleep(7000);
    await lib.flushCaches();
    expect(first).not.toBe('pending');
  }, 40_000);
}

for (const failing of [false, true]) {
  it(`clearFetchCache() hides the stored responses at once, a write failing: ${failing}`, async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    let user = 'alice';
    vi.stubGlobal('fetch', async () => new Response(`{"user":"${user}"}`, { status: 200 }));
    const lib = await freshLibrary();
    const { storeFor } = await import('../../../src/disk/disk-tier');
    const P = `h19-w2-${failing}-${Date.now()}`;
    const options = { cachePath: P };
    expect(await (await lib.cachedFetch('https://example.test/api/me', undefined, options)).text()).toBe('{"user":"alice"}');
    await lib.flushCaches();
    // A result too big for the quota (simulated: the browser's QuotaExceededError on its put).
    const put = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if ((value as { value?: unknown } | undefined)?.value === 'BIG') throw new DOMException('quota', 'QuotaExceededError');
      return put.call(this, value, key);
    });
    const big = lib.cache(async () => (failing ? 'BIG' : 'small'), { toDisk: true, cachePath: P, name: 'big' });
    await big();
    const store = storeFor(P) as unknown as Internals;
    if (failing) await waitFor(() => store.retryTimer !== undefined, 3000);
    else await lib.flushCaches();
    await lib.clearFetchCache(); // logout
    user = 'bob';
    const res = await lib.cachedFetch('https://example.test/api/me', undefined, options);
    expect(await res.text()).toBe('{"user":"bob"}');
    if (failing) {
      await new Promise((r) => setTimeout(r, 2500)); // the retry wrote the clear
      await lib.flushCaches();
      expect(await (await lib.cachedFetch('https://example.test/api/me', undefined, options)).text()).toBe('{"user":"bob"}');
    }
  });
}

for (const recompute of [false, true]) it(`a user's delete() outlives an eviction of the same key while the disk fails, recomputed: ${recompute}`, async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  let version = 'v1';
  const fn = async (k: string) => `${k}-${version}`;
  const P = `h19-w3-${recompute}-${Date.now()}`;
  const a = await freshLibrary();
  const f = a.cache(fn, { toDisk: true, cachePath: P, name: 'w3', maxItems: 2 });
  expect(await f('K')).toBe('K-v1');
  await a.flushCaches();
  const { storeFor } = await import('../../../src/disk/disk-tier');
  const store = storeFor(P) as unknown as Internals;
  let failing = true;
  const transaction = IDBDatabase.prototype.transaction;
  vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, names: string | Iterable<string>, mode?: IDBTransactionMode, o?: IDBTransactionOptions) {
    if (failing && mode === 'readwrite') throw new DOMException('Internal error', 'UnknownError');
    return transaction.call(this, names, mode, o);
  });
  version = 'v2';
  await f('X'); // its write fails: a retry is pending
  await waitFor(() => store.retryTimer !== undefined, 3000);
  expect(await f.delete('K')).toBe(true); // the user's delete (tombstone)
  if (recompute) expect(await f('K')).toBe('K-v2'); // computed again (control: not)
  for (let i = 0; i < 1100; i++) await f(`n${i}`); // K evicted (its eviction replaces the user's delete); > 1,000 changes
  await sleep(4500); // the retries failed: evictions let go, then the results given up (3 attempts)
  failing = false;
  await sleep(2500);
  await a.flushCaches();
  expect((await storedEntries(P)).map((e) => e.value)).not.toContain('K-v1');
  version = 'v3';
  const b = await freshLibrary(); // reload
  const g = b.cache(fn, { toDisk: true, cachePath: P, name: 'w3', maxItems: 2 });
  const got = await g('K');
  expect(got).not.toBe('K-v1'); // deleted by the user
}, 40_000);
