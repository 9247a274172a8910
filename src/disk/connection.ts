import { IdbMemoError } from '../errors';
import { deleteDB, openDB, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { warnOnce } from '../warn';
import { SCHEMA_VERSION, SHAPE, type CacheDB } from './schema';

/** An open cache database. */
export type CacheDatabase = IDBPDatabase<CacheDB>;

/** How long to wait for an open blocked by another tab before going memory-only for now. */
const OPEN_TIMEOUT_MS = 3000;
/** How long to wait for the list of databases before opening anyway. */
const EXISTS_WAIT_MS = 500;
/** How long to stay memory-only after IndexedDB failed to open. */
const RETRY_AFTER_MS = 5000;
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
  /** Set while opens wait for a wipe (see {@link holdUntil}). */
  private held: Promise<void> | undefined;
  /** Whether {@link opening} may create the database. */
  private openingCreates = true;
  /** Whether the last open found no database and, as asked, made none. */
  missing = false;

  /**
   * @param name - the database's name
   * @param events - told when the database was opened, and when another page started deleting it
   *   (clearCaches() in another tab): work of this page started before must then be dropped
   */
  constructor(
    readonly name: string,
    private readonly events: ConnectionEvents = {},
  ) {}

  /** How long until an open may be tried again, after one failed (0 when it may be now). */
  get reopensIn(): number {
    return Math.max(0, this.retryAt - Date.now());
  }

  /** False once IndexedDB is known to be missing here: nothing will ever be stored. */
  get mayRecover(): boolean {
    return this.retryAt !== Infinity;
  }

  /**
   * The open database, or undefined while IndexedDB is unavailable. Never rejects. With `create`
   * false (reads, sweeps, removals) a database that does not exist is not created: undefined, so
   * that nothing but a result brings back a database that clearCaches() deleted.
   */
  open(create = true): Promise<CacheDatabase | undefined> {
    if (this.held) return this.held.then(() => this.open(create));
    const pending = this.opening;
    if (pending) return create && !this.openingCreates ? pending.then((db) => db ?? this.open(true)) : pending;
    if (Date.now() < this.retryAt) return Promise.resolve(undefined);
    const opening = this.connect(create);
    this.opening = opening;
    this.openingCreates = create;
    void opening.then((db) => {
      if (!db && this.opening === opening) this.opening = undefined;
    });
    return opening;
  }

  /**
   * Makes opens wait until `done`: a wipe is about to delete the database, and what they would
   * read or write there belongs before it (or would make it anew before the deletion).
   */
  holdUntil(done: Promise<void>): void {
    const held = done.then(() => {
      if (this.held === held) this.held = undefined;
    });
    this.held = held;
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
  async run<T>(operation: (db: CacheDatabase) => Promise<T>, fallback: T, onError?: (error: unknown) => void, create = true): Promise<T> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const db = await this.open(create);
      if (!db) return fallback;
      try {
        return await operation(db);
      } catch (error) {
        if (attempt === 0 && isClosedError(error)) {
          this.reset();
          continue;
        }
        (onError ?? ((e) => warnOnce('DISK_FAILED', `op:${this.name}:${errorName(e)}`, `IndexedDB "${this.name}" failed (${describeError(e)}); continuing from memory`)))(error);
        return fallback;
      }
    }
    return fallback;
  }

  private async connect(create: boolean): Promise<CacheDatabase | undefined> {
    if (typeof indexedDB === 'undefined') {
      warnOnce('NO_INDEXEDDB', 'no-indexeddb', 'IndexedDB is not available here; toDisk caches keep results in memory only');
      this.retryAt = Infinity;
      return undefined;
    }
    if (!create && !(await exists(this.name))) {
      this.missing = true;
      return undefined; // not created, as asked
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      let created = false;
      const opened = openShaped(
        this.name,
        (deleting) => {
          if (deleting) this.events.onDeleting?.(this);
          this.reset();
        },
        () => (created = true),
      );
      const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), OPEN_TIMEOUT_MS)));
      const db = await Promise.race([opened, timedOut]);
      if (!db) {
        void opened.then((late) => late.close(), () => {});
        throw new Error(`opening timed out after ${OPEN_TIMEOUT_MS} ms (blocked by another tab?)`);
      }
      if (created && !create) {
        // Deleted (by a wipe) between the check above and this open, which made it anew: undo that.
        db.close();
        // Not a wipe: the other connections of this page keep their work.
        deletingHere.add(this.name);
        void deleteDB(this.name)
          .catch(() => {})
          .finally(() => deletingHere.delete(this.name));
        this.missing = true;
        return undefined;
      }
      // Closed by "Clear site data" or the browser: forget it so the next use reopens.
      db.addEventListener('close', () => this.reset());
      rememberPath(this.name);
      this.missing = false;
      this.events.onOpened?.(this);
      return db;
    } catch (error) {
      this.retryAt = Date.now() + RETRY_AFTER_MS;
      warnOnce('OPEN_FAILED', `open:${this.name}`, `could not open IndexedDB "${this.name}" (${describeError(error)}); keeping results in memory only`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Whether database `name` exists: true where the browser cannot tell, or does not tell soon
 * (`databases()` can wait behind a deletion another tab's connection blocks); a database made
 * anew by the open that follows is then deleted again.
 */
async function exists(name: string): Promise<boolean> {
  if (typeof indexedDB.databases !== 'function') return true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const listed = indexedDB.databases().then(
    (infos) => infos.some((info) => info.name === name),
    () => true,
  );
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), EXISTS_WAIT_MS)));
  try {
    return await Promise.race([listed, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Opens database `name` with the library's stores and indexes. A database left at a higher version
 * by another script is used as it is when its shape is right; one of the wrong shape (made by a
 * plain `indexedDB.open`, or changed by another script) is repaired by an upgrade to the next
 * version, which creates what is missing and remakes what differs.
 */
async function openShaped(name: string, onClose: (deleting: boolean) => void, onCreated: () => void): Promise<CacheDatabase> {
  const openAt = (version: number | undefined) =>
    openDB<CacheDB>(name, version, {
      upgrade: (db, oldVersion, newVersion, tx) => {
        if (oldVersion === 0) onCreated();
        ensureShape(db, oldVersion, newVersion, tx);
      },
      // A version change to `null` is a deletion.
      blocking: (_current, next) => onClose(next === null),
      terminated: () => onClose(false),
    });
  let db: CacheDatabase;
  try {
    db = await openAt(SCHEMA_VERSION);
  } catch (error) {
    if (errorName(error) !== 'VersionError') throw error;
    db = await openAt(undefined);
  }
  if (hasShape(db)) return db;
  const next = db.version + 1;
  db.close();
  return openAt(next);
}

type StoreName = keyof typeof SHAPE;

function sameKeyPath(a: string | readonly string[] | null, b: string | readonly string[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function mutable(path: string | readonly string[]): string | string[] {
  return typeof path === 'string' ? path : [...path];
}

/** Whether `index` has key path `path` and is neither unique nor multi-entry, as the library makes them. */
function isPlainIndex(index: { keyPath: string | string[]; unique: boolean; multiEntry: boolean }, path: string | readonly string[]): boolean {
  return sameKeyPath(index.keyPath, path) && !index.unique && !index.multiEntry;
}

function hasShape(db: CacheDatabase): boolean {
  const names = Object.keys(SHAPE) as StoreName[];
  if (!names.every((name) => db.objectStoreNames.contains(name))) return false;
  const tx = db.transaction(names, 'readonly');
  quiet(tx.done);
  return names.every((name) => {
    const store = tx.objectStore(name);
    const { keyPath, indexes } = SHAPE[name];
    return (
      sameKeyPath(store.keyPath, keyPath) &&
      Object.entries(indexes).every(([index, path]) => store.indexNames.contains(index as never) && isPlainIndex(store.index(index as never), path))
    );
  });
}

/** Creates the stores and indexes that are missing, and remakes those whose key path differs. */
function ensureShape(
  db: CacheDatabase,
  old: number,
  _new: number | null,
  tx: IDBPTransaction<CacheDB, StoreNames<CacheDB>[], 'versionchange'>,
): void {
  quiet(tx.done);
  // Version 2 held cachedFetch entries under unsalted digests of their request headers: remove them.
  if (old === 2 && db.objectStoreNames.contains('entries') && sameKeyPath(tx.objectStore('entries').keyPath, SHAPE.entries.keyPath)) {
    const legacy = 'idb-memo:fetch@1';
    quiet(tx.objectStore('entries').delete(IDBKeyRange.bound([legacy, ''], [`${legacy}\uffff`, ''])));
  }
  for (const name of Object.keys(SHAPE) as StoreName[]) {
    const { keyPath, indexes } = SHAPE[name];
    if (db.objectStoreNames.contains(name) && !sameKeyPath(tx.objectStore(name).keyPath, keyPath)) db.deleteObjectStore(name);
    const store = db.objectStoreNames.contains(name) ? tx.objectStore(name) : db.createObjectStore(name, { keyPath: mutable(keyPath) as never });
    for (const [index, path] of Object.entries(indexes)) {
      const found = store.indexNames.contains(index as never);
      if (found && isPlainIndex(store.index(index as never), path)) continue;
      if (found) store.deleteIndex(index as never);
      store.createIndex(index as never, mutable(path) as never);
    }
  }
}

/** What a {@link Connection} tells its owner. */
export interface ConnectionEvents {
  /** The database was opened (again). */
  onOpened?(connection: Connection): void;
  /** Another page is deleting the database. */
  onDeleting?(connection: Connection): void;
}

const connections = new Map<string, Connection>();

/** The shared connection to the cache database named `name` (`events` are those of its first use). */
export function connection(name: string, events?: ConnectionEvents): Connection {
  let found = connections.get(name);
  if (!found) {
    found = new Connection(name, events);
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

/** How long clearCaches() waits, once another connection blocks a deletion, before saying so. */
const BLOCKED_WAIT_MS = 2000;
/** How long clearCaches() waits for a deletion at most, blocked or not. */
const DELETE_WAIT_MS = 10_000;

/** Thrown (rejected) by clearCaches() when a connection that is not the library's keeps a database from being deleted. */
export class ClearBlockedError extends IdbMemoError {
  constructor(
    /** The databases that are still there, with their entries. */
    readonly databases: readonly string[],
  ) {
    super(
      'CLEAR_BLOCKED',
      `idb-memo: clearCaches() could not delete IndexedDB ${databases.map((name) => `"${name}"`).join(', ')}: another connection ` +
        '(not one of this library, which closes its own) keeps it open; its entries are still stored. Close that connection and call clearCaches() again.',
    );
    this.name = 'ClearBlockedError';
  }
}

/** Databases this page is deleting: by its clearCaches(), or one a read-only open made anew by mistake. */
const deletingHere = new Set<string>();

/** Whether this page is deleting database `name`: a deletion its connections hear is then not another tab's wipe. */
export function isDeletingHere(name: string): boolean {
  return deletingHere.has(name);
}

/**
 * Deletes every cache database this origin has used (this page's, and those remembered from
 * earlier visits). Rejects with a {@link ClearBlockedError} naming the databases a foreign
 * connection kept from being deleted (their deletion still completes once it closes).
 */
export async function deleteAllDatabases(): Promise<void> {
  const names = new Set([...connections.keys(), ...knownPaths()]);
  // Forgotten before the deletions: a database opened again meanwhile is remembered anew, so the
  // next clearCaches() finds it.
  try {
    localStorage.removeItem(PATHS_KEY);
  } catch {
    // Nothing remembered.
  }
  const left: string[] = [];
  await Promise.all(
    [...names].map(async (name) => {
      connections.get(name)?.reset();
      deletingHere.add(name);
      const deleted = await deleteOrGiveUp(name);
      deletingHere.delete(name);
      if (!deleted) left.push(name);
    }),
  );
  if (left.length > 0) {
    for (const name of left) rememberPath(name);
    throw new ClearBlockedError(left);
  }
}

/** Deletes database `name`; false when it is still blocked `BLOCKED_WAIT_MS` after another connection blocked it. */
function deleteOrGiveUp(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A deletion queued behind another page's open (an upgrade a foreign connection blocks) hears
    // no `blocked` event: it is given up after a while all the same.
    const queuedTooLong = setTimeout(() => settle(false), DELETE_WAIT_MS);
    const settle = (deleted: boolean) => {
      clearTimeout(timer);
      clearTimeout(queuedTooLong);
      resolve(deleted);
    };
    const attempt = (retry: boolean): Promise<void> =>
      deleteDB(name, { blocked: () => (timer ??= setTimeout(() => settle(false), BLOCKED_WAIT_MS)) }).then(
        () => settle(true),
        (error: unknown) => {
          // "Clear site data" or another tab's deletion can abort this one: tried again, it finds nothing left to delete.
          if (retry) return attempt(false);
          warnOnce('DELETE_FAILED', `delete:${name}`, `could not delete IndexedDB "${name}" (${describeError(error)})`);
          settle(false);
        },
      );
    void attempt(true);
  });
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
