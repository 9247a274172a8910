import { ExpiryHeap, type Expiring } from './expiry-heap';
import { entriesInOrder, evictionOrder, type EvictionOrder, type Policy, type PolicyNode } from './policies';

/** One result held in memory. */
export interface Entry<V = unknown> extends PolicyNode, Expiring {
  readonly key: string;
  readonly value: V;
  /** Resolved with `value`: handed out on every hit, so that a hit allocates nothing. */
  readonly promise: Promise<V>;
  /** Wall-clock ms when the value was computed (see {@link pageNow}). */
  storedAt: number;
  /** Wall-clock ms after which it is stale (Infinity: never). */
  expiresAt: number;
  heapIndex: number;
  /** Uses, the computation included. */
  hits: number;
  /** Wall-clock ms of its last use as stamped (see {@link MemoryTier.takeUses}); its storing time until then. */
  usedAt: number;
  /** Uses not yet taken by {@link MemoryTier.takeUses}, and the order of the last one. */
  untaken: number;
  lastUse: number;
  /** Whether it waits in the list of uses to stamp, and in the list of uses to take. */
  unstamped: boolean;
  stamped: boolean;
  /** Set by the owner: where it keeps the entry elsewhere (the disk key). The tier never reads it. */
  readonly diskKey: string | undefined;
  /** Set by the owner: who stored it (of several sharing the tier). The tier never reads it. */
  owner: unknown;
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

/** Wall-clock ms, strictly increasing within the page: entries stored or used in one millisecond keep their order. */
export function pageNow(): number {
  return (lastStamp = Math.max(Date.now(), lastStamp + 2 ** -10));
}

/** Least time between two sweeps of expired entries by the timer. */
const SWEEP_EVERY_MS = 1000;

/**
 * A memory tier: results by key, bounded by `maxItems` with O(1) eviction per `policy`, expiring
 * per entry, with the calls in progress that identical calls join. It knows nothing of where else
 * its owner keeps results; the owner hears of every entry that leaves through `onRemoved`.
 */
export class MemoryTier<V = unknown> {
  readonly map = new Map<string, Entry<V>>();
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

  /**
   * Stores `value` under `key` for `owner`, valid for `ttlMs`, evicting per policy when full. A
   * `stored` entry read back from elsewhere keeps its times and uses, and counts as used now.
   * Returns the entry and the entries evicted to make room.
   */
  set(
    key: string,
    value: V,
    owner: unknown,
    ttlMs: number,
    diskKey?: string,
    stored?: { readonly storedAt: number; readonly expiresAt: number; readonly hits: number },
  ): { entry: Entry<V>; evicted: Entry<V>[] } {
    const existing = this.map.get(key);
    if (existing) this.remove(existing, false);
    this.sweep(16);
    const evicted: Entry<V>[] = [];
    while (this.bounded && this.map.size >= this.maxItems) {
      const victim = this.order.victim() as Entry<V> | null;
      if (!victim) break;
      this.remove(victim, true);
      evicted.push(victim);
    }
    // Uses made before this entry came are stamped before it, so that every order agrees.
    const now = this.stampUses();
    const storedAt = stored?.storedAt ?? now;
    const expiresAt = stored?.expiresAt ?? storedAt + ttlMs;
    const entry: Entry<V> = {
      key,
      value,
      promise: Promise.resolve(value),
      storedAt,
      expiresAt,
      heapIndex: -1,
      hits: stored ? stored.hits + 1 : 1,
      usedAt: now,
      untaken: stored ? 1 : 0,
      lastUse: ++this.uses,
      unstamped: false,
      stamped: !!stored && this.tracksUses,
      diskKey,
      owner,
      prev: null,
      next: null,
      bucket: null,
    };
    this.map.set(key, entry);
    if (this.bounded) {
      if (stored) this.order.promoted(entry);
      else this.order.added(entry);
    }
    if (stored && this.tracksUses && this.stamped.push(entry) === 1 && !this.unstamped.length) this.onFirstUse?.();
    if (expiresAt !== Infinity) this.expires(entry);
    return { entry, evicted };
  }

  /** Removes the entry of `key` and the call in progress for it; the entry, if there was one. */
  delete(key: string): Entry<V> | undefined {
    this.inflight.delete(key);
    const entry = this.map.get(key);
    if (entry) this.remove(entry, false);
    return entry;
  }

  /** Forgets every entry and call in progress: work started before must not store its result. */
  clear(): void {
    this.generation++;
    this.map.clear();
    this.order.clear();
    this.expiring.clear();
    this.inflight.clear();
    this.unstamped = [];
    this.stamped = [];
  }

  /**
   * The uses of entries since the last call, in the order of each entry's last use, stamped with
   * times of this page ({@link pageNow}). Empty unless uses are tracked.
   */
  takeUses(): Use[] {
    this.stampUses();
    const taken: Use[] = [];
    for (const entry of this.stamped) {
      if (this.map.get(entry.key) === entry && entry.diskKey !== undefined) taken.push({ diskKey: entry.diskKey, hits: entry.untaken, at: entry.usedAt });
      entry.untaken = 0;
      entry.stamped = false;
    }
    this.stamped = [];
    return taken;
  }

  /** Entries in eviction order, next victim first (unbounded: in storing order). For the inspector: O(n). */
  entries(): Entry<V>[] {
    if (!this.bounded) return [...this.map.values()];
    return entriesInOrder(this.order) as Entry<V>[];
  }

  private use(entry: Entry<V>): void {
    entry.hits++;
    if (this.bounded) this.order.used(entry);
    if (!this.tracksUses) return;
    entry.untaken++;
    entry.lastUse = ++this.uses;
    if (!entry.unstamped) {
      entry.unstamped = true;
      if (this.unstamped.push(entry) === 1 && !this.stamped.length) this.onFirstUse?.();
    }
  }

  /** Stamps the uses made so far in the order of each entry's last one (kept for {@link takeUses}); returns a stamp after them. */
  private stampUses(): number {
    if (this.unstamped.length > 0) {
      this.unstamped.sort((a, b) => a.lastUse - b.lastUse);
      for (const entry of this.unstamped) {
        entry.usedAt = pageNow();
        entry.unstamped = false;
        if (!entry.stamped) this.stamped.push(entry);
        entry.stamped = true;
      }
      this.unstamped = [];
    }
    return pageNow();
  }

  private remove(entry: Entry<V>, evicted: boolean): void {
    this.map.delete(entry.key);
    if (this.bounded) this.order.removed(entry);
    this.expiring.remove(entry);
    this.onRemoved?.(entry, evicted);
  }

  private expires(entry: Entry<V>): void {
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
