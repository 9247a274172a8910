import { deleteDB, openDB, type IDBPDatabase } from 'idb';
import { warnOnce } from '../warn';
import { SCHEMA_VERSION, type CacheDB } from './schema';

/** An open cache database. */
export type CacheDatabase = IDBPDatabase<CacheDB>;

/** How long to wait for an open blocked by another tab before going memory-only for now. */
const OPEN_TIMEOUT_MS = 3000;
/** How long to stay memory-only after IndexedDB failed to open. */
const RETRY_AFTER_MS = 5000;
/** How long clearCaches() waits for other tabs to let go of a database it deletes. */
const DELETE_TIMEOUT_MS = 5000;
/** localStorage key listing every cachePath this origin has used, so clearCaches() finds them after reloads. */
const PATHS_KEY = 'idb-memo:cache-paths';

/**
 * A lazily opened connection to one cache database that survives faults: it goes memory-only
 * (one warning) when IndexedDB is missing or will not open, and reopens on the next use after the
 * connection was closed under it (another tab's upgrade, "Clear site data", a browser dropping it).
 */
export class Connection {
  private opening: Promise<CacheDatabase | undefined> | undefined;
  private retryAt = 0;

  constructor(readonly name: string) {}

  /** The open database, or undefined while IndexedDB is unavailable. Never rejects. */
  open(): Promise<CacheDatabase | undefined> {
    if (this.opening) return this.opening;
    if (Date.now() < this.retryAt) return Promise.resolve(undefined);
    const opening = this.connect();
    this.opening = opening;
    void opening.then((db) => {
      if (!db && this.opening === opening) this.opening = undefined;
    });
    return opening;
  }

  /** Closes the connection; the next {@link open} reopens it. */
  reset(): void {
    const opening = this.opening;
    this.opening = undefined;
    void opening?.then((db) => db?.close());
  }

  /**
   * Runs `operation` on the database, retrying once on a fresh connection if the old one was
   * closed under it. Resolves `fallback` when IndexedDB is unavailable or the operation fails.
   */
  async run<T>(operation: (db: CacheDatabase) => Promise<T>, fallback: T, onError?: (error: unknown) => void): Promise<T> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const db = await this.open();
      if (!db) return fallback;
      try {
        return await operation(db);
      } catch (error) {
        if (attempt === 0 && isClosedError(error)) {
          this.reset();
          continue;
        }
        (onError ?? ((e) => warnOnce(`op:${this.name}:${errorName(e)}`, `IndexedDB "${this.name}" failed (${describeError(e)}); continuing from memory`)))(error);
        return fallback;
      }
    }
    return fallback;
  }

  private async connect(): Promise<CacheDatabase | undefined> {
    if (typeof indexedDB === 'undefined') {
      warnOnce('no-indexeddb', 'IndexedDB is not available here; toDisk caches keep results in memory only');
      this.retryAt = Infinity;
      return undefined;
    }
    rememberPath(this.name);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const opened = openDB<CacheDB>(this.name, SCHEMA_VERSION, {
        upgrade: createSchema,
        blocking: () => this.reset(),
        terminated: () => this.reset(),
      });
      const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), OPEN_TIMEOUT_MS)));
      const db = await Promise.race([opened, timedOut]);
      if (!db) {
        void opened.then((late) => late.close(), () => {});
        throw new Error(`opening timed out after ${OPEN_TIMEOUT_MS} ms (blocked by another tab?)`);
      }
      // Closed by "Clear site data" or the browser: forget it so the next use reopens.
      db.addEventListener('close', () => this.reset());
      return db;
    } catch (error) {
      this.retryAt = Date.now() + RETRY_AFTER_MS;
      warnOnce(`open:${this.name}`, `could not open IndexedDB "${this.name}" (${describeError(error)}); keeping results in memory only`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

function createSchema(db: CacheDatabase, _old: number, _new: number | null, upgrade: { done: Promise<void> }): void {
  quiet(upgrade.done);
  const entries = db.createObjectStore('entries', { keyPath: ['ns', 'key'] });
  entries.createIndex('byStored', ['ns', 'storedAt']);
  entries.createIndex('byAccessed', ['ns', 'accessedAt']);
  entries.createIndex('byHits', ['ns', 'hits', 'accessedAt']);
  entries.createIndex('bySession', 'session');
  db.createObjectStore('namespaces', { keyPath: 'ns' });
  db.createObjectStore('sessions', { keyPath: 'id' });
}

const connections = new Map<string, Connection>();

/** The shared connection to the cache database named `name`. */
export function connection(name: string): Connection {
  let found = connections.get(name);
  if (!found) {
    found = new Connection(name);
    connections.set(name, found);
  }
  return found;
}

function rememberPath(name: string): void {
  const paths = knownPaths();
  if (paths.includes(name)) return;
  try {
    localStorage.setItem(PATHS_KEY, JSON.stringify([...paths, name]));
  } catch {
    // No localStorage (a worker, a sandbox): the paths of this page are still known in memory.
  }
}

function knownPaths(): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(PATHS_KEY) ?? '[]');
    return Array.isArray(stored) ? stored.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}

/** Deletes every cache database this origin has used (this page's, and those remembered from earlier visits). */
export async function deleteAllDatabases(): Promise<void> {
  const names = new Set([...connections.keys(), ...knownPaths()]);
  await Promise.all(
    [...names].map(async (name) => {
      connections.get(name)?.reset();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(() => resolve(), DELETE_TIMEOUT_MS)));
      try {
        await Promise.race([deleteDB(name), gaveUp]);
      } catch (error) {
        warnOnce(`delete:${name}`, `could not delete IndexedDB "${name}" (${describeError(error)})`);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  try {
    localStorage.removeItem(PATHS_KEY);
  } catch {
    // Nothing remembered.
  }
}

function isClosedError(error: unknown): boolean {
  const name = errorName(error);
  return name === 'InvalidStateError' || name === 'TransactionInactiveError' || (name === 'AbortError' && /clos/i.test(describeError(error)));
}

/**
 * Marks a request's promise as handled: a failing request fails its transaction, whose outcome
 * is awaited (`tx.done`); the request's own rejection must not surface as an unhandled one.
 */
export function quiet(request: Promise<unknown>): void {
  request.catch(() => {});
}

/** The DOMException (or Error) name of `error`. */
export function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
}

/** A short description of `error` for warnings. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
