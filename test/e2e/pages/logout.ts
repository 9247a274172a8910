// The page of test/e2e/logout.test.ts: the library, the current user, a profile function on a
// cachePath of its own, a worker, a raw dump of every database, and the logout hint as heard.
import * as idbMemo from '../../../src/index';

declare global {
  interface Window {
    ready: boolean;
    idbMemo: typeof idbMemo;
    user: string;
    profile(id: number, cachePath?: string): Promise<string>;
    workerCall(call: number, user?: string): Promise<string>;
    dump(): Promise<Record<string, unknown[]>>;
    heardLogout(): Promise<void>;
  }
}

window.idbMemo = idbMemo;
window.user = 'alice';
window.profile = (id, cachePath = 'feature-x') => idbMemo.cache(async (n: number) => `profile ${n} of ${window.user}`, { toDisk: true, name: 'profile', cachePath })(id);

let worker: Worker | undefined;
let calls = 0;
window.workerCall = (call, user) => {
  worker ??= new Worker(new URL('./logout-worker.ts', import.meta.url), { type: 'module' });
  const id = calls++;
  return new Promise((resolve) => {
    worker!.addEventListener('message', function answer({ data }: MessageEvent<{ id: number; value: string }>) {
      if (data.id !== id) return;
      worker!.removeEventListener('message', answer);
      resolve(data.value);
    });
    worker!.postMessage({ id, call, user });
  });
};

/** The values of every entry of every database of the origin, read without the library. */
window.dump = async () => {
  const out: Record<string, unknown[]> = {};
  for (const { name } of await indexedDB.databases()) {
    if (!name) continue;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    if (db.objectStoreNames.contains('entries')) {
      out[name] = await new Promise((resolve) => {
        const request = db.transaction('entries').objectStore('entries').getAll();
        request.onsuccess = () => resolve((request.result as { value: unknown }[]).map((entry) => entry.value));
      });
    }
    db.close();
  }
  return out;
};

/** Resolves when another tab's logout is heard (call it before that logout). */
window.heardLogout = () =>
  new Promise((resolve) => {
    const channel = new BroadcastChannel('idb-memo');
    channel.onmessage = ({ data }: MessageEvent<{ type?: string }>) => {
      if (data?.type !== 'logout') return;
      channel.close();
      resolve();
    };
  });

window.ready = true;
