/** Something with an expiry time, placed in at most one {@link ExpiryHeap}. */
export interface Expiring {
  readonly expiresAt: number;
  /** Its place in the heap; -1 when in none. */
  heapIndex: number;
}

/** A binary min-heap by `expiresAt` with O(log n) insert and removal of any item: the next entry to expire, without scans. */
export class ExpiryHeap<T extends Expiring> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The item that expires first. */
  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    item.heapIndex = this.items.push(item) - 1;
    this.up(item.heapIndex);
  }

  /** Removes `item` if it is in this heap. */
  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0 || this.items[i] !== item) return;
    const last = this.items.pop()!;
    item.heapIndex = -1;
    if (last === item) return;
    this.items[i] = last;
    last.heapIndex = i;
    this.down(i);
    this.up(last.heapIndex);
  }

  clear(): void {
    for (const item of this.items) item.heapIndex = -1;
    this.items.length = 0;
  }

  private up(i: number): void {
    const { items } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.expiresAt <= items[i]!.expiresAt) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const { items } = this;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && items[left]!.expiresAt < items[least]!.expiresAt) least = left;
      if (right < items.length && items[right]!.expiresAt < items[least]!.expiresAt) least = right;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }

  private swap(a: number, b: number): void {
    const { items } = this;
    const first = items[a]!;
    const second = items[b]!;
    items[a] = second;
    items[b] = first;
    first.heapIndex = b;
    second.heapIndex = a;
  }
}
