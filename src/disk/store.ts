import { WIPE_BLIND_MS } from '../registry';
import { warnOnce } from '../warn';
import type { Policy } from '../policies';
import { describeError, errorName, quiet, type CacheDatabase, type Connection } from './connection';
import { unwrap, type IDBPTransaction } from 'idb';
import { EVICTION_INDEX, type CacheDB, type EntryRecord, type NamespaceRecord } from './schema';

/** A change to the database, applied in the order it was queued. */
export type DiskOp =
  | {
      readonly kind: 'put';
      readonly record: EntryRecord;
      readonly maxItems: number;
      readonly policy: Policy;
      /** Names the function in warnings. */
      readonly label: string;
      /** Wall-clock ms when the call that produced the record began: a clear or delete after it wins. */
      readonly startedAt: number;
      /** Namespaces whose clear after `startedAt` drops this write (its own, and the fetch prefix). */
      readonly guards: readonly string[];
    }
  | {
      readonly kind: 'delete';
      readonly ns: string;
      readonly key: string;
      /** Wall-clock ms of a user's delete(), which leaves a tombstone; absent for an eviction. */
      readonly deletedAt?: number;
    }
  /** Removes every entry whose namespace starts with `prefix` (exactly `prefix` when `exact`). */
  | { readonly kind: 'clear'; readonly prefix: string; readonly exact: boolean; readonly at: number };

/** An entry of a namespace as its indexes tell it, without its value. */
export interface IndexedEntry {
  readonly diskKey: string;
  readonly storedAt: number;
  readonly expiresAt: number;
  /** LFU only: its uses (1 under other policies). */
  readonly hits: number;
  /** Its last use known to the disk (its storing time under FIFO). */
  readonly usedAt: number;
}

/** Uses of stored entries recorded since the last flush. */
export interface Touch {
  readonly id: [string, string];
  readonly hits: number;
  /** Wall-clock ms of the latest use. */
  readonly at: number;
}

/** Something that records uses cheaply and hands them over, with their ids, when asked. */
export interface TouchSource {
  drainTouches(): Touch[];
}

interface PendingRead {
  readonly id: [string, string];
  readonly resolve: (record: unknown) => void;
}

interface Queued {
  readonly op: DiskOp;
  /** Told whether the op changed anything (a delete: whether there was an entry). */
  readonly done: (changed: boolean) => void;
  /** Failed attempts so far. */
  failures?: number;
}

/** How long before changes that could not be written are tried again. */
const RETRY_MS = 1000;
/** A result is given up after this many failed attempts; a removal never is. */
const MOST_PUT_ATTEMPTS = 3;
/** Past this many changes waiting to be tried again, evictions among them are let go. */
const MOST_RETRIED_CHANGES = 1000;

/** How long a tombstone keeps work started before a delete() from being stored. */
export const TOMBSTONE_MS = 24 * 60 * 60 * 1000;

/** Warns once per function that one of its results is kept in memory only, and why. */
export function warnUnstorable(label: string, reason: string): void {
  warnOnce('UNSTORABLE_RESULT', `clone:${label}`, `a result of ${label} cannot be stored in IndexedDB (${reason}); it is kept in memory only`);
}

/** Most expired entries and tombstones deleted from the disk by one sweep. */
const DISK_SWEEP_BATCH = 200;
/** Least time between two sweeps of expired entries on disk. */
const DISK_SWEEP_EVERY_MS = 60_000;

/** How often batched access times and hit counts of memory hits reach the disk when nothing else is written. */
const TOUCH_FLUSH_MS = 2000;

/** Range of every key of namespace `ns` in the entries store and in its `[ns, …]` indexes. */
export function namespaceRange(ns: string): IDBKeyRange {
  // Arrays sort after every number and string, so [ns, []] is above every [ns, …] key.
  return IDBKeyRange.bound([ns], [ns, []]);
}

/** Range of every `[ns, …]` key whose namespace starts with `prefix`. */
function prefixRange(prefix: string): IDBKeyRange {
  return IDBKeyRange.bound([prefix], [`${prefix}\uffff`, []]);
}

/** Keeps a timer from holding a Node process open. */
function unref(timer: ReturnType<typeof setTimeout>): ReturnType<typeof setTimeout> {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * Batched access to one cache database. Reads issued together share one readonly transaction.
 * Changes (puts, deletes, clears) are queued and applied in the order they were made, each batch
 * in one readwrite transaction, together with the hits recorded since the last batch; hits alone
 * are flushed every few seconds and when the page is hidden. Never one write per hit.
 */
export class Store {
  private reads: PendingRead[] = [];
  private queue: Queued[] = [];
  private flushing: Promise<void> | undefined;
  private readonly touchSources = new Set<TouchSource>();
  private touchTimer: ReturnType<typeof setTimeout> | undefined;
  private lastSweep = 0;
  /** Deletes and evictions not yet committed, by `ns`, NUL, key: reads of them are misses. */
  private readonly pendingDeletes = new Map<string, number>();
  /** Results not yet committed, by namespace and key: the latest of each. */
  private readonly pendingPuts = new Map<string, EntryRecord>();
  /** Clears not yet committed. */
  private readonly pendingClears = new Set<DiskOp & { kind: 'clear' }>();
  /** Set while changes that failed wait to be tried again: nothing after them may be written first. */
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** How many times pending work was discarded because the database was wiped. */
  private wipes = 0;
  /**
   * Set while a wipe is about to delete the database, whose records belong before it: reads see
   * nothing and opens of the database wait, until the deletion is under way (or `WIPE_BLIND_MS` passed).
   */
  private wipe: Promise<void> | undefined;
  private endWipe: (() => void) | undefined;

  constructor(readonly connection: Connection) {
    if (typeof addEventListener === 'function') {
      const flush = () => void this.flush();
      addEventListener('pagehide', flush);
      addEventListener('visibilitychange', () => {
        if (typeof document !== 'undefined' && document.visibilityState === 'hidden') flush();
      });
    }
  }

  /**
   * The stored record under `id` (unvalidated), or undefined. Never rejects. Reads queued within
   * one microtask share a transaction, created before any later write's.
   */
  read(id: [string, string]): Promise<unknown> {
    // A result queued by another tier of this page (a wrapper of the same name with other bounds) is already the truth.
    const queued = this.pendingPuts.get(`${id[0]}\u0000${id[1]}`);
    if (queued || this.wipe) return Promise.resolve(queued);
    return new Promise((resolve) => {
      if (this.reads.push({ id, resolve }) === 1) queueMicrotask(() => void this.flushReads());
    });
  }

  /**
   * Queues `op`; resolves once it is committed (true if it changed something) or given up. Never
   * rejects. Until a delete or clear is committed, {@link shadowed} says so for what it removes,
   * and one that fails is tried again later (the database may come back): a removal is never lost.
   */
  apply(op: DiskOp): Promise<boolean> {
    this.shadow(op, 1);
    return new Promise((done) => this.enqueue({ op, done }));
  }

  /** Whether a delete or clear not yet committed removes entry `key` of namespace `ns`: a read of it would see the past. */
  shadowed(ns: string, key: string): boolean {
    if (this.pendingDeletes.has(`${ns}\u0000${key}`)) return true;
    for (const clear of this.pendingClears) if (clear.exact ? ns === clear.prefix : ns.startsWith(clear.prefix)) return true;
    return false;
  }

  private enqueue(queued: Queued): void {
    if (this.retryTimer) return this.enqueueWhileFailing(queued);
    if (this.queue.push(queued) === 1) unref(setTimeout(() => void this.flush(), 0));
  }

  /**
   * While earlier changes wait to be tried again (the disk failing), a new one is settled at once
   * (false: not written yet) and waits with them, in order; a removal takes the place of the queued
   * changes it makes moot, so that a disk that never comes back does not pile them up.
   */
  private enqueueWhileFailing({ op, done }: Queued): void {
    done(false);
    if (op.kind !== 'put') {
      // Never the very same change (one clear may be applied twice: its shadow would go with it).
      const moot = this.queue.filter(({ op: earlier }) => earlier !== op && covers(op, earlier));
      for (const queued of moot) {
        this.shadow(queued.op, -1);
        queued.done(false); // queued while a batch was being written, it may not be settled yet
      }
      this.queue = this.queue.filter((queued) => !moot.includes(queued));
    }
    this.queue.push({ op, done: () => {} });
  }

  private shadow(op: DiskOp, delta: 1 | -1): void {
    if (op.kind === 'put') {
      const id = `${op.record.ns}\u0000${op.record.key}`;
      if (delta > 0) this.pendingPuts.set(id, op.record);
      else if (this.pendingPuts.get(id) === op.record) this.pendingPuts.delete(id);
    } else if (op.kind === 'clear') {
      if (delta > 0) this.pendingClears.add(op);
      else this.pendingClears.delete(op);
    } else if (op.kind === 'delete') {
      const id = `${op.ns}\u0000${op.key}`;
      const left = (this.pendingDeletes.get(id) ?? 0) + delta;
      if (left > 0) this.pendingDeletes.set(id, left);
      else this.pendingDeletes.delete(id);
    }
  }

  /** Resolves once every change and hit queued so far is committed (or given up). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    // Failed changes wait to be tried again (kept in memory meanwhile): a disk failing for a while does not hold callers.
    if (this.retryTimer) return;
    if (this.queue.length === 0 && this.touchSources.size === 0 && this.lastSweep !== 0) return;
    const flushing = this.flushBatch();
    this.flushing = flushing;
    await flushing;
    this.flushing = undefined;
    if (this.queue.length > 0) await this.flush();
  }

  /**
   * Drops the changes and hits not yet flushed, after clearCaches() deleted the database:
   * flushing them would bring it back with results the user meant to wipe.
   */
  discardPending(): void {
    this.wipes++;
    this.pendingPuts.clear(); // those of a batch being written too: it is dropped
    for (const { op, done } of this.queue.splice(0)) {
      this.shadow(op, -1);
      done(false);
    }
    this.touchSources.clear();
    clearTimeout(this.touchTimer);
    this.touchTimer = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /**
   * A wipe is about to delete the database: until {@link deletionBegun} (or `WIPE_BLIND_MS`), reads
   * see nothing and opens of the database wait, since what they would find belongs before it.
   */
  holdForWipe(): void {
    this.endWipe?.();
    this.wipe = new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        if (this.endWipe === end) this.wipe = this.endWipe = undefined;
        resolve();
      };
      const timer = unref(setTimeout(end, WIPE_BLIND_MS));
      this.endWipe = end;
    });
    this.connection.holdUntil(this.wipe);
  }

  /**
   * The wipe's deletion of the database is over (this page's), or has begun (another page's: an
   * open made from now on waits for it): reads and opens reach the database again.
   */
  deletionBegun(): void {
    this.endWipe?.();
  }

  /** Resolves once the batch being written, if any, is done (never rejects). */
  settled(): Promise<void> {
    return this.flushing ?? Promise.resolve();
  }

  /** Deletes a batch of expired entries and tombstones soon (the database was just opened). */
  sweepSoon(): void {
    this.lastSweep = 0;
    this.touchTimer ??= unref(setTimeout(() => void this.flush(), 0));
  }

  /** Asks `source` for its recorded uses at the next flush. */
  touchLater(source: TouchSource): void {
    this.touchSources.add(source);
    this.touchTimer ??= unref(setTimeout(() => void this.flush(), TOUCH_FLUSH_MS));
  }

  /** The entries of `ns` in `policy`'s eviction order, without their values; none while the disk is unavailable. */
  index(ns: string, policy: Policy): Promise<IndexedEntry[]> {
    if (this.wipe) return Promise.resolve([]);
    return this.connection.run(async (db) => {
      const tx = db.transaction('entries', 'readonly');
      quiet(tx.done);
      const lives = new Map<string, IndexedEntry>();
      let cursor = await tx.store.index('byStored').openKeyCursor(namespaceRange(ns));
      for (; cursor; cursor = await cursor.continue()) {
        const [, storedAt, expiresAt] = cursor.key;
        lives.set(cursor.primaryKey[1], { diskKey: cursor.primaryKey[1], storedAt, expiresAt, hits: 1, usedAt: storedAt });
      }
      if (policy === 'FIFO') return [...lives.values()];
      const ordered: IndexedEntry[] = [];
      let byUse = await tx.store.index(EVICTION_INDEX[policy]).openKeyCursor(namespaceRange(ns));
      for (; byUse; byUse = await byUse.continue()) {
        const life = lives.get(byUse.primaryKey[1]);
        const [, first, second] = byUse.key as [string, number, number?];
        if (life) ordered.push(policy === 'LFU' ? { ...life, hits: first, usedAt: second ?? life.storedAt } : { ...life, usedAt: first });
      }
      return ordered;
    }, [], undefined, false);
  }

  private async flushReads(): Promise<void> {
    const batch = this.reads;
    this.reads = [];
    const answered = await this.connection.run((db) => readBatch(unwrap(db), batch), false, undefined, false);
    if (!answered) for (const { resolve } of batch) resolve(undefined);
  }

  private async flushBatch(): Promise<void> {
    clearTimeout(this.touchTimer);
    this.touchTimer = undefined;
    const batch = this.queue;
    this.queue = [];
    const touches = [...this.touchSources].flatMap((source) => source.drainTouches());
    this.touchSources.clear();
    const results = new Array<boolean>(batch.length).fill(false);
    const committed = new Array<boolean>(batch.length).fill(false);
    let quotaHit = false;
    const onError = (error: unknown) => {
      if (errorName(error) === 'QuotaExceededError') quotaHit = true;
      else warnOnce('WRITE_FAILED', `write:${this.connection.name}`, `could not write to IndexedDB "${this.connection.name}" (${describeError(error)})`);
    };
    const ops = batch.map(({ op }) => op);
    const sweep = Date.now() - this.lastSweep > DISK_SWEEP_EVERY_MS;
    if (sweep) this.lastSweep = Date.now();
    // The database may turn out to have been wiped while this batch waited (found when it reopens):
    // then the batch is dropped with the rest of what was pending.
    const wipes = this.wipes;
    const unlessWiped = (write: (db: CacheDatabase) => Promise<boolean>) => (db: CacheDatabase) => (this.wipes === wipes ? write(db) : Promise.resolve(false));
    // Only a result creates the database: removals, hits and sweeps of a database that is gone have nothing to do.
    const creates = ops.some((op) => op.kind === 'put');
    const written = await this.connection.run(unlessWiped((db) => writeBatch(db, ops, touches, results, sweep)), false, onError, creates);
    // No database to remove from: the removals are done.
    if (!written && !creates && this.connection.missing) committed.fill(true);
    if (this.wipes !== wipes) {
      for (const { op, done } of batch) {
        this.shadow(op, -1);
        done(false);
      }
      return;
    }
    if (written) committed.fill(true);
    if (!written && quotaHit) {
      // Out of quota: drop this library's least valuable entries, then retry each change once on
      // its own, so that one result too big for the quota does not keep the others off the disk.
      await this.connection.run((db) => makeRoom(db, ops), undefined);
      for (const [i, op] of ops.entries()) {
        quotaHit = false;
        const one = [false];
        committed[i] = await this.connection.run(unlessWiped((db) => writeBatch(db, [op], [], one)), false, onError, op.kind === 'put');
        results[i] = one[0]!;
        if (quotaHit && op.kind === 'put') {
          warnOnce('QUOTA_EXCEEDED', `quota:${op.label}`, `storage quota exceeded in "${this.connection.name}"; a result of ${op.label} is kept in memory only`);
        }
      }
    }
    // What was not written is tried again later, in order and before anything newer: a removal
    // until it is written (reads of what it removes stay misses meanwhile), a result a few times.
    const again: Queued[] = [];
    batch.forEach((queued, i) => {
      const { op } = queued;
      const failures = (queued.failures ?? 0) + 1;
      const keep = !committed[i] && this.connection.mayRecover && (op.kind !== 'put' || failures < MOST_PUT_ATTEMPTS);
      queued.done(results[i]!);
      if (keep) again.push({ op, done: () => {}, failures });
      else this.shadow(op, -1);
    });
    if (again.length === 0) return;
    if (again.length > MOST_RETRIED_CHANGES) {
      // A database that stays out of reach (never opens here): evictions would pile up with every
      // call. They are let go (the disk evicts by the same bound when a result is next written);
      // a user's delete() or clear() is kept until written.
      const evictions = again.filter(({ op }) => op.kind === 'delete' && op.deletedAt === undefined);
      for (const { op } of evictions) this.shadow(op, -1);
      again.splice(0, again.length, ...again.filter((queued) => !evictions.includes(queued)));
    }
    this.queue.unshift(...again);
    this.retryTimer = unref(
      setTimeout(
        () => {
          this.retryTimer = undefined;
          void this.flush();
        },
        // Not before the connection may open again (after a failed open, it waits a few seconds).
        Math.max(RETRY_MS, this.connection.reopensIn),
      ),
    );
  }
}

/** Whether removal `op` makes the earlier change `earlier` moot: what `earlier` wrote or removed, `op` removes. */
function covers(op: DiskOp & { kind: 'delete' | 'clear' }, earlier: DiskOp): boolean {
  const ns = earlier.kind === 'put' ? earlier.record.ns : earlier.kind === 'delete' ? earlier.ns : undefined;
  if (op.kind === 'delete') {
    const key = earlier.kind === 'put' ? earlier.record.key : earlier.kind === 'delete' ? earlier.key : undefined;
    // An eviction leaves no tombstone: it never stands in for a user's delete().
    const weaker = earlier.kind === 'put' || earlier.kind === 'delete' && (earlier.deletedAt === undefined || op.deletedAt !== undefined);
    return ns === op.ns && key === op.key && weaker;
  }
  if (earlier.kind === 'clear') return op.exact ? earlier.exact && earlier.prefix === op.prefix : earlier.prefix.startsWith(op.prefix);
  return ns !== undefined && (op.exact ? ns === op.prefix : ns.startsWith(op.prefix));
}

/**
 * A namespace is swept (one getAll of all its entries) instead of read entry by entry when a batch
 * asks for at least this many of its entries, and for at least half of what it holds: each get is
 * a round trip, while a sweep returns everything at once (100 gets take 4 to 5 times as long as a
 * getAll of 100 entries in Chromium; a getAll of 900 as long as 100 gets or more).
 */
const SWEEP_MIN_READS = 16;

/**
 * Answers `batch` from one readonly transaction, each read as soon as its request succeeds. The
 * raw API, not idb's wrappers: this is the path of every disk hit, and the wrappers cost there.
 */
function readBatch(db: IDBDatabase, batch: readonly PendingRead[]): Promise<boolean> {
  return new Promise((resolve, reject) => {
    // Only a batch that may sweep needs the namespace counts in its scope.
    const tx = db.transaction(batch.length >= SWEEP_MIN_READS ? ['entries', 'namespaces'] : 'entries', 'readonly');
    const entries = tx.objectStore('entries');
    let left = batch.length;
    const answer = (read: PendingRead, record: unknown) => {
      read.resolve(record);
      if (--left === 0) resolve(true);
    };
    const getEach = (reads: readonly PendingRead[]) => {
      for (const read of reads) {
        const request = entries.get(read.id);
        request.onsuccess = () => answer(read, request.result);
      }
    };
    const sweep = (ns: string, reads: readonly PendingRead[]) => {
      const counted = tx.objectStore('namespaces').get(ns);
      counted.onsuccess = () => {
        const held: unknown = (counted.result as NamespaceRecord | undefined)?.count;
        const most = reads.length * 2;
        if (typeof held !== 'number' || !(held <= most)) return getEach(reads);
        // Capped, in case the count is behind: a full sweep leaves the reads it did not find to single gets.
        const swept = entries.getAll(namespaceRange(ns), most);
        swept.onsuccess = () => {
          const records = swept.result as EntryRecord[];
          const byKey = new Map(records.map((record) => [record.key, record]));
          const unfound: PendingRead[] = [];
          for (const read of reads) {
            const record = byKey.get(read.id[1]);
            if (record === undefined && records.length === most) unfound.push(read);
            else answer(read, record);
          }
          getEach(unfound);
        };
      };
    };
    for (const [ns, reads] of groupByNamespace(batch)) {
      if (reads.length >= SWEEP_MIN_READS) sweep(ns, reads);
      else getEach(reads);
    }
    tx.onabort = tx.onerror = () => reject(tx.error ?? new DOMException('The read transaction was aborted', 'AbortError'));
  });
}

function groupByNamespace(batch: readonly PendingRead[]): Map<string, PendingRead[]> {
  const groups = new Map<string, PendingRead[]>();
  for (const read of batch) {
    const group = groups.get(read.id[0]);
    if (group) group.push(read);
    else groups.set(read.id[0], [read]);
  }
  return groups;
}

/** A transaction over the entries, their tombstones, their namespace counts and the sessions. */
type WriteTx = IDBPTransaction<CacheDB, ('entries' | 'tombstones' | 'namespaces' | 'sessions')[], 'readwrite'>;

const WRITE_SCOPE = ['entries', 'tombstones', 'namespaces', 'sessions'] as const;

/**
 * Applies `ops` in order, then `touches`, in one transaction; `results[i]` tells whether op `i`
 * changed something. All or nothing: a half-applied batch must not commit.
 */
async function writeBatch(db: CacheDatabase, ops: readonly DiskOp[], touches: readonly Touch[], results: boolean[], sweep = false): Promise<boolean> {
  const tx = db.transaction([...WRITE_SCOPE], 'readwrite');
  quiet(tx.done);
  try {
    for (const [i, op] of ops.entries()) results[i] = await applyOp(tx, op);
    for (const touch of touches) await applyTouch(tx, touch);
    if (sweep) await sweepExpired(tx);
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // Already aborted by the failure itself.
    }
    throw error;
  }
  await tx.done;
  return true;
}

function applyOp(tx: WriteTx, op: DiskOp): Promise<boolean> {
  switch (op.kind) {
    case 'put':
      return putOne(tx, op);
    case 'delete':
      return deleteOne(tx, op.ns, op.key, op.deletedAt);
    case 'clear':
      return clearAll(tx, op.prefix, op.exact, op.at);
  }
}

/** Marks the clears and deletions of this page (of this instance of the library). */
const PAGE = Math.random().toString(36).slice(2);

/**
 * Whether a removal stamped `at` by page `by` may have come after a call started at `startedAt`.
 * This page's stamps are strictly ordered; another page's stamps share only the clock, so within a
 * millisecond of another tab's removal a call counts as started before it.
 */
function removedSince(at: number, by: string | undefined, startedAt: number): boolean {
  return by === PAGE ? at > startedAt : at + 1 > startedAt;
}

async function putOne(tx: WriteTx, { record, maxItems, policy, label, startedAt, guards }: DiskOp & { kind: 'put' }): Promise<boolean> {
  const id: [string, string] = [record.ns, record.key];
  for (const guard of guards) {
    const cleared = await tx.objectStore('namespaces').get(guard);
    if (typeof cleared?.clearedAt === 'number' && removedSince(cleared.clearedAt, cleared.by, startedAt)) return false;
  }
  const tombstones = tx.objectStore('tombstones');
  const tombstone = await tombstones.get(id);
  if (tombstone && removedSince(tombstone.deletedAt, tombstone.by, startedAt)) return false;
  if (tombstone) quiet(tombstones.delete(id));
  const entries = tx.objectStore('entries');
  const existed = (await entries.count(id)) > 0;
  if (!existed && Number.isFinite(maxItems)) {
    let count = await countOf(tx, record.ns);
    // The page evicts for each new entry itself (its deletes come first): a full namespace here means
    // other tabs wrote, or a damaged count. Count again before evicting anything.
    if (count >= maxItems) count = await recount(tx, record.ns);
    if (count >= maxItems) await evict(tx, record.ns, policy, count - maxItems + 1);
  }
  try {
    quiet(entries.put(record));
  } catch (error) {
    if (errorName(error) === 'QuotaExceededError') throw error;
    // A value structured clone refuses (DataCloneError, or a RangeError for one nested too deep)
    // throws synchronously and leaves the transaction usable: skip this record only.
    warnUnstorable(label, describeError(error));
    return false;
  }
  if (!existed) await adjustCount(tx, record.ns, 1);
  // Every write of a per-session entry registers its session, so it is purged once it ends (after a clearCaches() too).
  if (record.session !== undefined) quiet(tx.objectStore('sessions').put({ id: record.session, seenAt: Date.now() }));
  return true;
}

async function deleteOne(tx: WriteTx, ns: string, key: string, deletedAt: number | undefined): Promise<boolean> {
  const id: [string, string] = [ns, key];
  const entries = tx.objectStore('entries');
  const existed = (await entries.count(id)) > 0;
  if (existed) {
    quiet(entries.delete(id));
    await adjustCount(tx, ns, -1);
  }
  if (deletedAt !== undefined) quiet(tx.objectStore('tombstones').put({ ns, key, deletedAt, by: PAGE, expiresAt: deletedAt + TOMBSTONE_MS }));
  return existed;
}

async function clearAll(tx: WriteTx, prefix: string, exact: boolean, at: number): Promise<boolean> {
  const range = exact ? namespaceRange(prefix) : prefixRange(prefix);
  quiet(tx.objectStore('entries').delete(range));
  quiet(tx.objectStore('tombstones').delete(range));
  const namespaces = tx.objectStore('namespaces');
  if (!exact) quiet(namespaces.delete(IDBKeyRange.bound(prefix, `${prefix}\uffff`)));
  await namespaces.put({ ns: prefix, count: 0, clearedAt: at, by: PAGE });
  return true;
}

/** Deletes a bounded batch of expired entries (of every namespace) and tombstones, oldest first, through their `expiresAt` indexes. */
async function sweepExpired(tx: WriteTx): Promise<void> {
  const expired = IDBKeyRange.upperBound(Date.now(), true);
  const counts = new Map<string, number>();
  let entry = await tx.objectStore('entries').index('byExpires').openCursor(expired);
  for (let n = 0; entry && n < DISK_SWEEP_BATCH; n++, entry = await entry.continue()) {
    counts.set(entry.value.ns, (counts.get(entry.value.ns) ?? 0) + 1);
    quiet(entry.delete());
  }
  for (const [ns, removed] of counts) await adjustCount(tx, ns, -removed);
  let tombstone = await tx.objectStore('tombstones').index('byExpires').openCursor(expired);
  for (let n = 0; tombstone && n < DISK_SWEEP_BATCH; n++, tombstone = await tombstone.continue()) quiet(tombstone.delete());
}

async function applyTouch(tx: WriteTx, { id, hits, at }: Touch): Promise<void> {
  const entries = tx.objectStore('entries');
  const record = await entries.get(id);
  if (!record) return;
  record.hits += hits;
  record.accessedAt = Math.max(record.accessedAt, at);
  quiet(entries.put(record));
}

/** Deletes the `count` least valuable entries of `ns` per `policy`, walking its index from the start. */
async function evict(tx: WriteTx, ns: string, policy: Policy, count: number): Promise<void> {
  let cursor = await tx.objectStore('entries').index(EVICTION_INDEX[policy]).openCursor(namespaceRange(ns));
  let removed = 0;
  while (cursor && removed < count) {
    quiet(cursor.delete());
    removed++;
    cursor = await cursor.continue();
  }
  if (removed > 0) await adjustCount(tx, ns, -removed);
}

/** Frees space for `ops` after a QuotaExceededError: a tenth (at least one) of each namespace written. */
async function makeRoom(db: CacheDatabase, ops: readonly DiskOp[]): Promise<void> {
  const tx = db.transaction([...WRITE_SCOPE], 'readwrite');
  quiet(tx.done);
  const policies = new Map<string, Policy>();
  for (const op of ops) if (op.kind === 'put') policies.set(op.record.ns, op.policy);
  for (const [ns, policy] of policies) {
    await evict(tx, ns, policy, Math.max(1, Math.ceil((await countOf(tx, ns)) / 10)));
  }
  await tx.done;
}

/**
 * The number of entries of `ns`: the kept count when it is a whole number, else (a damaged or
 * missing record) counted again, and the count repaired.
 */
async function countOf(tx: WriteTx, ns: string): Promise<number> {
  const kept: unknown = (await tx.objectStore('namespaces').get(ns))?.count;
  if (typeof kept === 'number' && Number.isSafeInteger(kept) && kept >= 0) return kept;
  return recount(tx, ns);
}

async function recount(tx: WriteTx, ns: string): Promise<number> {
  const count = await tx.objectStore('entries').count(namespaceRange(ns));
  const record = await tx.objectStore('namespaces').get(ns);
  await tx.objectStore('namespaces').put({ ...record, ns, count });
  return count;
}

async function adjustCount(tx: WriteTx, ns: string, delta: number): Promise<void> {
  const record = await tx.objectStore('namespaces').get(ns);
  const kept: unknown = record?.count;
  const count = typeof kept === 'number' && Number.isSafeInteger(kept) && kept >= 0 ? Math.max(0, kept + delta) : await tx.objectStore('entries').count(namespaceRange(ns));
  await tx.objectStore('namespaces').put({ ...record, ns, count });
}
