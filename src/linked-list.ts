/** A node that can sit in one {@link LinkedList} at a time. */
export interface Linked<T> {
  prev: T | null;
  next: T | null;
}

/** An intrusive doubly linked list: O(1) append, remove and move, no allocation per node. */
export class LinkedList<T extends Linked<T>> {
  head: T | null = null;
  tail: T | null = null;

  /** Appends `node` after the current tail. */
  append(node: T): void {
    node.prev = this.tail;
    node.next = null;
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
  }

  /** Inserts `node` before the current head. */
  prepend(node: T): void {
    node.prev = null;
    node.next = this.head;
    if (this.head) this.head.prev = node;
    else this.tail = node;
    this.head = node;
  }

  /** Inserts `node` right after `anchor`, which must be in this list. */
  insertAfter(anchor: T, node: T): void {
    node.prev = anchor;
    node.next = anchor.next;
    if (anchor.next) anchor.next.prev = node;
    else this.tail = node;
    anchor.next = node;
  }

  /** Unlinks `node`, which must be in this list. */
  remove(node: T): void {
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = null;
  }

  /** Moves `node`, which must be in this list, to the tail. */
  moveToTail(node: T): void {
    if (this.tail === node) return;
    this.remove(node);
    this.append(node);
  }

  /** Empties the list (the nodes keep stale links; drop them). */
  clear(): void {
    this.head = this.tail = null;
  }
}
