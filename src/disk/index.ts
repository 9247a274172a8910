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
import type { Hint } from '../registry';
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
  /**
   * Removes `key` (per `scope`: every key starting with it, in every namespace starting with this
   * one), leaving a tombstone; `asked`: the page's logout count when it was asked (a logout after
   * it that empties the database makes it moot). Resolves whether there was one. Never rejects.
   */
  remove(key: string, scope: store.Scope, asked: number): Promise<boolean>;
  /** Removes every entry of the namespace (of every namespace it starts, with `prefix`); `asked` as for remove. Never rejects. */
  clear(prefix: boolean, asked: number): Promise<void>;
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
/**
 * When a logout tries to empty a database (ms after the previous try) before it reports it
 * (ClearBlockedError); the last waits out a deletion in progress ("Clear site data": opens wait or
 * fail until it is over).
 */
const LOGOUT_RETRY_DELAYS_MS = [0, 200, 800, 3000];
/** When removals kept for later are tried again in the background (ms after the previous try). */
const DEFERRED_RETRY_DELAYS_MS = [250, 1000, 3000];
/** Past this many removals of one namespace waiting for the database, it is cleared instead. */
const MOST_DEFERRED = 100;

/** The count of this page's latest logout begun (made or heard): names claimed before it are not written after it. */
let logoutsBegun = 0;

/** Removals of one namespace kept for later: some keys, all of it, or all of every namespace it starts. */
type Kept = Set<string> | 'all' | 'prefix';

/** Removals kept for later of namespace `ns`, asked when the page's logout count was `asked`. */
interface Deferred {
  readonly asked: number;
  readonly ns: string;
  kept: Kept;
}

/** Told of each removal kept for later once it is committed: other tabs hear of it then (a hint follows a commit). */
let onApplied: (hint: Hint) => void = () => {};

/** Sets who is told of removals kept for later once they are committed (the registry, which tells other tabs). */
export function whenApplied(listener: (hint: Hint) => void): void {
  onApplied = listener;
}

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
   * Removals the database did not take (it would not open, or failed them), by logout count and
   * namespace: applied before anything else of this page reaches it, so that none is lost. Past a
   * few keys, the namespace is cleared instead.
   */
  readonly deferred = new Map<string, Deferred>();
  /**
   * The last application of `deferred`: what this page asks of the database next waits for it, and
   * fails with its error while removals remain (a read must not see what they would remove).
   */
  private applied: Promise<unknown> = Promise.resolve();
  /** Applications of `deferred` in flight: with none and nothing kept, an operation waits for nothing. */
  private applying = 0;
  /** The count of the latest logout that emptied the database: a removal asked before it is moot. */
  private emptiedAt = 0;
  /** This page's logout emptying the database, while it runs: removals wait for its outcome. */
  emptying: Promise<unknown> | undefined;
  /** Background tries of `deferred` since a removal was last kept. */
  private tries = 0;
  private trySoon = false;

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
        // Most operations find nothing kept and no application in flight: they wait for nothing.
        if (!first && (this.deferred.size > 0 || this.applying > 0)) await this.applyDeferred(db);
        return operation(db);
      }, fallback);
    return tracked(first ? runNow() : loggingOut.then(runNow));
  }

  /** Applies the removals kept for later (once, whoever asks); rejects while some remain. */
  private async applyDeferred(db: IDBDatabase): Promise<void> {
    if (this.deferred.size > 0) {
      const deferred = [...this.deferred.values()];
      this.deferred.clear();
      this.applying++;
      this.applied = this.applied.then(() => this.apply(db, deferred)).finally(() => this.applying--);
    }
    const error = await this.applied;
    if (error && this.deferred.size > 0) throw error;
  }

  /** Applies `deferred`, one transaction each, telling other tabs of each; resolves with the error if one failed (they are kept again). */
  private async apply(db: IDBDatabase, deferred: Deferred[]): Promise<unknown> {
    try {
      for (const { asked, ns, kept } of deferred) {
        for (const key of typeof kept === 'string' ? [undefined] : kept) {
          while (this.emptying) await this.emptying;
          // Moot: a logout emptied the database since it was asked.
          if (asked < this.emptiedAt) break;
          if (key === undefined) await store.clear(db, ns, kept === 'prefix');
          else await store.remove(db, ns, key);
          onApplied(key === undefined ? { type: 'clear', db: this.name, ns, prefix: kept === 'prefix' } : { type: 'delete', db: this.name, ns, key });
        }
      }
      return undefined;
    } catch (error) {
      for (const { asked, ns, kept } of deferred) this.keep(asked, ns, kept);
      this.applySoon();
      return error;
    }
  }

  /** Adds removals of `ns` asked at logout count `asked` to those kept for later (a wider one stands for the narrower). */
  private keep(asked: number, ns: string, kept: Kept): void {
    if (asked < this.emptiedAt) return;
    const id = `${asked} ${ns}`;
    const before = this.deferred.get(id)?.kept;
    if (kept === 'prefix' || before === 'prefix') kept = 'prefix';
    else if (kept === 'all' || before === 'all') kept = 'all';
    else {
      const keys = new Set([...(before ?? []), ...kept]);
      kept = keys.size > MOST_DEFERRED ? 'all' : keys;
    }
    this.deferred.set(id, { asked, ns, kept });
  }

  /** A logout counted `count` emptied the database: what was asked before it is moot. */
  emptied(count: number): void {
    this.emptiedAt = Math.max(this.emptiedAt, count);
    for (const [id, { asked }] of this.deferred) if (asked < count) this.deferred.delete(id);
  }

  /** A logout began: names are claimed anew. */
  loggedOut(): void {
    this.claims.clear();
  }

  /**
   * A removal of `key` of `ns` (without `key`, all of it, or of every namespace it starts with
   * `prefix`): kept for later if the database will not open now (a removal of keys by prefix, as
   * one of the whole namespace).
   */
  removal<T>(ns: string, key: string | undefined, prefix: boolean, asked: number, operation: (db: IDBDatabase) => Promise<T>, fallback: T): Promise<T> {
    let done = false;
    // A removal does not wait out the pause after a failed open: it is tried now.
    this.connection.retryNow();
    return this.run(async (db) => {
      // Decided as its transaction is made (a logout's emptying after that is ordered after it):
      // moot once a logout emptied the database since it was asked.
      while (this.emptying) await this.emptying;
      const result = asked < this.emptiedAt ? fallback : await operation(db);
      done = true;
      return result;
    }, fallback).then((result) => {
      if (done || !this.connection.mayRecover) return result;
      this.keep(asked, ns, prefix ? 'prefix' : key === undefined ? 'all' : new Set([key]));
      this.tries = 0;
      this.applySoon();
      return result;
    });
  }

  /**
   * Tries the removals kept for later in the background, a few times (DEFERRED_RETRY_DELAYS_MS)
   * since one was last kept: a page may not live until its next operation.
   */
  private applySoon(): void {
    const delay = DEFERRED_RETRY_DELAYS_MS[this.tries];
    if (delay === undefined || this.trySoon) return;
    this.tries++;
    this.trySoon = true;
    const timer = setTimeout(() => {
      this.trySoon = false;
      if (this.deferred.size === 0) return;
      this.connection.retryNow();
      void this.run(async () => undefined, undefined).then(() => this.deferred.size > 0 && this.applySoon());
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
    const logouts = logoutsBegun;
    const ended = await endedSessions();
    this.upkeepSoon = false;
    const claimed: [string, string][] = [];
    for (const [name, claim] of this.claims) {
      if (!claim[1]) claimed.push([name, claim[0]]);
      claim[1] = true;
    }
    // Names claimed before a logout are not written after it (no namespace of the previous user remains).
    await this.run(async (db) => logoutsBegun === logouts && store.upkeep(db, claimed, ended, config.maxUnusedDays * 86_400_000), undefined);
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
    remove: (key, scope, asked) => (base.claim(ns), base.removal(ns, scope === 'key' ? key : undefined, scope === 'prefix-everywhere', asked, (idb) => store.remove(idb, ns, key, scope), false)),
    clear: (prefix, asked) => (base.claim(ns), base.removal(ns, undefined, prefix, asked, (idb) => store.clear(idb, ns, prefix), undefined)),
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
 * database another tab made meanwhile is emptied by that tab. `count`: the page's logout count,
 * this one included (removals asked before it are moot where it empties the database).
 * @throws (rejects) ClearBlockedError naming the databases that would not open to be emptied
 */
export function logout(count: number, begun: () => void = () => {}): Promise<void> {
  logoutsBegun = count;
  for (const base of databases.values()) base.loggedOut();
  const done = (async () => {
    const emptying = new Map<string, Promise<boolean>>();
    const made: Promise<void>[] = [];
    const empty = (name: string) => {
      if (emptying.has(name)) return;
      let created!: () => void;
      made.push(new Promise((resolve) => (created = resolve)));
      emptying.set(name, emptied(name, count, created));
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
 * Empties database `name` for logout `count`, trying again on a fresh connection after a failure
 * ("Clear site data" closes connections and aborts their transactions): true once it is empty, or
 * gone. `created` is called once its transaction exists (or it gave up).
 */
function emptied(name: string, count: number, created: () => void): Promise<boolean> {
  const base = database(name);
  const emptying = tryEmptying(base, created).then((ok) => {
    if (ok) base.emptied(count);
    if (base.emptying === emptying) base.emptying = undefined;
    return ok;
  });
  base.emptying = emptying;
  return emptying;
}

/** Tries to empty `base` (LOGOUT_RETRY_DELAYS_MS); see emptied. */
async function tryEmptying(base: Database, created: () => void): Promise<boolean> {
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
    return listed !== undefined && !listed.some((info) => info.name === base.name);
  } finally {
    created();
  }
}

/** cachedFetch's secret of database `db`; undefined while it cannot be opened. */
export function secret(db: string): Promise<Uint8Array | undefined> {
  return database(db).run(store.secret, undefined);
}

/** Resolves once every change made so far in this page is committed (or given up: removals kept for later, until their next try). */
export async function flush(): Promise<void> {
  // Removals kept for later are tried now.
  for (const base of databases.values()) if (base.deferred.size > 0) void base.run(async () => undefined, undefined);
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}
