import type { Disk, Since } from './disk/index';
import { MemoryTier, type Entry } from './memory';
import type { Policy } from './policies';
import { logoutCount, register, tell, type Hint, type Registered } from './registry';

/** How long uses recorded in memory wait before they reach the disk when nothing else is written. */
const TOUCH_AFTER_MS = 2000;

/**
 * The results of one namespace in this page: a memory tier, and with `toDisk` the disk tier it
 * writes through to. Shared by every function of the page that uses the namespace with the same
 * bounds (two wrappers of one `name` answer each other at once).
 */
export class Tiers<V = unknown> implements Registered {
  readonly memory: MemoryTier<V>;
  /** Memory keys of the entries and calls in progress, by disk key: another tab's delete() names the disk key. */
  private readonly byDiskKey = new Map<string, string>();
  /** Whether memory orders its entries with those on disk only (a bounded disk tier, which loads their order first). */
  readonly ordered: boolean;
  /** Resolves once the disk operation asked for last has been issued: they reach IndexedDB in the order they were asked for. */
  private turn: Promise<unknown> = Promise.resolve();
  private touchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(maxItems: number, policy: Policy, readonly disk?: Disk) {
    this.ordered = disk !== undefined && maxItems !== Infinity;
    // Bounded LRU/LFU tiers on disk report their hits, which order eviction there too.
    this.memory = new MemoryTier<V>(maxItems, policy, this.ordered && policy !== 'FIFO');
    // First of all: the order of what the disk holds, so that memory evicts as a memory-only tier
    // holding it would. Every disk operation waits for it.
    if (this.ordered) {
      const generation = this.memory.generation;
      this.turn = disk!.index(policy).then((held) => generation === this.memory.generation && this.memory.know(held));
    }
    this.memory.onRemoved = (entry) => {
      if (entry.diskKey !== undefined && this.byDiskKey.get(entry.diskKey) === entry.key) this.byDiskKey.delete(entry.diskKey);
    };
    this.memory.onFirstUse = () => {
      this.touchTimer ??= setTimeout(() => this.flush(), TOUCH_AFTER_MS);
      // Nobody awaits it: it must not keep a Node process alive.
      (this.touchTimer as { unref?: () => void }).unref?.();
    };
    register(this);
  }

  /** Notes that memory key `key` is stored (or being computed) under `diskKey`. */
  noteDiskKey(diskKey: string, key: string): void {
    this.byDiskKey.set(diskKey, key);
  }

  /** Runs `op` once `diskKey` is known and every disk operation asked for before it has been issued. */
  inTurn<T>(diskKey: string | Promise<string>, op: (diskKey: string) => Promise<T>): Promise<T> {
    const ready = Promise.all([this.turn, diskKey]);
    const result = ready.then(([, known]) => op(known));
    this.turn = ready.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /**
   * Removes every entry, in memory and on disk, and tells the other caches of the namespace.
   * `asked`: the page's logout count when the caller asked (a logout since makes it moot on disk).
   */
  async clear(asked: number, prefix?: boolean): Promise<void> {
    this.forget();
    const disk = this.disk;
    if (!disk) return;
    await this.inTurn('', () => disk.clear(prefix ?? false, asked));
    tell({ type: 'clear', db: disk.db, ns: disk.ns, prefix }, this);
  }

  /**
   * Writes `entry`, just kept in memory (where it evicted `evicted`, disk keys), through to the
   * disk, unless a removal (of its key, or of its `guard` prefix) or a logout came since `since` (then
   * it leaves memory too), or it left memory meanwhile. `inTurn`: after the disk operations asked for before (else the caller
   * is in turn already). What the disk evicts for it leaves memory too.
   */
  writeThrough(entry: Entry<V>, evicted: readonly string[], since: Since, inTurn: boolean, guard?: string): Promise<void> {
    const { memory } = this;
    const disk = this.disk!;
    const diskKey = entry.diskKey!;
    const record = { ns: disk.ns, key: diskKey, value: entry.value, storedAt: entry.storedAt, expiresAt: entry.expiresAt, accessedAt: entry.storedAt, hits: 1 };
    const logouts = logoutCount();
    const write = () => disk.write(record, { since, evicted, uses: memory.takeUses(), guard }, () => logoutCount() === logouts && memory.map.get(entry.key) === entry);
    return (inTurn ? this.inTurn(diskKey, write) : write()).then(({ evicted: also, refused }) => {
      // Another tab's writes may have filled the disk: what it evicts for this one leaves memory too.
      this.evictedOnDisk(also, entry.lastUse);
      // A removal or logout came after its call's read (perhaps in a tab this page has not heard yet): it goes.
      if (refused && memory.map.get(entry.key) === entry) memory.delete(entry.key);
    });
  }

  /** Removes the entry of `key` (stored under `diskKeyOf(key)`); resolves whether there was one. `asked` as for clear. */
  async delete(key: string, diskKeyOf: () => string | Promise<string>, asked: number): Promise<boolean> {
    const inMemory = this.memory.delete(key) !== undefined;
    const disk = this.disk;
    if (!disk) return inMemory;
    const onDisk = await this.inTurn(diskKeyOf(), async (known) => {
      this.memory.deleteCold(known);
      const removed = await disk.remove(known, 'key', asked);
      tell({ type: 'delete', db: disk.db, ns: disk.ns, key: known }, this);
      return removed;
    });
    return inMemory || onDisk;
  }

  /**
   * Removes every entry whose disk key starts with `prefix`, in memory and (but `here`: only this
   * page's memory) on disk and in other tabs' memory. `asked` as for clear.
   */
  async deleteStarting(prefix: string, asked: number, here = false): Promise<void> {
    this.forgetStarting(prefix);
    const disk = this.disk;
    if (here || !disk) return;
    await this.inTurn(prefix, async () => {
      this.forgetStarting(prefix);
      await disk.remove(prefix, 'prefix', asked);
      tell({ type: 'delete', db: disk.db, ns: disk.ns, key: prefix, prefix: true }, this);
    });
  }

  /** Forgets (in memory) the entries whose disk key starts with `prefix`. */
  private forgetStarting(prefix: string): void {
    const { memory } = this;
    for (const entry of [...memory.map.values()]) if (entry.diskKey?.startsWith(prefix)) memory.delete(entry.key);
    for (const diskKey of [...memory.cold.keys()]) if (diskKey.startsWith(prefix)) memory.deleteCold(diskKey);
  }

  /**
   * The disk evicted `keys` for a write made at `tick` (another tab's writes filled it): they leave memory.
   */
  evictedOnDisk(keys: readonly string[], tick: number): void {
    for (const diskKey of keys) {
      const key = this.byDiskKey.get(diskKey);
      const entry = key === undefined ? undefined : this.memory.map.get(key);
      if (entry && entry.lastUse < tick) this.memory.delete(entry.key);
      this.memory.deleteCold(diskKey);
    }
  }

  forget(): void {
    this.memory.clear();
    this.byDiskKey.clear();
  }

  /** Another cache's removal (of this page, or another tab's): the entries it removed leave memory too. */
  hear(hint: Hint & { type: 'clear' | 'delete' }): void {
    const disk = this.disk;
    if (!disk || hint.db !== disk.db) return;
    // A removal by prefix reaches every namespace its own starts (cachedFetch's URL, in every instance's store).
    if (hint.prefix ? disk.ns.startsWith(hint.ns) : disk.ns === hint.ns) {
      if (hint.type === 'clear') this.forget();
      else if (hint.prefix) this.forgetStarting(hint.key);
      else {
        const key = this.byDiskKey.get(hint.key);
        if (key !== undefined) this.memory.delete(key);
        this.memory.deleteCold(hint.key);
      }
    }
  }

  /** Sends the uses recorded in memory to the disk; resolves once every disk operation asked for so far is issued. */
  flush(): Promise<unknown> {
    clearTimeout(this.touchTimer);
    this.touchTimer = undefined;
    const uses = this.memory.takeUses();
    if (uses.length > 0) void this.disk?.touch(uses);
    return this.turn;
  }
}

const shared = new Map<string, WeakRef<Tiers>>();
const collected = new FinalizationRegistry<string>((id) => shared.get(id)?.deref() ?? shared.delete(id));

/**
 * The tiers of namespace `ns` of database `db` with these bounds and lifetime (`ttlMs`: a memory hit
 * is a hit for every function sharing it), shared in the page; `makeDisk` makes its disk tier the first time.
 */
export function sharedTiers<V>(db: string, ns: string, maxItems: number, policy: Policy, ttlMs: number, makeDisk: () => Disk): Tiers<V> {
  const id = `${db}\0${ns}\0${maxItems}${policy}\0${ttlMs}`;
  let tiers = shared.get(id)?.deref() as Tiers<V> | undefined;
  if (!tiers) {
    tiers = new Tiers<V>(maxItems, policy, makeDisk());
    shared.set(id, new WeakRef(tiers as Tiers));
    collected.register(tiers, id);
  }
  return tiers;
}
