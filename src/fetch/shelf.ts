import { config } from '../config';
import { announceRemoval, listenForRemovals } from '../disk/cross-tab';
import { quiet } from '../disk/connection';
import { orderedNow, storeFor } from '../disk/disk-tier';
import { isValidRecord, RECORD_FORMAT } from '../disk/schema';
import type { Store, Touch, TouchSource } from '../disk/store';
import { MemoryTier } from '../memory-tier';
import { registerCache } from '../registry';
import { varyDigest } from './key';
import type { ResolvedFetchOptions } from './options';
import type { CacheStatus, StoredResponse } from './response';

/** What a shared network request produced: a stored response, or a response that was not stored. */
export type Source = StoredResponse | Response;

/**
 * The responses of one storage configuration (database, bound and policy), shared by every
 * cachedFetch instance with that configuration in this page.
 */
export interface Shelf extends TouchSource {
  readonly db: string;
  /** Namespace of the entry records: `idb-memo:fetch@1`, then `/<maxItems><policy>` when bounded. */
  readonly ns: string;
  /** The database's store; undefined when memory-only. */
  readonly store: Store | undefined;
  readonly memory: MemoryTier<StoredResponse>;
  /**
   * Network requests in progress, by flight key (see requestKeys). A clear leaves them running (and
   * joinable: their answers are fresh), but they no longer store what they get.
   */
  readonly inflight: Map<string, Promise<Source>>;
  /** Hits since the last flush, by key, for the disk's LRU/LFU order; undefined when nothing tracks them. */
  readonly touches: Map<string, Use> | undefined;
  /** Bumped by every clear, so that a response arriving after one is not stored. */
  generation: number;
}

/** Uses of one entry since the last flush. */
type Use = { -readonly [K in keyof Touch]: Touch[K] };

/** A stored response found for a request. */
export interface Found {
  readonly stored: StoredResponse;
  readonly from: CacheStatus;
}

/** Namespace prefix of every fetch entry (the format of the stored form included). */
const PREFIX = 'idb-memo:fetch@1';
const shelves = new Map<string, Shelf>();

/** The shelf of options `o` (its database is `o.cachePath` or, at the time of the call, `config.cachePath`). */
export function shelfFor(o: ResolvedFetchOptions): Shelf {
  const db = o.toDisk ? (o.cachePath ?? config.cachePath) : '';
  const bounded = Number.isFinite(o.maxItems);
  const ns = PREFIX + (bounded ? `/${o.maxItems}${o.policy}` : '');
  // `ns` has no space, so the first space ends it.
  const id = `${ns} ${db}`;
  let shelf = shelves.get(id);
  if (!shelf) {
    const touches = db && bounded && o.policy !== 'FIFO' ? new Map<string, Use>() : undefined;
    const made: Shelf = (shelf = {
      db,
      ns,
      store: db ? storeFor(db) : undefined,
      memory: new MemoryTier(o.maxItems, o.policy),
      inflight: new Map(),
      touches,
      generation: 0,
      // Only called after touch() asked for it, so `touches` is there.
      async drainTouches(): Promise<Touch[]> {
        const batch = [...touches!.values()];
        touches!.clear();
        return batch;
      },
    });
    shelves.set(id, made);
    // Fetch entries are only ever cleared whole (a removal message for one key clears all, too).
    const clear = () => forget(made);
    const removals = { clear, delete: clear };
    registerCache(made, clear);
    if (db) {
      listenForRemovals(db, ns, removals);
      listenForRemovals(db, PREFIX, removals);
    }
  }
  return shelf;
}

/** Empties the shelf's memory tier, and keeps the requests in progress from storing their answers. */
function forget(shelf: Shelf): void {
  shelf.generation++;
  shelf.memory.clear();
  shelf.touches?.clear();
}

/** The stored response for `key`, from memory or disk, if its `Vary` headers match `request`'s. */
export async function lookup(shelf: Shelf, key: string, request: Request, o: ResolvedFetchOptions): Promise<Found | undefined> {
  const { store, ns, memory } = shelf;
  let stored = memory.get(key)?.value;
  let from: CacheStatus = 'memory';
  if (!stored && store) {
    const generation = shelf.generation;
    const record = await store.read([ns, key]);
    if (!isValidRecord(record, ns, key)) return undefined;
    const value = record.value as StoredResponse<ArrayBuffer>;
    // A Blob in memory: later hits make responses without copying the bytes.
    stored = { ...value, body: new Blob([value.body]) };
    from = 'disk';
    if (generation === shelf.generation) remember(shelf, key, stored);
  }
  if (!stored || !o.cacheable(stored.status) || stored.varyDigest !== (await varyDigest(stored.vary, request.headers))) return undefined;
  touch(shelf, key);
  return { stored, from };
}

/** Keeps `stored` in the memory tier. */
function remember(shelf: Shelf, key: string, stored: StoredResponse): void {
  // Expiry is decided on each read, from `time` and the reader's ttl: expired entries still answer when offline.
  shelf.memory.set(key, stored, Promise.resolve(stored), stored.time, Infinity);
}

/** Records a hit of `key` for the disk's LRU/LFU order, written in a batch later. */
function touch(shelf: Shelf, key: string): void {
  const { touches, store } = shelf;
  if (!touches) return;
  const use = touches.get(key) ?? { id: [shelf.ns, key], hits: 0, at: 0 };
  use.hits++;
  use.at = orderedNow();
  touches.set(key, use);
  store!.touchLater(shelf);
}

/** Keeps `stored` under `key`: in memory at once, on disk behind (a too-big body only warns). */
export function save(shelf: Shelf, key: string, stored: StoredResponse, o: ResolvedFetchOptions): void {
  const { store, ns } = shelf;
  remember(shelf, key, stored);
  if (!store) return;
  void stored.body.arrayBuffer().then((body) =>
    store.write({
      record: {
        ns,
        key,
        value: { ...stored, body },
        storedAt: stored.time,
        expiresAt: stored.time + o.ttlMs,
        accessedAt: stored.time,
        hits: 1,
        format: RECORD_FORMAT,
      },
      maxItems: o.maxItems,
      policy: o.policy,
      label: 'cachedFetch',
    }),
  );
}

/** Removes the responses of `shelf`, here, on disk and in other tabs' memory. */
export async function clearShelf(shelf: Shelf): Promise<void> {
  forget(shelf);
  if (!shelf.store) return;
  announceRemoval({ type: 'clear', db: shelf.db, ns: shelf.ns });
  await shelf.store.clear(shelf.ns);
}

/**
 * Removes every response stored by {@link cachedFetch} and {@link createCachedFetch} instances, of
 * any options, in `config.cachePath` and every database used by an instance in this page, here
 * and in other tabs' memory. `clearCaches()` clears these too, with everything else.
 */
export async function clearFetchCache(): Promise<void> {
  const dbs = new Set([config.cachePath]);
  for (const shelf of shelves.values()) {
    forget(shelf);
    if (shelf.db) dbs.add(shelf.db);
  }
  await Promise.all(
    [...dbs].map((db) => {
      announceRemoval({ type: 'clear', db, ns: PREFIX });
      return storeFor(db).connection.run(async (idb) => {
        const tx = idb.transaction(['entries', 'namespaces'], 'readwrite');
        quiet(tx.done);
        quiet(tx.objectStore('entries').delete(IDBKeyRange.bound([PREFIX], [`${PREFIX}\uffff`])));
        quiet(tx.objectStore('namespaces').delete(IDBKeyRange.bound(PREFIX, `${PREFIX}\uffff`)));
        await tx.done;
      }, undefined);
    }),
  );
}
