import { LinkedList, type Linked } from './linked-list';

/** Which entry an eviction removes when a bounded cache is full. */
export type Policy = 'LRU' | 'LFU' | 'FIFO';

/** The fields an eviction policy keeps on each entry, and the two it reads. */
export interface PolicyNode extends Linked<PolicyNode> {
  /** LFU only: the frequency bucket the entry sits in. */
  bucket: FrequencyBucket | null;
  /** When the entry was first stored (FIFO order of an entry read back from storage). */
  readonly storedAt: number;
  /** Its uses so far, the computation included (LFU bucket of an entry read back from storage). */
  readonly hits: number;
}

interface FrequencyBucket extends Linked<FrequencyBucket> {
  readonly hits: number;
  readonly entries: LinkedList<PolicyNode>;
}

/** Orders entries for eviction. Every method is O(1): no sorting, no scans. */
export interface EvictionOrder {
  /** Records a new entry. */
  added(node: PolicyNode): void;
  /**
   * Records an entry read back from storage and used now: where its `storedAt` (FIFO) or its
   * `hits` (LFU) puts it, as the most recently used of its peers. O(n) at worst, for FIFO and
   * LFU only: once per disk hit, never per memory hit.
   */
  promoted(node: PolicyNode): void;
  /** Records a hit on an entry. */
  used(node: PolicyNode): void;
  /** Forgets an entry. */
  removed(node: PolicyNode): void;
  /** The entry to evict next, if any. */
  victim(): PolicyNode | null;
  /** Forgets every entry. */
  clear(): void;
}

/** First in, first out: hits do not change the order. */
class FifoOrder implements EvictionOrder {
  /** Read by {@link entriesInOrder}. */
  readonly list = new LinkedList<PolicyNode>();
  added(node: PolicyNode): void {
    this.list.append(node);
  }
  promoted(node: PolicyNode): void {
    let after = this.list.tail;
    while (after && after.storedAt > node.storedAt) after = after.prev;
    if (after) this.list.insertAfter(after, node);
    else this.list.prepend(node);
  }
  used(_node: PolicyNode): void {}
  removed(node: PolicyNode): void {
    this.list.remove(node);
  }
  victim(): PolicyNode | null {
    return this.list.head;
  }
  clear(): void {
    this.list.clear();
  }
}

/** Least recently used: a hit moves the entry to the safe end. */
class LruOrder extends FifoOrder {
  override promoted(node: PolicyNode): void {
    this.list.append(node);
  }
  override used(node: PolicyNode): void {
    this.list.moveToTail(node);
  }
}

/**
 * Least frequently used, with ties broken by least recent use: entries sit in buckets of equal hit
 * count, and the buckets form a list in increasing count, so the victim is the oldest entry of the
 * first bucket (the O(1) LFU scheme of Shah, Mitra and Matani).
 */
class LfuOrder implements EvictionOrder {
  /** Read by {@link entriesInOrder}. */
  readonly buckets = new LinkedList<FrequencyBucket>();

  added(node: PolicyNode): void {
    const first = this.buckets.head;
    if (first && first.hits === 1) return this.enter(first, node);
    // A new entry has the fewest hits of all, so its bucket goes first.
    const bucket = newBucket(1);
    this.buckets.prepend(bucket);
    this.enter(bucket, node);
  }

  promoted(node: PolicyNode): void {
    const hits = Math.max(1, node.hits);
    let before = this.buckets.tail;
    while (before && before.hits > hits) before = before.prev;
    if (before?.hits === hits) return this.enter(before, node);
    const bucket = newBucket(hits);
    if (before) this.buckets.insertAfter(before, bucket);
    else this.buckets.prepend(bucket);
    this.enter(bucket, node);
  }

  used(node: PolicyNode): void {
    const current = node.bucket;
    if (!current) return;
    const following = current.next;
    let target: FrequencyBucket;
    if (following && following.hits === current.hits + 1) target = following;
    else {
      target = newBucket(current.hits + 1);
      this.buckets.insertAfter(current, target);
    }
    this.leave(node);
    this.enter(target, node);
  }

  removed(node: PolicyNode): void {
    this.leave(node);
  }

  victim(): PolicyNode | null {
    return this.buckets.head?.entries.head ?? null;
  }

  clear(): void {
    this.buckets.clear();
  }

  private enter(bucket: FrequencyBucket, node: PolicyNode): void {
    bucket.entries.append(node);
    node.bucket = bucket;
  }

  private leave(node: PolicyNode): void {
    const bucket = node.bucket;
    if (!bucket) return;
    bucket.entries.remove(node);
    node.bucket = null;
    if (!bucket.entries.head) this.buckets.remove(bucket);
  }
}

function newBucket(hits: number): FrequencyBucket {
  return { hits, entries: new LinkedList<PolicyNode>(), prev: null, next: null };
}

/** Makes the eviction order for `policy`. */
export function evictionOrder(policy: Policy): EvictionOrder {
  switch (policy) {
    case 'LRU':
      return new LruOrder();
    case 'LFU':
      return new LfuOrder();
    case 'FIFO':
      return new FifoOrder();
  }
}

/**
 * The entries of `order`, next victim first (for src/inspect.ts; O(n), never called by a cache).
 */
export function entriesInOrder(order: EvictionOrder): PolicyNode[] {
  const out: PolicyNode[] = [];
  if (order instanceof FifoOrder) {
    for (let node = order.list.head; node; node = node.next) out.push(node);
  } else if (order instanceof LfuOrder) {
    for (let bucket = order.buckets.head; bucket; bucket = bucket.next) {
      for (let node = bucket.entries.head; node; node = node.next) out.push(node);
    }
  }
  return out;
}
