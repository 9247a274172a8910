import { warnOnce } from '../errors';
import { newEpoch, SCHEMA_VERSION, STORES, type MetaRecord } from './schema';

/** How long an open may wait (blocked by another tab's old connection) before the page goes on from memory. */
const OPEN_TIMEOUT_MS = 3000;
/** How long the page stays memory-only after an open failed. */
const RETRY_AFTER_MS = 5000;
/** localStorage key listing the databases this origin used, so that a logout finds those of earlier visits. */
const PATHS_KEY = 'idb-memo:cache-paths';

/** Resolves with the result of `request`, rejects with its error. */
export function req<T>(request: IDBRequest<T>): Promise<T> {
  const result = new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  // When its transaction aborts, a request not awaited yet rejects too: the transaction's outcome
  // reports the failure, so this one is never an unhandled rejection.
  result.catch(() => {});
  return result;
}

/** Resolves once `tx` commits, rejects if it aborts. */
export function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error ?? new DOMException('The transaction was aborted', 'AbortError'));
  });
}

/** The DOMException (or Error) name of `error`. */
export function errorName(error: unknown): string {
  return (error as { name?: unknown } | null)?.name === undefined ? '' : String((error as { name: unknown }).name);
}

/**
 * A lazily opened connection to one cache database that survives faults: memory-only (one
 * warning) while IndexedDB is missing or will not open, reopened on the next use after it was
 * closed under the page (another tab's upgrade, "Clear site data").
 */
export class Connection {
  private opening: Promise<IDBDatabase | undefined> | undefined;
  /** What `opening` resolved to. */
  private opened: IDBDatabase | undefined;
  private retryAt = 0;

  constructor(readonly name: string) {}

  /** False once IndexedDB is known to be missing here: nothing will ever be stored. */
  get mayRecover(): boolean {
    return this.retryAt !== Infinity;
  }

  /** Lets the next use try to open at once, even soon after an open failed. */
  retryNow(): void {
    if (this.mayRecover) this.retryAt = 0;
  }

  /** The open database, or undefined while it cannot be opened. Never rejects. */
  open(): Promise<IDBDatabase | undefined> {
    if (this.opening) return this.opening;
    if (Date.now() < this.retryAt) return Promise.resolve(undefined);
    const opening = this.connect();
    this.opening = opening;
    this.opened = undefined;
    void opening.then((db) => {
      if (this.opening !== opening) return;
      if (db) this.opened = db;
      else this.opening = undefined;
    });
    return opening;
  }

  /**
   * Forgets the connection (`db`, closed under it, or the current one): the next use reopens. A
   * `db` already replaced is only closed (the one that replaced it stays).
   */
  reset(db?: IDBDatabase): void {
    if (db !== undefined && db !== this.opened) return db.close();
    void this.opening?.then((open) => open?.close());
    this.opening = this.opened = undefined;
  }

  /**
   * Runs `operation` on the database, once more on a fresh connection if the first was closed
   * under it. Resolves `fallback` where IndexedDB is unavailable or the operation fails (after
   * a warning).
   */
  async run<T>(operation: (db: IDBDatabase) => Promise<T>, fallback: T): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const db = await this.open();
      if (!db) return fallback;
      try {
        return await operation(db);
      } catch (error) {
        if (attempt === 0 && /InvalidState|TransactionInactive/.test(errorName(error))) {
          this.reset(db);
          continue;
        }
        warnOnce('DISK_FAILED', `op:${this.name}:${errorName(error)}`, __DEV__ && `IndexedDB "${this.name}" failed (${String(error)}); going on from memory`);
        return fallback;
      }
    }
  }

  private async connect(): Promise<IDBDatabase | undefined> {
    if (typeof indexedDB === 'undefined') {
      warnOnce('NO_INDEXEDDB', 'no-indexeddb', __DEV__ && 'IndexedDB is not available here; toDisk caches keep their results in memory only');
      this.retryAt = Infinity;
      return undefined;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const opening = openShaped(this.name);
      const db = await Promise.race([opening, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), OPEN_TIMEOUT_MS)))]);
      if (!db) {
        void opening.then((late) => late.close(), () => {});
        throw new Error(`opening took over ${OPEN_TIMEOUT_MS} ms (blocked by another tab?)`);
      }
      // Another tab upgrades or deletes it: let it, and reopen on the next use.
      db.onversionchange = () => this.reset(db);
      db.onclose = () => this.reset(db);
      remember(this.name);
      return db;
    } catch (error) {
      this.retryAt = Date.now() + RETRY_AFTER_MS;
      warnOnce('OPEN_FAILED', `open:${this.name}`, __DEV__ && `could not open IndexedDB "${this.name}" (${String(error)}); keeping results in memory only for now`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Opens database `name` with the library's stores. One made by an earlier version of the library, or
 * by another script, or damaged, is repaired by an upgrade to the next version: the stores of the
 * library that are missing or misshapen are made anew (their records are lost: it is a cache).
 */
async function openShaped(name: string, version?: number): Promise<IDBDatabase> {
  let db: IDBDatabase;
  try {
    db = await upgraded(name, version ?? SCHEMA_VERSION);
  } catch (error) {
    if (version !== undefined || errorName(error) !== 'VersionError') throw error;
    db = await req(indexedDB.open(name)); // left at a higher version by another script
  }
  if (isShaped(db)) return db;
  db.close();
  return openShaped(name, db.version + 1);
}

/** Stores of the library's earlier versions, removed with their records (their formats are gone). */
const FORMER_STORES = ['sessions', 'secrets'];

function upgraded(name: string, version: number): Promise<IDBDatabase> {
  const request = indexedDB.open(name, version);
  request.onupgradeneeded = ({ oldVersion }) => {
    const db = request.result;
    const tx = request.transaction!;
    // A database of an earlier version of the library starts afresh; another script's stores stay.
    const fromEarlier = oldVersion > 0 && oldVersion < SCHEMA_VERSION;
    for (const store of FORMER_STORES) if (fromEarlier && db.objectStoreNames.contains(store)) db.deleteObjectStore(store);
    for (const [store, keyPath, indexes] of STORES) {
      if (db.objectStoreNames.contains(store) && (fromEarlier || !isStoreShaped(tx.objectStore(store), keyPath, indexes))) db.deleteObjectStore(store);
      if (db.objectStoreNames.contains(store)) continue;
      const made = db.createObjectStore(store, { keyPath: keyPath as string | string[] });
      for (const [index, path] of Object.entries(indexes)) made.createIndex(index, path as string | string[]);
      // A database made (anew: "Clear site data" deletes it) starts with an epoch of its own: a
      // write whose read saw the one before is refused, whatever its counters say.
      if (store === 'meta') made.put({ id: 'epoch', value: newEpoch() } satisfies MetaRecord);
    }
  };
  return req(request);
}

function isStoreShaped(store: IDBObjectStore, keyPath: unknown, indexes: Record<string, unknown>): boolean {
  return (
    JSON.stringify(store.keyPath) === JSON.stringify(keyPath) &&
    Object.entries(indexes).every(([index, path]) => store.indexNames.contains(index) && JSON.stringify(store.index(index).keyPath) === JSON.stringify(path))
  );
}

function isShaped(db: IDBDatabase): boolean {
  if (!STORES.every(([store]) => db.objectStoreNames.contains(store))) return false;
  const tx = db.transaction(STORES.map(([store]) => store), 'readonly');
  return STORES.every(([store, keyPath, indexes]) => isStoreShaped(tx.objectStore(store), keyPath, indexes));
}

/** `promise`, or undefined if it has not settled within `ms` (or rejects). */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise.catch(() => undefined), late]).finally(() => clearTimeout(timer));
}

/**
 * Whether the existing database `name` holds the library's stores: a logout finds those of earlier
 * visits that no list remembers (a worker has no localStorage; an app may clear it). Opened without
 * a version, so that nothing is upgraded; one that no longer exists is not made.
 */
export async function isLibraryDatabase(name: string): Promise<boolean> {
  const request = indexedDB.open(name);
  request.onupgradeneeded = () => request.transaction?.abort();
  const db = await within(req(request), OPEN_TIMEOUT_MS);
  if (!db) {
    // Not opened in time (or failed): closed if it opens after all.
    request.onsuccess = () => request.result.close();
    return false;
  }
  const ours = STORES.every(([store]) => db.objectStoreNames.contains(store));
  db.close();
  return ours;
}

const connections = new Map<string, Connection>();

/** The page's one connection to database `name`. */
export function connection(name: string): Connection {
  let found = connections.get(name);
  if (!found) connections.set(name, (found = new Connection(name)));
  return found;
}

/** Every database this page opened, and those remembered from earlier visits. */
export function knownDatabases(): string[] {
  return [...new Set([...connections.keys(), ...remembered()])];
}

function remember(name: string): void {
  const names = remembered();
  if (names.includes(name)) return;
  try {
    localStorage.setItem(PATHS_KEY, JSON.stringify([...names, name]));
  } catch {
    // No localStorage (a worker): this page's databases are still known.
  }
}

function remembered(): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(PATHS_KEY) ?? '[]');
    return Array.isArray(stored) ? stored.filter((name): name is string => typeof name === 'string') : [];
  } catch {
    return [];
  }
}
