import { LinkedList, type Linked } from './linked-list';

/** Which entry an eviction removes when a bounded cache is full. */
export type Policy = 'LRU' | 'LFU' | 'FIFO';

/** The fields an eviction policy keeps on each entry, and those it reads. */
export interface PolicyNode extends Linked<PolicyNode> {
  /** LFU only: the frequency bucket the entry sits in. */
  bucket: FrequencyBucket | null;
  /** When the entry was first stored (FIFO). */
  readonly storedAt: number;
  /** Its uses so far, the computation included (LFU). */
  readonly hits: number;
  /** The order of its last use among the tier's (LRU, and LFU's tie-break). */
  readonly lastUse: number;
}

interface FrequencyBucket extends Linked<FrequencyBucket> {
  readonly hits: number;
  readonly entries: LinkedList<PolicyNode>;
}

/** Orders entries for eviction. Every method but `promoted` is O(1): no sorting, no scans. */
export interface EvictionOrder {
  /** Records a new entry. */
  added(node: PolicyNode): void;
  /**
   * Records an entry read back from storage, where its `storedAt`, `hits` and `lastUse` put it.
   * O(n) at worst: once per disk hit, never per memory hit.
   */
  promoted(node: PolicyNode): void;
  /** Records a hit on an entry. */
  used(node: PolicyNode): void;
  /** Forgets an entry. */
  removed(node: PolicyNode): void;
  /** The entry to evict next, if any. */
  victim(): PolicyNode | null;
  /** Whether `a` goes before `b`. */
  before(a: PolicyNode, b: PolicyNode): boolean;
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
    place(this.list, node, this);
  }
  used(_node: PolicyNode): void {}
  removed(node: PolicyNode): void {
    this.list.remove(node);
  }
  victim(): PolicyNode | null {
    return this.list.head;
  }
  before(a: PolicyNode, b: PolicyNode): boolean {
    return a.storedAt < b.storedAt;
  }
  clear(): void {
    this.list.clear();
  }
}

/** Least recently used: a hit moves the entry to the safe end. */
class LruOrder extends FifoOrder {
  override used(node: PolicyNode): void {
    this.list.moveToTail(node);
  }
  override before(a: PolicyNode, b: PolicyNode): boolean {
    return a.lastUse < b.lastUse;
  }
}

/** Inserts `node` into `list` after the last entry that goes before it (searching from the safe end). */
function place(list: LinkedList<PolicyNode>, node: PolicyNode, order: EvictionOrder): void {
  let after = list.tail;
  while (after && order.before(node, after)) after = after.prev;
  if (after) list.insertAfter(after, node);
  else list.prepend(node);
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
    let bucket = before;
    if (before?.hits !== hits) {
      bucket = newBucket(hits);
      if (before) this.buckets.insertAfter(before, bucket);
      else this.buckets.prepend(bucket);
    }
    place(bucket!.entries, node, this);
    node.bucket = bucket!;
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

  before(a: PolicyNode, b: PolicyNode): boolean {
    return a.hits < b.hits || (a.hits === b.hits && a.lastUse < b.lastUse);
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

/** The entries of `order`, next victim first (for the inspector; O(n), never called by a cache). */
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
