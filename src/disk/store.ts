import { warnOnce } from '../warn';
import type { Policy } from '../policies';
import { describeError, errorName, quiet, type CacheDatabase, type Connection } from './connection';
import { unwrap, type IDBPTransaction } from 'idb';
import { EVICTION_INDEX, type CacheDB, type EntryRecord, type NamespaceRecord } from './schema';

/** A record to write, with the bounds of its namespace. */
export interface PendingWrite {
  readonly record: EntryRecord;
  readonly maxItems: number;
  readonly policy: Policy;
  /** Names the function in warnings. */
  readonly label: string;
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
  drainTouches(): Promise<Touch[]>;
}

interface PendingRead {
  readonly id: [string, string];
  readonly resolve: (record: unknown) => void;
}

/** Warns once per function that one of its results is kept in memory only, and why. */
export function warnUnstorable(label: string, reason: string): void {
  warnOnce(`clone:${label}`, `a result of ${label} cannot be stored in IndexedDB (${reason}); it is kept in memory only`);
}

/** How often batched access times and hit counts of memory hits reach the disk. */
const TOUCH_FLUSH_MS = 2000;

/** Range of every key of namespace `ns` in the entries store and in its `[ns, …]` indexes. */
export function namespaceRange(ns: string): IDBKeyRange {
  // Arrays sort after every number and string, so [ns, []] is above every [ns, …] key.
  return IDBKeyRange.bound([ns], [ns, []]);
}

/**
 * Batched access to one cache database: reads issued together share one readonly transaction,
 * writes issued together share one readwrite transaction, and access bookkeeping of hits is
 * flushed every few seconds (and when the page is hidden) instead of one write per hit.
 */
export class Store {
  private reads: PendingRead[] = [];
  private reading = false;
  private writes: PendingWrite[] = [];
  private writesDone: (() => void)[] = [];
  private touchSources = new Set<TouchSource>();
  private touchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly connection: Connection) {
    if (typeof addEventListener === 'function') {
      const flush = () => void this.flushTouches();
      addEventListener('pagehide', flush);
      addEventListener('visibilitychange', () => {
        if (typeof document !== 'undefined' && document.visibilityState === 'hidden') flush();
      });
    }
  }

  /**
   * The stored record under `id` (unvalidated), or undefined. Never rejects. A read waits at most
   * for the current microtask; reads that arrive while a read transaction is running share the next.
   */
  read(id: [string, string]): Promise<unknown> {
    return new Promise((resolve) => {
      if (this.reads.push({ id, resolve }) === 1 && !this.reading) queueMicrotask(() => void this.flushReads());
    });
  }

  /** Queues `write`; resolves once it is committed or skipped. Never rejects. */
  write(write: PendingWrite): Promise<void> {
    return new Promise((resolve) => {
      this.writes.push(write);
      this.writesDone.push(resolve);
      if (this.writes.length === 1) setTimeout(() => void this.flushWrites(), 0);
    });
  }

  /**
   * Drops the writes and access bookkeeping not yet flushed, after clearCaches() deleted the
   * database: flushing them would bring it back with results the user meant to wipe.
   */
  discardPending(): void {
    this.writes = [];
    for (const resolve of this.writesDone.splice(0)) resolve();
    this.touchSources.clear();
    clearTimeout(this.touchTimer);
    this.touchTimer = undefined;
  }

  /** Asks `source` for its recorded uses at the next flush of access bookkeeping. */
  touchLater(source: TouchSource): void {
    this.touchSources.add(source);
    this.touchTimer ??= setTimeout(() => void this.flushTouches(), TOUCH_FLUSH_MS);
  }

  /** Deletes the entry under `id`; resolves true if there was one. */
  delete(id: [string, string]): Promise<boolean> {
    return this.connection.run(async (db) => {
      const tx = db.transaction(['entries', 'namespaces'], 'readwrite');
      quiet(tx.done);
      const existed = (await tx.objectStore('entries').count(id)) > 0;
      if (existed) {
        await tx.objectStore('entries').delete(id);
        await adjustCount(tx, id[0], -1);
      }
      await tx.done;
      return existed;
    }, false);
  }

  /** Deletes every entry of namespace `ns`. */
  clear(ns: string): Promise<void> {
    return this.connection.run(async (db) => {
      const tx = db.transaction(['entries', 'namespaces'], 'readwrite');
      quiet(tx.done);
      quiet(tx.objectStore('entries').delete(namespaceRange(ns)));
      quiet(tx.objectStore('namespaces').delete(ns));
      await tx.done;
    }, undefined);
  }

  private async flushReads(): Promise<void> {
    this.reading = true;
    while (this.reads.length > 0) {
      const batch = this.reads;
      this.reads = [];
      const answered = await this.connection.run((db) => readBatch(unwrap(db), batch), false);
      if (!answered) for (const { resolve } of batch) resolve(undefined);
    }
    this.reading = false;
  }

  private async flushWrites(): Promise<void> {
    const batch = this.writes;
    const done = this.writesDone;
    this.writes = [];
    this.writesDone = [];
    let quotaHit = false;
    const onError = (error: unknown) => {
      if (errorName(error) === 'QuotaExceededError') quotaHit = true;
      else warnOnce(`write:${this.connection.name}`, `could not write to IndexedDB "${this.connection.name}" (${describeError(error)})`);
    };
    const written = await this.connection.run((db) => writeBatch(db, batch), false, onError);
    if (!written && quotaHit) {
      // Out of quota: drop this library's least valuable entries, then retry each write once on its
      // own, so that one result too big for the quota does not keep the others off the disk.
      await this.connection.run((db) => makeRoom(db, batch), undefined);
      for (const write of batch) {
        quotaHit = false;
        await this.connection.run((db) => writeBatch(db, [write]), false, onError);
        if (quotaHit) {
          warnOnce(`quota:${write.label}`, `storage quota exceeded in "${this.connection.name}"; a result of ${write.label} is kept in memory only`);
        }
      }
    }
    for (const resolve of done) resolve();
  }

  /** Writes batched access times and hit counts; entries gone meanwhile are skipped. */
  async flushTouches(): Promise<void> {
    clearTimeout(this.touchTimer);
    this.touchTimer = undefined;
    const sources = [...this.touchSources];
    this.touchSources.clear();
    const batch = (await Promise.all(sources.map((source) => source.drainTouches()))).flat();
    if (batch.length === 0) return;
    await this.connection.run(async (db) => {
      const tx = db.transaction('entries', 'readwrite');
      quiet(tx.done);
      await Promise.all(
        batch.map(async ({ id, hits, at }) => {
          const record = await tx.store.get(id);
          if (!record) return;
          record.hits += hits;
          record.accessedAt = Math.max(record.accessedAt, at);
          await tx.store.put(record);
        }),
      );
      await tx.done;
    }, undefined);
  }
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
        const held = (counted.result as NamespaceRecord | undefined)?.count;
        const most = reads.length * 2;
        if (held === undefined || held > most) return getEach(reads);
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

/** A transaction over the entries and their namespace counts. */
type WriteTx = IDBPTransaction<CacheDB, ('entries' | 'namespaces')[], 'readwrite'>;

/** Writes `batch` in one transaction, evicting per policy so that no namespace exceeds its bound. */
async function writeBatch(db: CacheDatabase, batch: readonly PendingWrite[]): Promise<boolean> {
  const tx = db.transaction(['entries', 'namespaces'], 'readwrite');
  quiet(tx.done);
  try {
    for (const write of batch) await writeOne(tx, write);
  } catch (error) {
    // All or nothing: a half-written batch must not commit.
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

async function writeOne(tx: WriteTx, { record, maxItems, policy, label }: PendingWrite): Promise<void> {
  const entries = tx.objectStore('entries');
  const existed = (await entries.count([record.ns, record.key])) > 0;
  if (!existed && Number.isFinite(maxItems)) {
    const count = await countOf(tx, record.ns);
    if (count >= maxItems) await evict(tx, record.ns, policy, count - maxItems + 1);
  }
  try {
    quiet(entries.put(record));
  } catch (error) {
    if (errorName(error) === 'QuotaExceededError') throw error;
    // A value structured clone refuses (DataCloneError, or a RangeError for one nested too deep)
    // throws synchronously and leaves the transaction usable: skip this record only.
    warnUnstorable(label, describeError(error));
    return;
  }
  if (!existed) await adjustCount(tx, record.ns, 1);
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

/** Frees space for `batch` after a QuotaExceededError: a tenth (at least one) of each namespace involved. */
async function makeRoom(db: CacheDatabase, batch: readonly PendingWrite[]): Promise<void> {
  const tx = db.transaction(['entries', 'namespaces'], 'readwrite');
  quiet(tx.done);
  const policies = new Map<string, Policy>();
  for (const { record, policy } of batch) policies.set(record.ns, policy);
  for (const [ns, policy] of policies) {
    await evict(tx, ns, policy, Math.max(1, Math.ceil((await countOf(tx, ns)) / 10)));
  }
  await tx.done;
}

async function countOf(tx: WriteTx, ns: string): Promise<number> {
  return (await tx.objectStore('namespaces').get(ns))?.count ?? 0;
}

async function adjustCount(tx: WriteTx, ns: string, delta: number): Promise<void> {
  const count = Math.max(0, (await countOf(tx, ns)) + delta);
  await tx.objectStore('namespaces').put({ ns, count });
}
