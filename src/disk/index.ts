/**
 * The disk tier: a chunk of its own, loaded by the first `toDisk` cache (or cachedFetch, or a
 * logout), so that an app whose caches stay in memory never downloads IndexedDB code.
 *
 * Its contract ({@link Disk}): reads, writes, removals and clears of one namespace, each one
 * IndexedDB transaction, so that the database orders them; a write commits only if nothing
 * removed its key (or logged out) since its call's read. Messages between tabs are only hints.
 */

import { config } from '../config';
import { ClearBlockedError, warnOnce } from '../errors';
import type { Held, Use } from '../memory';
import type { Policy } from '../policies';
import { connection, errorName, isLibraryDatabase, knownDatabases, within, type Connection } from './connection';
import type { EntryRecord } from './schema';
import { endedSessions } from './session';
import * as store from './store';

export { withLock } from './lock';
export { endSession, sessionId, sessionReady } from './session';
export type { Since, Read } from './store';

/** One namespace of one cache database: what the rest of the library asks of the disk. */
export interface Disk {
  readonly db: string;
  readonly ns: string;
  /** The record of `key` (undefined on a miss) and what the read saw. Never rejects. */
  read(key: string): Promise<store.Read>;
  /**
   * Stores `record` unless a removal or logout came since `context.since`, or `stillWanted()` says
   * no when its transaction is made; resolves with what it did. Never rejects.
   */
  write(record: EntryRecord, context: store.WriteContext, stillWanted: () => boolean): Promise<store.Written>;
  /** What a read made now sees (the epoch, the removals so far); undefined if the disk is unavailable. Never rejects. */
  since(): Promise<store.Since | undefined>;
  /** Removes `key` (per `scope`: every key starting with it, in every namespace starting with this one), leaving a tombstone; resolves whether one was stored. Never rejects. */
  remove(key: string, scope?: store.Scope): Promise<boolean>;
  /** Removes every entry of the namespace (of every namespace it starts, with `prefix`). Never rejects. */
  clear(prefix?: boolean): Promise<void>;
  /** Records uses of its entries (LRU/LFU order). Never rejects. */
  touch(uses: readonly Use[]): Promise<void>;
  /** Removes entries the memory tier evicted (no tombstone: an eviction is no user's removal). Never rejects. */
  evict(keys: readonly string[]): Promise<void>;
  /** Its entries in `policy`'s eviction order, without their values. Never rejects (none while the disk is unavailable). */
  index(policy: Policy): Promise<Held[]>;
  /** Every entry (for the inspector). */
  entries(): Promise<EntryRecord[]>;
}

const NOTHING_WRITTEN: store.Written = { stored: false, refused: false, evicted: [] };
/** How long a logout waits for the browser's list of databases before it goes on with those it knows. */
const LISTING_TIMEOUT_MS = 1000;
/** When a logout tries to empty a database (ms after the previous try) before it reports it (ClearBlockedError). */
const LOGOUT_RETRY_DELAYS_MS = [0, 200, 800];
/** When removals kept for later are tried again in the background (ms after the previous try). */
const DEFERRED_RETRY_DELAYS_MS = [250, 1000, 3000];
/** Past this many removals of one namespace waiting for the database, it is cleared instead. */
const MOST_DEFERRED = 100;

/** Changes in flight, for {@link flush}. */
const inFlight = new Set<Promise<unknown>>();

function tracked<T>(work: Promise<T>): Promise<T> {
  inFlight.add(work);
  void work.finally(() => inFlight.delete(work)).catch(() => {});
  return work;
}

/**
 * Per database: its connection, its reads (batched: one transaction for the reads of a microtask,
 * or for all those asked while the previous batch was being read), its upkeep.
 */
class Database {
  readonly connection: Connection;
  /** Reads asked for and not issued yet. */
  private reads: store.PendingRead[] = [];
  /** Whether a microtask will issue `reads`. */
  private readSoon = false;
  /** Read batches issued whose answers are not all in: reads asked meanwhile wait for them. */
  private readsInFlight = 0;
  /** Names used by this page, by version; `false` once their upkeep has run. */
  private readonly claims = new Map<string, [version: string, done: boolean]>();
  private upkeepSoon = false;
  /**
   * Removals that met a database that would not open, by namespace (`true`: all of it): applied
   * first once it does, so that none is lost. Past a few keys, the namespace is cleared instead.
   */
  private deferred = new Map<string, Set<string> | 'all' | 'prefix'>();
  private retrying = false;

  constructor(readonly name: string) {
    this.connection = connection(name);
  }

  /**
   * Runs `operation` (its transaction) once the database is open, after this page's logout in
   * progress (but `first`, the logout itself) and the removals kept for later.
   */
  run<T>(operation: (db: IDBDatabase) => Promise<T>, fallback: T, first = false): Promise<T> {
    // Reads asked for before this operation are issued before it: IndexedDB orders them as asked.
    if (this.reads.length > 0) this.readNow();
    const runNow = () =>
      this.connection.run(async (db) => {
        const deferred = [...this.deferred];
        this.deferred.clear();
        try {
          for (const [ns, keys] of deferred) {
            if (typeof keys === 'string') await store.clear(db, ns, keys === 'prefix');
            else for (const key of keys) await store.remove(db, ns, key);
          }
        } catch (error) {
          // Not applied: kept for the next try (whole-namespace ones stand for the keys asked since).
          for (const [ns, keys] of deferred) if (!this.deferred.has(ns) || typeof keys === 'string') this.deferred.set(ns, keys);
          this.applySoon();
          throw error;
        }
        return operation(db);
      }, fallback);
    return tracked(first ? runNow() : loggingOut.then(runNow));
  }

  /**
   * A removal of `key` of `ns` (without `key`, all of it, or of every namespace it starts with
   * `prefix`): kept for later if the database will not open now (a removal of keys by prefix, as
   * one of the whole namespace).
   */
  removal<T>(ns: string, key: string | undefined, prefix: boolean, operation: (db: IDBDatabase) => Promise<T>, fallback: T): Promise<T> {
    let done = false;
    // A removal does not wait out the pause after a failed open: it is tried now.
    this.connection.retryNow();
    return this.run(async (db) => {
      const result = await operation(db);
      done = true;
      return result;
    }, fallback).then((result) => {
      if (done || !this.connection.mayRecover) return result;
      const keys = this.deferred.get(ns);
      if (prefix || keys === 'prefix') this.deferred.set(ns, 'prefix');
      else if (key === undefined || keys === 'all' || (keys?.size ?? 0) >= MOST_DEFERRED) this.deferred.set(ns, 'all');
      else this.deferred.set(ns, (keys ?? new Set()).add(key));
      this.applySoon();
      return result;
    });
  }

  /** Tries the removals kept for later a few times in the background: a page may not live until its next operation. */
  private applySoon(attempt = 0): void {
    const delay = DEFERRED_RETRY_DELAYS_MS[attempt];
    if (delay === undefined || this.retrying) return;
    this.retrying = true;
    const timer = setTimeout(() => {
      this.retrying = false;
      if (this.deferred.size === 0) return;
      this.connection.retryNow();
      void this.run(async () => undefined, undefined).then(() => this.deferred.size > 0 && this.applySoon(attempt + 1));
    }, delay);
    // Nobody awaits it: it must not keep a Node process alive.
    (timer as { unref?: () => void }).unref?.();
  }

  read(ns: string, key: string | undefined): Promise<store.Read> {
    this.claim(ns);
    return new Promise((resolve) => {
      this.reads.push({ ns, key, resolve });
      // Reads asked while a batch is being read go together once it is answered (cold calls come
      // one by one, each after its key's digest: one transaction each would cost a hundred).
      if (this.readSoon || this.readsInFlight > 0) return;
      this.readSoon = true;
      queueMicrotask(() => this.readNow());
    });
  }

  /** Issues the reads asked for so far, in one transaction. */
  private readNow(): void {
    this.readSoon = false;
    const batch = this.reads;
    if (batch.length === 0) return;
    this.reads = [];
    this.readsInFlight++;
    let waiting = batch.length;
    let over = false;
    const answered = () => {
      if (over) return;
      over = true;
      // The reads asked meanwhile go now, together (unless an operation issued them already).
      if (--this.readsInFlight === 0 && this.reads.length > 0) this.readNow();
    };
    const answers = batch.map((read): store.PendingRead => {
      let done = false;
      return {
        ns: read.ns,
        key: read.key,
        resolve: (answer) => {
          if (done) return;
          done = true;
          read.resolve(answer);
          if (--waiting === 0) answered();
        },
      };
    });
    const unanswered = () => {
      // Those not answered (the database unavailable, the transaction failed) are misses.
      for (const { resolve } of answers) resolve({ record: undefined, since: undefined });
      answered();
    };
    void this.run((db) => store.readAll(db, answers), undefined).then(unanswered, unanswered);
  }

  /** Notes that this page uses namespace `ns`: once per name, the upkeep drops its other versions. */
  claim(ns: string): void {
    const [name, version] = ns.split('\0');
    if (version === undefined || this.claims.has(name!)) return;
    this.claims.set(name!, [version, false]);
    if (this.upkeepSoon) return;
    this.upkeepSoon = true;
    queueMicrotask(() => void tracked(this.upkeep()));
  }

  private async upkeep(): Promise<void> {
    const ended = await endedSessions();
    this.upkeepSoon = false;
    const claimed: [string, string][] = [];
    for (const [name, claim] of this.claims) {
      if (!claim[1]) claimed.push([name, claim[0]]);
      claim[1] = true;
    }
    await this.run((db) => store.upkeep(db, claimed, ended, config.maxUnusedDays * 86_400_000), undefined);
  }
}

const databases = new Map<string, Database>();
/** This page's logout in progress: disk operations asked for after it wait for it, and see the next user's database. */
let loggingOut: Promise<unknown> = Promise.resolve();

function database(name: string): Database {
  let found = databases.get(name);
  if (!found) databases.set(name, (found = new Database(name)));
  return found;
}

/** The disk tier of namespace `ns` in database `db`, bounded by `maxItems` per `policy`; `label` names it in warnings. */
export function disk(db: string, ns: string, maxItems: number, policy: Policy, label: string): Disk {
  const base = database(db);
  return {
    db,
    ns,
    read: (key) => base.read(ns, key),
    since: () => base.read(ns, undefined).then((read) => read.since),
    write: (record, context, stillWanted) =>
      base.run(async (idb): Promise<store.Written> => {
        if (!stillWanted()) return NOTHING_WRITTEN;
        const put: store.Put = { ...context, record, maxItems, policy, label };
        try {
          return await store.write(idb, put);
        } catch (error) {
          if (errorName(error) !== 'QuotaExceededError') throw error;
          // Out of quota: the namespace's least valuable tenth goes, and the write is tried once more.
          await store.makeRoom(idb, ns, policy);
          return store.write(idb, put).catch(() => {
            warnOnce('QUOTA_EXCEEDED', `quota:${label}`, __DEV__ && `the storage quota is full: a result of ${label} is kept in memory only`);
            return NOTHING_WRITTEN;
          });
        }
      }, NOTHING_WRITTEN),
    remove: (key, scope = 'key') => (base.claim(ns), base.removal(ns, scope === 'key' ? key : undefined, scope === 'prefix-everywhere', (idb) => store.remove(idb, ns, key, scope), false)),
    clear: (prefix = false) => (base.claim(ns), base.removal(ns, undefined, prefix, (idb) => store.clear(idb, ns, prefix), undefined)),
    touch: (uses) => base.run((idb) => store.touch(idb, ns, uses), undefined),
    evict: (keys) => base.run((idb) => store.evictKeys(idb, ns, keys), undefined),
    index: (order) => base.run((idb) => store.order(idb, ns, order), []),
    entries: () => base.run((idb) => store.entriesOf(idb, ns), []),
  };
}

/**
 * A logout: empties every database of the library this page can find (its own, those of earlier
 * visits it remembers, any other the browser lists that holds the library's stores), each in one
 * transaction that writes a new epoch; this page's own first, before anything is awaited. `begun`
 * is called once the transactions of those it knew exist: a read another tab makes after hearing
 * of it is ordered after them. Every tab that hears of a logout empties what it finds too, so a
 * database another tab made meanwhile is emptied by that tab.
 * @throws (rejects) ClearBlockedError naming the databases that would not open to be emptied
 */
export function logout(begun: () => void = () => {}): Promise<void> {
  const done = (async () => {
    const emptying = new Map<string, Promise<boolean>>();
    const made: Promise<void>[] = [];
    const empty = (name: string) => {
      if (emptying.has(name)) return;
      let created!: () => void;
      made.push(new Promise((resolve) => (created = resolve)));
      emptying.set(name, emptied(name, created));
    };
    for (const name of databases.keys()) empty(name);
    // The browser's list, if it answers in time ("Clear site data" can leave it unanswered).
    const listed = (await within(indexedDB.databases?.() ?? Promise.resolve(undefined), LISTING_TIMEOUT_MS))?.map((info) => info.name);
    for (const name of knownDatabases()) if (!listed || listed.includes(name)) empty(name);
    void Promise.all(made).then(begun);
    await Promise.all((listed ?? []).map(async (name) => name && !emptying.has(name) && (await isLibraryDatabase(name)) && empty(name)));
    const left = await Promise.all([...emptying].map(async ([name, ok]) => ((await ok) ? '' : name)));
    if (left.some(Boolean)) throw new ClearBlockedError(left.filter(Boolean));
  })();
  loggingOut = done.catch(() => {});
  return done;
}

/**
 * Empties database `name`, trying again on a fresh connection after a failure ("Clear site data"
 * closes connections and aborts their transactions): true once it is empty, or gone. `created` is
 * called once its transaction exists (or it gave up).
 */
async function emptied(name: string, created: () => void): Promise<boolean> {
  const base = database(name);
  try {
    for (const delay of LOGOUT_RETRY_DELAYS_MS) {
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      base.connection.retryNow();
      const ok = await base.run(
        async (db) => {
          const committed = store.logout(db);
          created();
          await committed;
          return true;
        },
        false,
        true,
      );
      if (ok) return true;
    }
    const listed = await within(indexedDB.databases?.() ?? Promise.resolve(undefined), LISTING_TIMEOUT_MS);
    return listed !== undefined && !listed.some((info) => info.name === name);
  } finally {
    created();
  }
}

/** cachedFetch's secret of database `db`; undefined while it cannot be opened. */
export function secret(db: string): Promise<Uint8Array | undefined> {
  return database(db).run(store.secret, undefined);
}

/** Resolves once every change made so far in this page is committed (or given up). */
export async function flush(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}
