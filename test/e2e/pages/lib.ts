// Exposes the library to Playwright tests as `window.idbMemo`, plus a few counted functions.
import * as idbMemo from '../../../src/index';

declare global {
  interface Window {
    idbMemo: typeof idbMemo;
    /** How many times each test function really ran in this page. */
    computeCount: Record<string, number>;
    /** A memoized function by name, created on demand with the given options. */
    memo(name: string, options?: idbMemo.CacheOptionsBase<unknown, never[]>): idbMemo.Memoized<(n: number) => Promise<{ n: number; squared: number; label: string }>>;
    /** Entries stored in cache database `path` (0 when it does not exist). */
    countEntries(path?: string): Promise<number>;
    /** Names of the IndexedDB databases of this origin. */
    databaseNames(): Promise<string[]>;
    /** Calls `name`'s memoized square of `n` in a new module worker. */
    inWorker(name: string, n: number): Promise<{ value: unknown; stats: idbMemo.CacheStats; computed: number }>;
    warnings: string[];
    ready: boolean;
  }
}

const made = new Map<string, ReturnType<Window['memo']>>();
window.idbMemo = idbMemo;
window.computeCount = {};
window.memo = (name, options = {}) => {
  let found = made.get(name);
  if (!found) {
    const square = async (n: number) => {
      window.computeCount[name] = (window.computeCount[name] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { n, squared: n * n, label: `${name}:${n}` };
    };
    found = idbMemo.cache(square, { toDisk: true, name, ...options });
    made.set(name, found);
  }
  return found;
};
window.databaseNames = async () => (await indexedDB.databases()).map((d) => d.name ?? '');
window.countEntries = async (path = idbMemo.config.cachePath) => {
  // Opening a database that does not exist would create an empty one: check first.
  if (!(await window.databaseNames()).includes(path)) return 0;
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(path);
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains('entries')) {
        db.close();
        return resolve(0);
      }
      const count = db.transaction('entries').objectStore('entries').count();
      count.onsuccess = () => {
        resolve(count.result);
        db.close();
      };
      count.onerror = () => reject(count.error);
    };
  });
};
window.inWorker = (name, n) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => {
      resolve(data);
      worker.terminate();
    };
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage({ name, n });
  });
window.warnings = [];
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  window.warnings.push(args.map(String).join(' '));
  warn(...args);
};
window.ready = true;
