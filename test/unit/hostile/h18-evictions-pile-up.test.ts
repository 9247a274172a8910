// IndexedDB that never opens (Firefox before 115 in private browsing: open() throws, and there is no
// indexedDB.databases()): a bounded toDisk function's evictions were kept "until the database comes
// back", so the queue grew with every call and every retry walked all of it.
import { afterEach, expect, it, vi } from 'vitest';
import { cache } from '../../../src/index';
import { storeFor } from '../../../src/disk/disk-tier';
import { uniquePath, waitFor } from '../helpers';

afterEach(() => vi.restoreAllMocks());

it('evictions do not pile up while IndexedDB never opens', async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(indexedDB, 'open').mockImplementation(() => {
    throw new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
  });
  vi.spyOn(indexedDB, 'databases').mockImplementation(() => Promise.reject(new Error('not supported')));
  const cachePath = uniquePath('h18');
  const f = cache(async (n: number) => n * 2, { toDisk: true, cachePath, name: 'h18', maxItems: 2 });
  for (let i = 0; i < 1500; i++) expect(await f(i)).toBe(i * 2);
  const store = storeFor(cachePath) as unknown as { queue: { op: { kind: string } }[] };
  // At the next retry, the evictions among the changes waiting are let go; the results are kept to be tried again.
  await waitFor(() => store.queue.length > 0 && store.queue.every(({ op }) => op.kind === 'put'), 8000);
  expect(store.queue.length).toBeLessThanOrEqual(1500);
}, 20_000);
