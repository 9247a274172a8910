// Exposes cachedFetch to Playwright tests as `window.fetchPage`, answering with plain data.
import { cachedFetch, cacheStatus, type CacheStatus, type FetchCacheOptions } from '../../../src/index';

/** What a test sees of one cachedFetch answer (or of its failure). */
export interface FetchAnswer {
  status: number;
  statusText: string;
  body: string;
  /** cacheStatus() of the response, and of a clone of it. */
  how: CacheStatus | undefined;
  cloneHow: CacheStatus | undefined;
  /** The clone's body, read after the response's own. */
  cloneBody: string;
  url: string;
  contentType: string | null;
}

/** A stored entry as a test sees it: namespace, final URL (after a redirect only), body size and text (if small), and the record but its body as JSON. */
export interface FetchEntry {
  ns: string;
  url: string;
  bytes: number;
  text: string;
  json: string;
}

/** A large answer as a test sees it: its size and a few of its bytes instead of its body. */
export interface Measured {
  status: number;
  how: CacheStatus | undefined;
  bytes: number;
  sample: number[];
}

declare global {
  interface Window {
    fetchPage: {
      get(path: string, init?: RequestInit, options?: FetchCacheOptions): Promise<FetchAnswer>;
      /** Like get(), but resolves with the error's name when cachedFetch rejects. */
      tryGet(path: string, init?: RequestInit, options?: FetchCacheOptions): Promise<FetchAnswer | { error: string }>;
      /** Two callers of one request; the first one's signal is aborted after `afterMs`. */
      abortOne(path: string, afterMs: number): Promise<{ aborted: FetchAnswer | { error: string }; other: FetchAnswer | { error: string } }>;
      /** Like get() (fresh for an hour: `ttl`), for a large body. */
      measure(path: string): Promise<Measured>;
      /** Every record of cache database `path` (none when it does not exist). */
      entries(path?: string): Promise<FetchEntry[]>;
      /** Every record of every object store of every IndexedDB database of the origin, as text (bytes decoded). */
      dump(): Promise<string>;
      /** Overwrites the value of every cachedFetch entry of database `path` with `value`. */
      damage(value: unknown, path?: string): Promise<number>;
      /** cachedFetch(path, init) in a new module worker of the page. */
      inWorker(path: string, init?: RequestInit): Promise<{ status: number; how: CacheStatus | undefined; body: string }>;
      /** cachedFetch(path): its first chunk, the rest left to readRest(path). */
      openStream(path: string, options?: FetchCacheOptions): Promise<{ status: number; how: CacheStatus | undefined; first: string }>;
      /** The rest of the body opened by openStream(path). */
      readRest(path: string): Promise<string>;
      /** The library's console warnings so far. */
      warnings: string[];
    };
    ready: boolean;
  }
}

async function get(path: string, init?: RequestInit, options?: FetchCacheOptions): Promise<FetchAnswer> {
  const response = await cachedFetch(path, init, options);
  const clone = response.clone();
  return {
    status: response.status,
    statusText: response.statusText,
    body: await response.text(),
    how: cacheStatus(response),
    cloneHow: cacheStatus(clone),
    cloneBody: await clone.text(),
    url: response.url,
    contentType: response.headers.get('content-type'),
  };
}

const tryGet = (path: string, init?: RequestInit, options?: FetchCacheOptions) =>
  get(path, init, options).catch((error: Error) => ({ error: error.name }));

async function entries(path = './cache'): Promise<FetchEntry[]> {
  // Opening a database that does not exist would create it without the library's schema.
  if (!(await indexedDB.databases()).some((db) => db.name === path)) return [];
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(path);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    if (!db.objectStoreNames.contains('entries')) return [];
    const records = await new Promise<{ ns: string; value: { url: string; body: ArrayBuffer } }[]>((resolve, reject) => {
      const request = db.transaction('entries').objectStore('entries').getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return records.map((record) => ({
      ns: record.ns,
      url: record.value.url,
      bytes: record.value.body.byteLength,
      text: record.value.body.byteLength < 65536 ? new TextDecoder().decode(record.value.body) : '',
      json: JSON.stringify({ ...record, value: { ...record.value, body: undefined } }),
    }));
  } finally {
    db.close();
  }
}

function openRaw(path: string): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(path);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function dump(): Promise<string> {
  const parts: string[] = [];
  for (const { name } of await indexedDB.databases()) {
    if (!name) continue;
    const db = await openRaw(name);
    try {
      for (const store of db.objectStoreNames) {
        const records = await done(db.transaction(store).objectStore(store).getAll());
        const text = (value: ArrayBuffer | ArrayBufferView) =>
          new TextDecoder().decode(value instanceof ArrayBuffer ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
        parts.push(`${name}/${store}: ${JSON.stringify(records, (_key, value: unknown) => (value instanceof ArrayBuffer || ArrayBuffer.isView(value) ? `<bytes:${text(value)}>` : value))}`);
      }
    } finally {
      db.close();
    }
  }
  return parts.join('\n');
}

async function damage(value: unknown, path = './cache'): Promise<number> {
  const db = await openRaw(path);
  try {
    const tx = db.transaction('entries', 'readwrite');
    const store = tx.objectStore('entries');
    const records = (await done(store.getAll())) as { ns: string }[];
    const fetched = records.filter((record) => record.ns.startsWith('idb-memo:fetch'));
    for (const record of fetched) store.put({ ...record, value });
    await new Promise((resolve) => (tx.oncomplete = resolve));
    return fetched.length;
  } finally {
    db.close();
  }
}

const readers = new Map<string, ReadableStreamDefaultReader<Uint8Array>>();

async function openStream(path: string, options?: FetchCacheOptions): Promise<{ status: number; how: CacheStatus | undefined; first: string }> {
  const response = await cachedFetch(path, undefined, options);
  const reader = response.body!.getReader();
  readers.set(path, reader);
  return { status: response.status, how: cacheStatus(response), first: new TextDecoder().decode((await reader.read()).value) };
}

async function readRest(path: string): Promise<string> {
  const reader = readers.get(path)!;
  let text = '';
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += new TextDecoder().decode(chunk.value);
  return text;
}

const warnings: string[] = [];
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  warnings.push(args.join(' '));
  warn(...args);
};

window.fetchPage = {
  get,
  tryGet,
  entries,
  dump,
  damage,
  openStream,
  readRest,
  inWorker: (path, init = {}) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./fetch-worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = ({ data }) => {
        resolve(data as { status: number; how: CacheStatus | undefined; body: string });
        worker.terminate();
      };
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage({ path, init });
    }),
  warnings,
  async measure(path) {
    const response = await cachedFetch(path, undefined, { ttl: 3600 });
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { status: response.status, how: cacheStatus(response), bytes: bytes.length, sample: [bytes[0] ?? -1, bytes[bytes.length >> 1] ?? -1, bytes[bytes.length - 1] ?? -1] };
  },
  async abortOne(path, afterMs) {
    const controller = new AbortController();
    const aborted = tryGet(path, { signal: controller.signal });
    const other = tryGet(path);
    setTimeout(() => controller.abort(), afterMs);
    return { aborted: await aborted, other: await other };
  },
};
window.ready = true;
