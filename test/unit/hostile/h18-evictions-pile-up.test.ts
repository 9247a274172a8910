// IndexedDB that never opens (Firefox before 115 in private browsing: open() throws, and there is no
// indexedDB.databases()): a bounded toDisk function's evictions were kept "until the database comes
// back", so the queue grew with every call and every retry walked all of it. A third review: repeated
// delete() and clear() piled up the same way, and each awaited one waited for the retry (5 s).
import { afterEach, expect, it, vi } from 'vitest';
import { cache } from '../../../src/index';
import { storeFor } from '../../../src/disk/disk-tier';
import { uniquePath, waitFor } from '../helpers';

afterEach(() => vi.restoreAllMocks());

function neverOpens() {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(indexedDB, 'open').mockImplementation(() => {
    throw new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
  });
  vi.spyOn(indexedDB, 'databases').mockImplementation(() => Promise.reject(new Error('not supported')));
}

it('evictions do not pile up while IndexedDB never opens', async () => {
  neverOpens();
  const cachePath = uniquePath('h18');
  const f = cache(async (n: number) => n * 2, { toDisk: true, cachePath, name: 'h18', maxItems: 2 });
  for (let i = 0; i < 1500; i++) expect(await f(i)).toBe(i * 2);
  const store = storeFor(cachePath) as unknown as { queue: { op: { kind: string } }[] };
  // At the next retry, the evictions among the changes waiting are let go; the results are kept to be tried again.
  await waitFor(() => store.queue.length > 0 && store.queue.every(({ op }) => op.kind === 'put'), 8000);
  expect(store.queue.length).toBeLessThanOrEqual(1500);
}, 20_000);

it('repeated delete() and clear() neither pile up nor wait for the retry while IndexedDB never opens', async () => {
  neverOpens();
  const cachePath = uniquePath('h18-removals');
  const f = cache(async (n: number) => n * 2, { toDisk: true, cachePath, name: 'h18-removals' });
  expect(await f(1)).toBe(2);
  const store = storeFor(cachePath) as unknown as { queue: unknown[] };
  await waitFor(() => store.queue.length > 0, 5000); // its write failed, and waits to be tried again
  const started = Date.now();
  for (let round = 0; round < 500; round++) {
    await f.delete(1);
    await f.clear();
  }
  expect(Date.now() - started).toBeLessThan(3000); // each settled at once, not after the retry
  expect(store.queue.length).toBeLessThanOrEqual(2);
  expect(await f(1)).toBe(2); // computed again: cleared in memory
}, 20_000);
