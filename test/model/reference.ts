// A reference cache written apart from the library: plain arrays, no linked lists, no tiers.
// It says what a memory-only cache with the same maxItems and policy must answer.

/** What the reference holds for one key. */
interface Held {
  key: string;
  value: string;
  /** LFU: uses so far (1 when stored). */
  hits: number;
  /** Tick of the latest use (storing counts): LRU order, and LFU's tie-break. */
  lastUse: number;
  /** Tick of storing: FIFO order. */
  stored: number;
}

/** What a call was answered with, as the reference sees it at the moment of the call. */
export type Predicted = { kind: 'hit'; value: string } | { kind: 'join'; computation: number } | { kind: 'miss'; computation: number };

/** A memory-only cache per the README: bounded, evicting per policy, joining identical calls in progress. */
export class ReferenceCache {
  private held: Held[] = [];
  private pending = new Map<string, number>();
  private tick = 0;
  /** Computations started, by number: key and value (the test sets the value the library's matching computation returned). */
  readonly computations: { key: string; value: string }[] = [];
  private computedPerKey = new Map<string, number>();

  constructor(
    private readonly maxItems: number,
    private readonly policy: 'LRU' | 'LFU' | 'FIFO',
  ) {}

  /** The value the function returns the n-th time it computes `key` (0-based). */
  static valueOf(key: string, n: number): string {
    return `${key}@${n}`;
  }

  call(key: string): Predicted {
    const found = this.held.find((held) => held.key === key);
    if (found) {
      found.hits++;
      found.lastUse = ++this.tick;
      return { kind: 'hit', value: found.value };
    }
    const joined = this.pending.get(key);
    if (joined !== undefined) return { kind: 'join', computation: joined };
    const n = this.computedPerKey.get(key) ?? 0;
    this.computedPerKey.set(key, n + 1);
    const computation = this.computations.push({ key, value: ReferenceCache.valueOf(key, n) }) - 1;
    this.pending.set(key, computation);
    return { kind: 'miss', computation };
  }

  /** How many times each key was computed. */
  computedCounts(): Record<string, number> {
    return Object.fromEntries(this.computedPerKey);
  }

  /** A computation finished: its result is stored unless a clear or delete dropped it. */
  finish(computation: number): void {
    const { key, value } = this.computations[computation]!;
    if (this.pending.get(key) !== computation) return;
    this.pending.delete(key);
    this.held = this.held.filter((held) => held.key !== key);
    while (this.held.length >= this.maxItems) this.held.splice(this.victimIndex(), 1);
    const now = ++this.tick;
    this.held.push({ key, value, hits: 1, lastUse: now, stored: now });
  }

  delete(key: string): void {
    this.pending.delete(key);
    this.held = this.held.filter((held) => held.key !== key);
  }

  clear(): void {
    this.pending.clear();
    this.held = [];
  }

  private victimIndex(): number {
    const rank = (held: Held): [number, number] =>
      this.policy === 'FIFO' ? [held.stored, 0] : this.policy === 'LRU' ? [held.lastUse, 0] : [held.hits, held.lastUse];
    let best = 0;
    for (let i = 1; i < this.held.length; i++) {
      const [a, b] = rank(this.held[i]!);
      const [c, d] = rank(this.held[best]!);
      if (a < c || (a === c && b < d)) best = i;
    }
    return best;
  }
}
