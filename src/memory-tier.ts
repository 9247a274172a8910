import { evictionOrder, type EvictionOrder, type Policy, type PolicyNode } from './policies';

/** One memoized result held in memory. */
export interface MemoryEntry<V> extends PolicyNode {
  readonly key: string;
  readonly value: V;
  /** Resolved with `value`; handed out on every hit so that a hit allocates nothing. */
  readonly promise: Promise<V>;
  /** Wall-clock ms when the entry was stored. */
  readonly storedAt: number;
  /** Wall-clock ms after which the entry is stale (Infinity: never). */
  readonly expiresAt: number;
}

/** How far in the future a stamp may be before it is taken as a sign that the clock moved back. */
const CLOCK_TOLERANCE_MS = 1000;

/** Whether an entry stamped `storedAt`, stale after `expiresAt`, must no longer be served at `now`. */
export function isExpired(storedAt: number, expiresAt: number, now: number): boolean {
  // An entry stamped in the future means the clock moved back: never trust it.
  return now >= expiresAt || now < storedAt - CLOCK_TOLERANCE_MS;
}

/**
 * The memory tier: a string-keyed map bounded by `maxItems` with O(1) eviction per `policy`,
 * and lazy expiry of entries past their TTL.
 */
export class MemoryTier<V> {
  private readonly entries = new Map<string, MemoryEntry<V>>();
  private readonly order: EvictionOrder;
  private readonly tracksOrder: boolean;

  /**
   * @param maxItems - most entries held at once (Infinity: unbounded)
   * @param policy - which entry to evict when full
   * @param onEvict - told about each entry evicted to make room
   */
  constructor(
    private readonly maxItems: number,
    policy: Policy,
    private readonly onEvict: (entry: MemoryEntry<V>) => void = () => {},
  ) {
    this.order = evictionOrder(policy);
    this.tracksOrder = Number.isFinite(maxItems);
  }

  /** Number of entries held, expired ones included until they are touched. */
  get size(): number {
    return this.entries.size;
  }

  /** The live entry under `key`, recorded as used; an expired entry is dropped and not returned. */
  get(key: string): MemoryEntry<V> | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== Infinity && isExpired(entry.storedAt, entry.expiresAt, Date.now())) {
      this.delete(key);
      return undefined;
    }
    if (this.tracksOrder) this.order.used(entry);
    return entry;
  }

  /** Stores `value` under `key`, evicting per policy if the tier is full. */
  set(key: string, value: V, promise: Promise<V>, storedAt: number, expiresAt: number): MemoryEntry<V> {
    this.delete(key);
    const entry: MemoryEntry<V> = { key, value, promise, storedAt, expiresAt, prev: null, next: null, bucket: null };
    if (this.tracksOrder) {
      while (this.entries.size >= this.maxItems) {
        const victim = this.order.victim() as MemoryEntry<V> | null;
        if (!victim) break;
        this.delete(victim.key);
        this.onEvict(victim);
      }
      this.order.added(entry);
    }
    this.entries.set(key, entry);
    return entry;
  }

  /** Removes the entry under `key`; true if there was one. */
  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    if (this.tracksOrder) this.order.removed(entry);
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.entries.clear();
    this.order.clear();
  }
}
