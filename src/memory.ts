import { ExpiryHeap, type Expiring } from './expiry-heap';
import { entriesInOrder, evictionOrder, type EvictionOrder, type Policy, type PolicyNode } from './policies';

/** One result the tier orders: held in memory, or (`cold`) known to be held elsewhere only. */
export interface Entry<V = unknown> extends PolicyNode, Expiring {
  /** The key it is held under in memory (none while cold). */
  key: string;
  /** Whether it is held in memory (else only elsewhere, under `diskKey`). */
  warm: boolean;
  value: V | undefined;
  /** Resolved with `value`: handed out on every hit, so that a hit allocates nothing. Undefined while cold. */
  promise: Promise<V> | undefined;
  /** Wall-clock ms when the value was computed (see {@link pageNow}). */
  storedAt: number;
  /** Wall-clock ms after which it is stale (Infinity: never). */
  expiresAt: number;
  heapIndex: number;
  /** Uses, the computation included. */
  hits: number;
  /** The order of its last use among the tier's (negative for entries known from elsewhere, older than any). */
  lastUse: number;
  /** Wall-clock ms of its last use as stamped for {@link MemoryTier.takeUses}. */
  usedAt: number;
  /** Uses not yet taken by {@link MemoryTier.takeUses}. */
  untaken: number;
  /** Whether it waits in the list of uses to stamp, and in the list of uses to take. */
  unstamped: boolean;
  stamped: boolean;
  /** Set by the owner: where it keeps the entry elsewhere (the disk key). */
  readonly diskKey: string | undefined;
  /** Set by the owner: who stored it (of several sharing the tier). The tier never reads it. */
  owner: unknown;
}

/** An entry held elsewhere, as the tier learns of it: its key there, times and uses. */
export interface Held {
  readonly diskKey: string;
  readonly storedAt: number;
  readonly expiresAt: number;
  readonly hits: number;
}

/** A moment of a tier: the order of a use among its others, and a stamp of this page's time ordered alike. */
export interface Moment {
  readonly tick: number;
  readonly stamp: number;
}

/** An entry read back from elsewhere: its times and uses, and the moment of the call that read it. */
export interface Stored {
  readonly storedAt: number;
  readonly expiresAt: number;
  readonly hits: number;
  readonly at: Moment;
}

/** Uses of an entry to report elsewhere: how many, and the stamp of the last. */
export interface Use {
  readonly diskKey: string;
  readonly hits: number;
  readonly at: number;
}

/** How long a stamp may lie in the future before it is taken as a sign that the clock moved back. */
const CLOCK_TOLERANCE_MS = 1000;

/** Whether an entry stored at `storedAt`, stale after `expiresAt`, must no longer be served at `now`. */
export function isExpired(storedAt: number, expiresAt: number, now: number): boolean {
  return now >= expiresAt || now < storedAt - CLOCK_TOLERANCE_MS;
}

let lastStamp = 0;

/**
 * Wall-clock ms, increasing within the page, so that entries stored or used in one millisecond keep
 * their order; never more than a millisecond ahead of the clock (which may move back).
 */
export function pageNow(): number {
  const now = Date.now();
  return (lastStamp = Math.max(now, Math.min(lastStamp + 2 ** -10, now + 1)));
}

/** Least time between two sweeps of expired entries by the timer. */
const SWEEP_EVERY_MS = 1000;

/**
 * A memory tier: results by key, bounded by `maxItems` with O(1) eviction per `policy`, expiring
 * per entry, with the calls in progress that identical calls join. Its owner may tell it of entries
 * held elsewhere only (`cold`): they take places and are ordered and evicted like the rest, so that
 * one order rules what memory holds and what is held elsewhere. The owner hears of every entry that
 * leaves through `onRemoved`.
 */
export class MemoryTier<V = unknown> {
  /** Entries held in memory, by key. */
  readonly map = new Map<string, Entry<V>>();
  /** Entries held elsewhere only, by their key there. */
  readonly cold = new Map<string, Entry<V>>();
  readonly order: EvictionOrder;
  /** Calls in progress, by key: identical calls join them. */
  readonly inflight = new Map<string, Promise<V>>();
  /** Bumped by every clear: work started before one must not store its result. */
  generation = 0;
  /** Told about each entry that leaves but by clear(): `evicted` when the policy made room, else it expired or was deleted. */
  onRemoved: ((entry: Entry<V>, evicted: boolean) => void) | undefined;
  /** Told when a use is recorded while none waited (when uses are tracked). */
  onFirstUse: (() => void) | undefined;
  private readonly bounded: boolean;
  private readonly expiring = new ExpiryHeap<Entry<V>>();
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;
  /** When uses are tracked: entries used since the last stamping, and those stamped since the last {@link takeUses}. */
  private unstamped: Entry<V>[] = [];
  private stamped: Entry<V>[] = [];
  private uses = 0;

  /**
   * @param maxItems - most entries held (Infinity: unbounded)
   * @param policy - which entry to evict when full
   * @param tracksUses - whether uses are recorded for {@link takeUses} (an owner that keeps LRU/LFU order elsewhere)
   */
  constructor(
    readonly maxItems: number,
    readonly policy: Policy,
    private readonly tracksUses = false,
  ) {
    this.order = evictionOrder(policy);
    this.bounded = maxItems !== Infinity;
  }

  /** Entries held in memory. */
  get size(): number {
    return this.map.size;
  }

  /** The live entry of `key`, recorded as used; an expired one leaves and is not returned. No clock is read for entries that never expire. */
  get(key: string): Entry<V> | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== Infinity && isExpired(entry.storedAt, entry.expiresAt, Date.now())) {
      this.remove(entry, false);
      return undefined;
    }
    this.use(entry);
    return entry;
  }

  /** The moment of a call (see {@link Stored}): the uses recorded so far are stamped before it. */
  moment(): Moment {
    this.stampUses();
    return { tick: ++this.uses, stamp: pageNow() };
  }

  /** Learns of entries held elsewhere only, given in eviction order: older than any of this tier's. */
  know(held: readonly Held[]): void {
    held.forEach((found, i) => {
      if (this.cold.has(found.diskKey)) return;
      const entry = this.entry(undefined, undefined, found.storedAt, found.expiresAt, found.hits, i - held.length, found.diskKey, undefined);
      this.cold.set(found.diskKey, entry);
      if (this.bounded) this.order.promoted(entry);
      this.expires(entry);
    });
  }

  /** Records a use, made at `at`, of the entry held elsewhere under `diskKey`; false if the tier does not know it (or it expired). */
  useCold(diskKey: string, at: Moment): boolean {
    const entry = this.cold.get(diskKey);
    if (!entry) return false;
    if (isExpired(entry.storedAt, entry.expiresAt, Date.now())) {
      this.remove(entry, false);
      return false;
    }
    this.order.removed(entry);
    entry.hits++;
    entry.lastUse = at.tick;
    entry.usedAt = at.stamp;
    this.order.promoted(entry);
    this.track(entry, true);
    return true;
  }

  /**
   * Stores `value` under `key` for `owner`, valid for `ttlMs`, evicting per policy when full. An
   * entry read back from elsewhere (`stored`) takes the place the tier knew it by, or a free one
   * (placed by its times and the moment of its call: else it is not kept, and undefined is
   * returned). Returns the entry and the entries evicted to make room.
   */
  set(key: string, value: V, owner: unknown, ttlMs: number, diskKey?: string, stored?: Stored): { entry: Entry<V> | undefined; evicted: Entry<V>[] } {
    const existing = this.map.get(key);
    if (existing) this.remove(existing, false);
    this.sweep(16);
    const known = diskKey === undefined ? undefined : this.cold.get(diskKey);
    if (stored && known) {
      // Its use was recorded by useCold(): it only warms up, in its place.
      this.cold.delete(diskKey!);
      Object.assign(known, { key, value, promise: Promise.resolve(value), owner, warm: true });
      this.map.set(key, known);
      return { entry: known, evicted: [] };
    }
    if (known) this.remove(known, false);
    const evicted: Entry<V>[] = [];
    if (stored && this.bounded && this.count() >= this.maxItems) return { entry: undefined, evicted };
    while (this.bounded && this.count() >= this.maxItems) {
      const victim = this.order.victim() as Entry<V> | null;
      if (!victim) break;
      this.remove(victim, true);
      evicted.push(victim);
    }
    // Uses made before this entry came are stamped before it, so that every order agrees.
    const now = this.stampUses();
    const storedAt = stored?.storedAt ?? now;
    const entry = this.entry(key, value, storedAt, stored?.expiresAt ?? storedAt + ttlMs, stored ? stored.hits + 1 : 1, stored?.at.tick ?? ++this.uses, diskKey, owner);
    entry.usedAt = stored?.at.stamp ?? now;
    this.map.set(key, entry);
    if (this.bounded) {
      if (stored) this.order.promoted(entry);
      else this.order.added(entry);
    }
    if (stored) this.track(entry, true);
    this.expires(entry);
    return { entry, evicted };
  }

  /** Removes the entry of `key` and the call in progress for it; the entry, if there was one. */
  delete(key: string): Entry<V> | undefined {
    this.inflight.delete(key);
    const entry = this.map.get(key);
    if (entry) this.remove(entry, false);
    return entry;
  }

  /** Forgets the entry held elsewhere under `diskKey` (removed there). */
  deleteCold(diskKey: string): void {
    const entry = this.cold.get(diskKey);
    if (entry) this.remove(entry, false);
  }

  /** Forgets every entry and call in progress: work started before must not store its result. */
  clear(): void {
    this.generation++;
    this.map.clear();
    this.cold.clear();
    this.order.clear();
    this.expiring.clear();
    this.inflight.clear();
    this.unstamped = [];
    this.stamped = [];
  }

  /**
   * The uses of entries since the last call, in the order of each entry's last one, stamped with
   * times of this page ({@link pageNow}). Empty unless uses are tracked.
   */
  takeUses(): Use[] {
    this.stampUses();
    const taken: Use[] = [];
    for (const entry of this.stamped) {
      const held = entry.warm ? this.map.get(entry.key) === entry : this.cold.get(entry.diskKey!) === entry;
      if (held && entry.diskKey !== undefined) taken.push({ diskKey: entry.diskKey, hits: entry.untaken, at: entry.usedAt });
      entry.untaken = 0;
      entry.stamped = false;
    }
    this.stamped = [];
    return taken;
  }

  /** Entries in eviction order, next victim first, cold ones included (unbounded: in storing order). For the inspector: O(n). */
  entries(): Entry<V>[] {
    if (!this.bounded) return [...this.map.values()];
    return entriesInOrder(this.order) as Entry<V>[];
  }

  private count(): number {
    return this.map.size + this.cold.size;
  }

  private entry(key: string | undefined, value: V | undefined, storedAt: number, expiresAt: number, hits: number, lastUse: number, diskKey: string | undefined, owner: unknown): Entry<V> {
    return {
      key: key ?? '',
      warm: key !== undefined,
      value,
      promise: key === undefined ? undefined : Promise.resolve(value as V),
      storedAt,
      expiresAt,
      heapIndex: -1,
      hits,
      lastUse,
      usedAt: storedAt,
      untaken: 0,
      unstamped: false,
      stamped: false,
      diskKey,
      owner,
      prev: null,
      next: null,
      bucket: null,
    };
  }

  private use(entry: Entry<V>): void {
    entry.hits++;
    if (!this.bounded) return;
    entry.lastUse = ++this.uses;
    this.order.used(entry);
    this.track(entry, false);
  }

  /** Records an untaken use of `entry`, stamped already (a use made at a known moment) or to be stamped. */
  private track(entry: Entry<V>, stamped: boolean): void {
    if (!this.tracksUses) return;
    entry.untaken++;
    if (stamped) this.stampedUse(entry);
    else if (!entry.unstamped) {
      entry.unstamped = true;
      this.unstamped.push(entry);
    }
    if (this.unstamped.length + this.stamped.length === 1) this.onFirstUse?.();
  }

  /** Lists `entry` among those whose uses are stamped (once). */
  private stampedUse(entry: Entry<V>): void {
    if (entry.stamped) return;
    entry.stamped = true;
    this.stamped.push(entry);
  }

  /** Stamps the uses made so far in the order of each entry's last one (kept for {@link takeUses}); returns a stamp after them. */
  private stampUses(): number {
    if (this.unstamped.length > 0) {
      this.unstamped.sort((a, b) => a.lastUse - b.lastUse);
      for (const entry of this.unstamped) {
        entry.usedAt = pageNow();
        entry.unstamped = false;
        this.stampedUse(entry);
      }
      this.unstamped = [];
    }
    return pageNow();
  }

  private remove(entry: Entry<V>, evicted: boolean): void {
    if (entry.warm) this.map.delete(entry.key);
    else this.cold.delete(entry.diskKey!);
    if (this.bounded) this.order.removed(entry);
    this.expiring.remove(entry);
    this.onRemoved?.(entry, evicted);
  }

  private expires(entry: Entry<V>): void {
    if (entry.expiresAt === Infinity) return;
    this.expiring.push(entry);
    if (this.sweepTimer !== undefined) return;
    // Held weakly by the timer, and never keeping a Node process alive: nobody awaits it.
    const tier = new WeakRef(this);
    const delay = Math.min(Math.max(SWEEP_EVERY_MS, entry.expiresAt - Date.now()), 0x7fffffff);
    this.sweepTimer = setTimeout(() => tier.deref()?.onSweepTimer(), delay);
    (this.sweepTimer as { unref?: () => void }).unref?.();
  }

  private onSweepTimer(): void {
    this.sweepTimer = undefined;
    this.sweep(1024);
    const next = this.expiring.peek();
    if (next) {
      this.expiring.remove(next);
      this.expires(next);
    }
  }

  /** Removes up to `most` expired entries, soonest first. */
  private sweep(most: number): void {
    const now = Date.now();
    for (let swept = 0; swept < most; swept++) {
      const next = this.expiring.peek();
      if (!next || next.expiresAt > now) return;
      this.remove(next, false);
    }
  }
}
