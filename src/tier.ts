import { ExpiryHeap, type Expiring } from './expiry-heap';
import { evictionOrder, type EvictionOrder, type Policy, type PolicyNode } from './policies';
import type { DiskOp, Store, Touch, TouchSource } from './disk/store';
import { isValidRecord, RECORD_FORMAT, type EntryRecord } from './disk/schema';

/** A result with the wall-clock stamps it was stored with. */
export interface Stamped<V = unknown> {
  readonly value: V;
  /** Wall-clock ms when the value was computed. */
  readonly storedAt: number;
  /** Wall-clock ms after which the value is stale (Infinity: never). */
  readonly expiresAt: number;
}

/** One entry of a {@link Tier}: in memory with its value, or (disk tiers) known to be on disk only. */
export interface Entry<V> extends PolicyNode, Expiring {
  /** The memory key; undefined for an entry known only from the disk, until a call names it. */
  key: string | undefined;
  /** The disk key (a hex SHA-256 of the memory key); undefined in a memory-only tier. */
  readonly diskKey: string | undefined;
  /** The value, once in memory. */
  value: V | undefined;
  /** Resolved with `value`; handed out on every hit so that a hit allocates nothing. Undefined while on disk only. */
  promise: Promise<V> | undefined;
  storedAt: number;
  expiresAt: number;
  heapIndex: number;
  /** Uses not yet written to the disk, and the time of the latest. */
  unsavedHits: number;
  usedAt: number;
  /** Who brought the value into memory: a hit by another caller sharing the tier was, for it, a disk hit. */
  owner: unknown;
  /** Calls answered by this entry since it was stored (for src/inspect.ts). */
  hits: number;
}

/** How a tier writes through to one namespace of a cache database. */
export interface DiskBinding {
  readonly store: Store;
  readonly ns: string;
  /** Namespaces whose clear() (in any tab) drops results computed before it; `ns` and maybe a prefix. */
  readonly guards: readonly string[];
  /** The disk key of a memory key. Synchronous, so that a hit on a disk-only entry is ordered at once. */
  readonly diskKeyOf: (key: string) => string;
  /** Names the function in warnings. */
  readonly label: string;
  /** Why a value cannot be stored faithfully, or undefined when it can. */
  readonly unstorable?: (value: unknown) => string | undefined;
  /** Told that a value is kept in memory only. */
  readonly onUnstorable?: (reason: string) => void;
  /** Extra fields of every record written (the session id of per-session entries). */
  readonly extra?: Partial<EntryRecord>;
  /** Told about each delete (its disk key) and clear (undefined) made here, to tell other tabs. */
  readonly onRemoved?: (diskKey: string | undefined) => void;
}

/** Most expired entries removed by one sweep: expiry costs bounded work per call. */
const SWEEP_BATCH = 16;
/** Least time between two sweeps run by the timer. */
const SWEEP_EVERY_MS = 1000;

/** How far in the future a stamp may be before it is taken as a sign that the clock moved back. */
const CLOCK_TOLERANCE_MS = 1000;

/** Whether an entry stamped `storedAt`, stale after `expiresAt`, must no longer be served at `now`. */
export function isExpired(storedAt: number, expiresAt: number, now: number): boolean {
  // An entry stamped in the future means the clock moved back: never trust it.
  return now >= expiresAt || now < storedAt - CLOCK_TOLERANCE_MS;
}

/** The step between two stamps of one millisecond: the finest a double near today's epoch ms holds exactly. */
const STAMP_STEP = 2 ** -11;
let lastStamp = 0;
/**
 * Wall-clock ms, increasing within the page, so that entries stored or used within one
 * millisecond keep their order in the FIFO and LRU indexes instead of falling back to key order.
 * Never more than a millisecond ahead of the clock: past a thousand stamps in one millisecond,
 * stamps tie instead of drifting ahead (and taking fresh entries for ones from the future).
 */
export function orderedNow(): number {
  const now = Date.now();
  lastStamp = Math.max(now, Math.min(lastStamp + STAMP_STEP, now + 1 - STAMP_STEP));
  return lastStamp;
}

/** Keeps later stamps of this page above `stamp`, read back from the disk (a page reloaded within a millisecond). */
function noteStamp(stamp: number): void {
  if (stamp > lastStamp && stamp < Date.now() + 1) lastStamp = stamp;
}

/**
 * The cache of one memoized function (or of functions sharing a disk namespace): a memory tier
 * bounded by `maxItems` with O(1) eviction per `policy`, optionally written through to a disk
 * namespace.
 *
 * The tier contract: `get` (memory, synchronous) / `load` (disk) / `set` / `delete` / `clear`,
 * each a hit counted for eviction on both tiers at once, each entry evicted, deleted or cleared
 * gone from both. Within a page a disk tier answers exactly what a memory-only tier would: changes
 * not yet committed are the truth (reads never see past them), and a bounded disk tier knows every
 * entry of its namespace (loaded once from the eviction index), so one order rules both tiers.
 */
export class Tier<V> implements TouchSource {
  // byKey, byDiskKey and order are read (never written) by src/inspect.ts.
  /** Entries in memory, by memory key. */
  readonly byKey = new Map<string, Entry<V>>();
  /** Disk tiers: every entry known (in memory or on disk only), by disk key. */
  readonly byDiskKey = new Map<string, Entry<V>>();
  readonly order: EvictionOrder;
  private readonly bounded: boolean;
  private readonly tracksUse: boolean;
  private readonly touched = new Set<Entry<V>>();
  /** Disk keys removed while reads were in flight: those reads must not bring them back. */
  private readonly removedDuringReads = new Map<string, number>();
  /** Removals numbered while reads are in flight, and the number each read in flight started at. */
  private removals = 0;
  private readonly readStarts = new Map<number, number>();
  private loading: Promise<void> | undefined;
  /** Entries that expire, soonest first: swept in batches, so expired entries never pile up. */
  private readonly expiring = new ExpiryHeap<Entry<V>>();
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every clear: work started before one must not store its result. */
  generation = 0;
  /** Calls in progress, by memory key: identical calls join them. */
  readonly inflight = new Map<string, Promise<unknown>>();
  /** Told about each entry evicted to make room or because it expired. */
  onEvict: ((entry: Entry<V>) => void) | undefined;

  /**
   * @param maxItems - most entries held at once (Infinity: unbounded)
   * @param policy - which entry to evict when full
   * @param disk - the namespace to write through to; none for a memory-only tier
   */
  constructor(
    readonly maxItems: number,
    readonly policy: Policy,
    readonly disk?: DiskBinding,
  ) {
    this.order = evictionOrder(policy);
    this.bounded = Number.isFinite(maxItems);
    this.tracksUse = disk !== undefined && this.bounded && policy !== 'FIFO';
    if (disk && this.bounded) this.loading = this.loadIndex(disk);
  }

  /** Entries held in memory, expired ones included until they are touched. */
  get size(): number {
    return this.byKey.size;
  }

  /** Whether the tier may be used synchronously (a bounded disk tier reads its index first). */
  get ready(): boolean {
    return this.loading === undefined;
  }

  /** Runs `task` once the tier is ready; tasks given before that run in the order they came. */
  whenReady<T>(task: () => T): T | Promise<Awaited<T>> {
    return this.loading ? this.loading.then(task) as Promise<Awaited<T>> : task();
  }

  /**
   * The live entry in memory under `key`, recorded as used; an expired entry (past its own expiry,
   * or older than the reader's `ttlMs`) is removed and not returned.
   */
  get(key: string, ttlMs = Infinity): Entry<V> | undefined {
    const entry = this.byKey.get(key);
    if (entry === undefined) return undefined;
    const expiresAt = ttlMs === Infinity ? entry.expiresAt : Math.min(entry.expiresAt, entry.storedAt + ttlMs);
    if (expiresAt !== Infinity && isExpired(entry.storedAt, expiresAt, Date.now())) {
      this.evict(entry);
      return undefined;
    }
    this.use(entry);
    return entry;
  }

  /**
   * Records a hit on the disk-only entry of `key`, if there is one: a call joining another's read
   * of it hits it too, as it would hit an entry in memory.
   */
  useOnDisk(key: string): void {
    const disk = this.disk;
    const entry = disk && this.bounded ? this.byDiskKey.get(disk.diskKeyOf(key)) : undefined;
    if (entry && entry.promise === undefined) this.use(entry);
  }

  /**
   * The stored result of `key` on disk (or, for a disk-only entry, its value read back), moved into
   * memory as `owner`'s; undefined on a miss. Valid for `ttlMs` after it was stored (and no longer
   * than its writer said). A disk-only entry is recorded as used before the first await.
   */
  async load(key: string, ttlMs: number, owner: unknown): Promise<Stamped<V> | undefined> {
    const disk = this.disk;
    if (!disk) return undefined;
    const diskKey = disk.diskKeyOf(key);
    const known = this.byDiskKey.get(diskKey);
    if (known) {
      if (isExpired(known.storedAt, Math.min(known.expiresAt, known.storedAt + ttlMs), Date.now())) {
        this.evict(known);
        return undefined;
      }
      this.use(known);
    }
    if (disk.store.shadowed(disk.ns, diskKey)) return undefined;
    const generation = this.generation;
    const started = this.startRead();
    const record = await disk.store.read([disk.ns, diskKey]);
    const removed = (this.removedDuringReads.get(diskKey) ?? -1) >= started || generation !== this.generation;
    this.endRead(started);
    const current = this.byDiskKey.get(diskKey);
    if (!isValidRecord(record, disk.ns, diskKey)) {
      // The disk does not have what the index said: forget it (another tab deleted or evicted it).
      if (current && current === known && current.promise === undefined) this.forget(current);
      return undefined;
    }
    const { storedAt } = record;
    const expiresAt = Math.min(record.expiresAt, storedAt + ttlMs);
    if (isExpired(storedAt, expiresAt, Date.now())) {
      if (current) this.evict(current);
      return undefined;
    }
    const value = record.value as V;
    // Read before a removal that came during the read (its transaction came first): a hit, then gone.
    if (removed || (current === undefined && known !== undefined)) return { value, storedAt, expiresAt };
    if (current?.promise !== undefined) return current as Stamped<V>; // Stored meanwhile by this page.
    if (current === undefined) this.makeRoom(); // Written by another tab.
    const entry = current ?? this.insert(undefined, diskKey, storedAt, expiresAt);
    entry.key = key;
    entry.value = value;
    entry.promise = Promise.resolve(value);
    entry.storedAt = storedAt;
    this.expiring.remove(entry);
    entry.expiresAt = expiresAt;
    this.expires(entry);
    entry.owner = owner;
    this.byKey.set(key, entry);
    return entry as Stamped<V>;
  }

  /**
   * Stores `stamped` under `key` for `owner`, evicting per policy when full, and writes it through
   * to the disk. `startedAt` is when the call that computed it began: another tab's clear or delete
   * after that time wins over this write. Returns the entry, how many entries were evicted, and
   * when the write is committed (or given up).
   */
  set(key: string, stamped: Stamped<V>, owner: unknown, startedAt: number): { entry: Entry<V>; evicted: number; saved: Promise<unknown> } {
    const disk = this.disk;
    const diskKey = disk?.diskKeyOf(key);
    const existing = this.byKey.get(key) ?? (diskKey === undefined ? undefined : this.byDiskKey.get(diskKey));
    if (existing) this.forget(existing);
    this.sweep(SWEEP_BATCH);
    const evicted = this.makeRoom();
    const entry = this.insert(key, diskKey, stamped.storedAt, stamped.expiresAt);
    entry.value = stamped.value;
    entry.promise = Promise.resolve(stamped.value);
    entry.owner = owner;
    this.byKey.set(key, entry);
    let saved: Promise<unknown> = Promise.resolve();
    if (disk && diskKey !== undefined) {
      const reason = disk.unstorable?.(stamped.value);
      if (reason !== undefined) disk.onUnstorable?.(reason);
      else {
        const record: EntryRecord = {
          ns: disk.ns,
          key: diskKey,
          value: stamped.value,
          storedAt: stamped.storedAt,
          expiresAt: stamped.expiresAt,
          accessedAt: stamped.storedAt,
          hits: 1,
          format: RECORD_FORMAT,
          ...disk.extra,
        };
        saved = disk.store.apply({ kind: 'put', record, maxItems: this.maxItems, policy: this.policy, label: disk.label, startedAt, guards: disk.guards });
      }
    }
    return { entry, evicted, saved };
  }

  /** Removes the entry of `key` from memory and disk (leaving a tombstone there); true if there was one. */
  async delete(key: string, at = orderedNow()): Promise<boolean> {
    this.inflight.delete(key);
    const disk = this.disk;
    const diskKey = disk?.diskKeyOf(key);
    const entry = this.byKey.get(key) ?? (diskKey === undefined ? undefined : this.byDiskKey.get(diskKey));
    if (entry) this.forget(entry);
    if (!disk || diskKey === undefined) return entry !== undefined;
    this.removedWhileReading(diskKey);
    const onDisk = await disk.store.apply({ kind: 'delete', ns: disk.ns, key: diskKey, deletedAt: at });
    // Told once committed: a tab told sooner could read the entry back before it is gone.
    disk.onRemoved?.(diskKey);
    return entry !== undefined || onDisk;
  }

  /**
   * Removes every entry from memory and disk, and keeps work in progress from storing. `op` is the
   * disk's clear: by default this namespace's; cachedFetch clears every fetch namespace at once.
   */
  async clear(op?: DiskOp, at = orderedNow()): Promise<void> {
    this.dropAll();
    const disk = this.disk;
    if (!disk) return;
    await disk.store.apply(op ?? { kind: 'clear', prefix: disk.ns, exact: true, at });
    disk.onRemoved?.(undefined);
  }

  /** Forgets every entry and call in progress, without touching the disk (another tab cleared it). */
  dropAll(): void {
    this.generation++;
    this.byKey.clear();
    this.byDiskKey.clear();
    this.order.clear();
    this.touched.clear();
    this.expiring.clear();
    this.inflight.clear();
  }

  /** Forgets the entry of `diskKey`, without touching the disk (another tab deleted it). */
  dropDiskKey(diskKey: string): void {
    const entry = this.byDiskKey.get(diskKey);
    if (entry) this.forget(entry);
    else this.removedWhileReading(diskKey);
    // A call of this page computing it started before the removal: its result is not kept.
    for (const key of this.inflight.keys()) if (this.disk?.diskKeyOf(key) === diskKey) this.inflight.delete(key);
  }

  /** Hands over the uses recorded since the last flush, for the disk's LRU/LFU order. */
  drainTouches(): Touch[] {
    const disk = this.disk;
    const touches: Touch[] = [];
    for (const entry of this.touched) {
      if (disk && entry.diskKey !== undefined && entry.unsavedHits > 0) {
        touches.push({ id: [disk.ns, entry.diskKey], hits: entry.unsavedHits, at: entry.usedAt });
      }
      entry.unsavedHits = 0;
    }
    this.touched.clear();
    return touches;
  }

  private use(entry: Entry<V>): void {
    entry.hits++;
    if (this.bounded) this.order.used(entry);
    if (!this.tracksUse) return;
    entry.unsavedHits++;
    entry.usedAt = orderedNow();
    if (this.touched.size === 0) this.disk!.store.touchLater(this);
    this.touched.add(entry);
  }

  private insert(key: string | undefined, diskKey: string | undefined, storedAt: number, expiresAt: number): Entry<V> {
    const entry: Entry<V> = {
      key,
      diskKey,
      value: undefined,
      promise: undefined,
      storedAt,
      expiresAt,
      heapIndex: -1,
      unsavedHits: 0,
      usedAt: storedAt,
      owner: undefined,
      hits: 0,
      prev: null,
      next: null,
      bucket: null,
    };
    if (this.bounded) this.order.added(entry);
    if (diskKey !== undefined) this.byDiskKey.set(diskKey, entry);
    this.expires(entry);
    return entry;
  }

  /** Puts `entry` in the expiry heap if it expires, and makes sure a sweep will come. */
  private expires(entry: Entry<V>): void {
    if (entry.expiresAt === Infinity) return;
    this.expiring.push(entry);
    if (this.sweepTimer !== undefined) return;
    // The timer holds the tier weakly: a function dropped by the app is still collected.
    const tier = new WeakRef(this);
    const delay = Math.max(SWEEP_EVERY_MS, entry.expiresAt - Date.now());
    this.sweepTimer = setTimeout(() => tier.deref()?.onSweepTimer(), Math.min(delay, 0x7fffffff));
    (this.sweepTimer as { unref?: () => void }).unref?.();
  }

  private onSweepTimer(): void {
    this.sweepTimer = undefined;
    this.sweep(SWEEP_BATCH * 64);
    const next = this.expiring.peek();
    if (next) {
      // Re-arm for what is left.
      this.expiring.remove(next);
      this.expires(next);
    }
  }

  /** Removes up to `most` expired entries, soonest first, from both tiers. */
  private sweep(most: number): void {
    const now = Date.now();
    for (let swept = 0; swept < most; swept++) {
      const next = this.expiring.peek();
      if (!next || next.expiresAt > now) return;
      this.evict(next);
    }
  }

  /** Evicts per policy until there is room for one more entry; returns how many went. */
  private makeRoom(): number {
    if (!this.bounded) return 0;
    let evicted = 0;
    while ((this.disk ? this.byDiskKey.size : this.byKey.size) >= this.maxItems) {
      const victim = this.order.victim() as Entry<V> | null;
      if (!victim) break;
      this.evict(victim);
      evicted++;
    }
    return evicted;
  }

  /** Removes `entry` from memory and, without a tombstone, from disk. */
  private evict(entry: Entry<V>): void {
    this.forget(entry);
    this.onEvict?.(entry);
    const disk = this.disk;
    if (disk && entry.diskKey !== undefined) void disk.store.apply({ kind: 'delete', ns: disk.ns, key: entry.diskKey });
  }

  private forget(entry: Entry<V>): void {
    if (entry.key !== undefined && this.byKey.get(entry.key) === entry) this.byKey.delete(entry.key);
    if (entry.diskKey !== undefined && this.byDiskKey.get(entry.diskKey) === entry) {
      this.byDiskKey.delete(entry.diskKey);
      this.removedWhileReading(entry.diskKey);
    }
    if (this.bounded) this.order.removed(entry);
    this.touched.delete(entry);
    this.expiring.remove(entry);
  }

  private startRead(): number {
    const started = this.removals;
    this.readStarts.set(started, (this.readStarts.get(started) ?? 0) + 1);
    return started;
  }

  private endRead(started: number): void {
    const left = this.readStarts.get(started)! - 1;
    if (left > 0) this.readStarts.set(started, left);
    else this.readStarts.delete(started);
    if (this.readStarts.size === 0) this.removedDuringReads.clear();
    else if (this.removedDuringReads.size > 1024) {
      // Reads keep overlapping: forget the removals that every read in flight started after.
      const oldest = Math.min(...this.readStarts.keys());
      for (const [key, at] of this.removedDuringReads) if (at < oldest) this.removedDuringReads.delete(key);
    }
  }

  /** Notes a removal of `diskKey` for the reads in flight, which must not bring it back. */
  private removedWhileReading(diskKey: string): void {
    if (this.readStarts.size > 0) this.removedDuringReads.set(diskKey, this.removals++);
  }

  /** Reads the namespace's entries, in eviction order, as entries on disk only. */
  private async loadIndex(disk: DiskBinding): Promise<void> {
    const index = await disk.store.index(disk.ns, this.policy);
    for (const { diskKey, storedAt, expiresAt, hits, usedAt } of index) {
      noteStamp(usedAt);
      const entry: Entry<V> = {
        key: undefined,
        diskKey,
        value: undefined,
        promise: undefined,
        storedAt,
        expiresAt,
        heapIndex: -1,
        unsavedHits: 0,
        usedAt,
        owner: undefined,
        hits: Math.max(0, hits - 1), // the disk counts the computation as a use (LFU)
        prev: null,
        next: null,
        bucket: null,
      };
      this.order.restored(entry, hits);
      this.byDiskKey.set(diskKey, entry);
      this.expires(entry);
    }
    this.loading = undefined;
  }
}
