/**
 * A fresh page (an iframe of the bench page, loaded anew for every round): its own library
 * instance, module state and IndexedDB connections, as after a reload. The bench page calls
 * `window.__idbMemoReload(spec)` once; the page times one first lookup and answers.
 */
import { createStore, get as keyvalGet } from 'idb-keyval';
import { cache } from '../src/index.ts';
import { loadDisk } from '../src/registry.ts';
import type { FirstLookup, FirstLookupResult } from './reload-cases.ts';

const request = <T>(req: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

const notOnDisk = async (): Promise<never> => {
  throw new Error('not on disk');
};

async function firstLookup(spec: FirstLookup): Promise<FirstLookupResult> {
  switch (spec.contender) {
    case 'idb-memo':
    case 'idb-memo, disk chunk loaded': {
      // An app makes its cache at start; its first call is the first lookup. The disk tier's chunk is
      // loaded by the first toDisk cache() (timed here), or before (the second variant, not timed).
      if (spec.contender !== 'idb-memo') await loadDisk();
      const start = performance.now();
      const lookup = cache(notOnDisk as (key: string) => Promise<unknown>, { toDisk: true, name: spec.name, cachePath: spec.db });
      const value = await lookup(spec.key).catch(() => undefined);
      const ms = performance.now() - start;
      return { ms, found: value !== undefined && lookup.stats().diskHits === 1 };
    }
    case 'idb-keyval': {
      const start = performance.now();
      const store = createStore(spec.db, 'kv');
      const value = await keyvalGet(spec.key, store);
      const ms = performance.now() - start;
      return { ms, found: value !== undefined };
    }
    case 'raw IndexedDB': {
      const start = performance.now();
      const db = await request(indexedDB.open(spec.db));
      const value = await request(db.transaction('kv', 'readonly').objectStore('kv').get(spec.key));
      const ms = performance.now() - start;
      db.close();
      return { ms, found: value !== undefined };
    }
  }
}

declare global {
  interface Window {
    __idbMemoReload?: (spec: FirstLookup) => Promise<FirstLookupResult>;
  }
}

window.__idbMemoReload = firstLookup;
