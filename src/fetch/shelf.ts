/**
 * The storage seam of cachedFetch: the only fetch module that touches the tiers (src/tiers.ts), the
 * disk tier or the registry. Everything HTTP lives in the other fetch modules and sees storage only
 * through a {@link Shelf}: values are opaque to it, and keys are strings whose first
 * {@link URL_KEY_LENGTH} characters name the URL (see `remove`).
 *
 * What each operation must guarantee, whatever implements it:
 * - `begin()`: synchronous; taken when a request begins. A `save` made with the token is dropped if
 *   a `clear()` of the shelf (here, `clearFetchCache()`, `clearCaches()`, or another tab's) or a
 *   `remove()` of its key began after the token was taken, even when the save comes later.
 * - `secret()`: the random secret of the shelf's database (32 bytes), the same in every tab and after
 *   a reload; a logout (`clearCaches()`) makes a new one. A memory-only shelf, or one whose database
 *   cannot be opened, gets this page's secret, renewed by a logout.
 * - `lookup(key)`: the value stored under `key`, and whether it came from memory or the disk;
 *   undefined on a miss, past the entry's `expiresAt`, and on any failure (it never rejects).
 * - `save(key, value, storedAt, expiresAt, token)`: keeps `value` in memory at once (a `lookup`
 *   right after finds it) and on disk behind, evicting per the shelf's bound; never throws. An entry
 *   past `expiresAt` (wall-clock ms) is a miss and is swept from memory and disk.
 * - `remove(prefix, here)`: removes every entry whose key begins with `prefix`, here, on disk (in
 *   the stores of every instance of the database) and from other tabs' memory; done in this page
 *   when it resolves. `here`: only this page's memory
 *   copy is dropped (another tab writes a newer one to the disk).
 * - `clear()`: removes every entry of the shelf, here, on disk and in other tabs, and empties `inflight`.
 * - `inflight`: network requests in progress, by an id of the caller's; emptied by every clear.
 *
 * This implementation: one {@link Tiers} per storage configuration (database, maxItems, policy).
 * On disk, the rules of every cache hold: a save commits only if nothing removed its key (or its
 * URL) or cleared the shelf, in any tab, since the disk was read as its request began.
 */
import { config } from '../config';
import type * as DiskModule from '../disk/index';
import type { Since } from '../disk/index';
import { isExpired } from '../memory';
import { loadDisk, loadedDisk, logoutCount, register, tell, type Registered } from '../registry';
import { Tiers } from '../tiers';
import { URL_KEY_LENGTH } from './key';
import type { ResolvedFetchOptions } from './options';

/** Taken by {@link Shelf.begin} when a request begins. */
export interface Token {
  /** Of the shelf, which every clear and logout bumps. */
  readonly generation: number;
  readonly logouts: number;
  /** Orders it with this page's removals. */
  readonly at: number;
  /** What the disk had seen when it began (undefined: memory only, or the disk unavailable). */
  readonly since: Promise<Since | undefined>;
}

/** What {@link Shelf.lookup} found. */
export interface Found {
  readonly value: unknown;
  readonly from: 'memory' | 'disk';
}

/** The stored responses of one storage configuration, as the HTTP modules see them (see the guarantees above). */
export interface Shelf {
  /** The database ('' for memory only). */
  readonly db: string;
  /** Names the shelf alike in every tab (for Web Locks). */
  readonly id: string;
  readonly inflight: Map<string, unknown>;
  begin(): Token;
  secret(): Promise<Uint8Array>;
  lookup(key: string): Promise<Found | undefined>;
  save(key: string, value: object, storedAt: number, expiresAt: number, token: Token): void;
  remove(prefix: string, here?: boolean): Promise<void>;
  clear(): Promise<void>;
}

/** Namespace prefix of every fetch entry; its version is that of the stored form. */
const PREFIX = 'idb-memo:fetch@3';
const shelves = new Map<string, Shelf>();
/** Orders tokens and removals of this page. */
let ticks = 0;
/** What each shelf registers for logouts while its tiers do not exist yet (the registry holds them weakly). */
const watchers: Registered[] = [];

/** Every shelf this page has made (an unsafe request invalidates its URL in each). */
export const everyShelf = (): Iterable<Shelf> => shelves.values();

/** The shelf of options `o` (its database is `o.cachePath` or, at the time of the call, `config.cachePath`). */
export function shelfFor(o: ResolvedFetchOptions): Shelf {
  const db = o.toDisk ? (o.cachePath ?? config.cachePath) : '';
  const ns = PREFIX + (Number.isFinite(o.maxItems) ? `/${o.maxItems}${o.policy}` : '');
  const id = `${ns} ${db}`;
  let shelf = shelves.get(id);
  if (!shelf) shelves.set(id, (shelf = make(id, ns, db, o)));
  return shelf;
}

function make(id: string, ns: string, db: string, o: ResolvedFetchOptions): Shelf {
  /** Removals of this page, by key prefix, for saves begun before them; the latest 256. */
  const removed = new Map<string, number>();
  const inflight = new Map<string, unknown>();
  let tiers: Tiers<object> | undefined;
  /** Clears and logouts before the tiers exist; their memory's generation starts from it, and counts them after. */
  let early = 0;
  const watcher: Registered = { forget: () => void early++ };
  watchers.push(watcher);
  register(watcher);
  const generation = () => (tiers ? tiers.memory.generation : early);
  const made = () => {
    const module = loadedDisk();
    tiers = new Tiers<object>(o.maxItems, o.policy, module && db ? module.disk(db, ns, o.maxItems, o.policy, 'cachedFetch') : undefined);
    tiers.memory.generation = early;
    return tiers;
  };
  // Made at once when it can be (memory only, or the disk tier's chunk loaded), else once it is.
  const ready = !db || loadedDisk() ? Promise.resolve(made()) : loadDisk().then(() => tiers ?? made());

  const shelf: Shelf = {
    db,
    id,
    inflight,
    begin: () => ({
      generation: generation(),
      logouts: logoutCount(),
      at: ++ticks,
      // Read in turn: after the removals and clears asked for before it.
      since: db ? ready.then((t) => t.inTurn('', () => t.disk!.since())) : Promise.resolve(undefined),
    }),
    secret: () => secretOf(db),
    async lookup(key) {
      try {
        const t = await ready;
        const { memory, disk } = t;
        const entry = memory.get(key);
        if (entry) return { value: entry.value, from: 'memory' };
        if (!disk) return undefined;
        const generation = memory.generation;
        const at = memory.moment();
        const { record } = await t.inTurn(key, (known) => (memory.useCold(known, at), disk.read(known)));
        if (!record || isExpired(record.storedAt, record.expiresAt, Date.now())) return undefined;
        if (generation === memory.generation) {
          t.noteDiskKey(key, key);
          memory.set(key, record.value as object, shelf, Infinity, key, { storedAt: record.storedAt, expiresAt: record.expiresAt, hits: record.hits, at });
        }
        return { value: record.value, from: 'disk' };
      } catch {
        return undefined;
      }
    },
    save(key, value, storedAt, expiresAt, token) {
      if (token.generation !== generation() || token.logouts !== logoutCount()) return;
      for (const [prefix, at] of removed) if (at > token.at && key.startsWith(prefix)) return;
      const keep = (t: Tiers<object>) => {
        if (token.generation !== t.memory.generation) return;
        // Its lifetime as given; it starts when memory keeps it (in the same millisecond, or a few after).
        const { entry, evicted } = t.memory.set(key, value, shelf, expiresAt - storedAt, key);
        if (!entry || !t.disk) return;
        t.noteDiskKey(key, key);
        const gone = evicted.map((victim) => victim.diskKey!);
        void token.since.then((since) => since && t.writeThrough(entry, gone, since, true, key.slice(0, URL_KEY_LENGTH)));
      };
      if (tiers) keep(tiers);
      else void ready.then(keep);
    },
    async remove(prefix, here) {
      const logouts = logoutCount();
      if (!here) {
        removed.delete(prefix);
        removed.set(prefix, ++ticks);
        if (removed.size > 256) removed.delete(removed.keys().next().value!);
      }
      await (await ready).deleteStarting(prefix, logouts, here);
      if (here || !db) return;
      // The stores of the database's other instances too (other options, other tabs, earlier visits).
      await (await loadDisk()).disk(db, PREFIX, Infinity, 'LRU', 'cachedFetch').remove(prefix, 'prefix-everywhere', logouts);
      tell({ type: 'delete', db, ns: PREFIX, key: prefix, prefix: true });
    },
    async clear(asked = logoutCount()) {
      inflight.clear();
      if (!tiers) early++;
      await (tiers ?? (await ready)).clear(asked);
    },
  };
  return shelf;
}

/**
 * Removes every response stored by {@link cachedFetch} and {@link createCachedFetch} instances, of
 * any options, in `config.cachePath` and every database used by an instance in this page, here
 * and in other tabs' memory. `clearCaches()` clears these too, with everything else.
 */
export async function clearFetchCache(): Promise<void> {
  const dbs = new Set<string>();
  for (const shelf of shelves.values()) if (shelf.db) dbs.add(shelf.db);
  if (typeof indexedDB !== 'undefined') dbs.add(config.cachePath);
  // Every fetch namespace of those databases, of this page's shelves or not (an earlier visit's options).
  const logouts = logoutCount();
  const clearDisks = (module: typeof DiskModule) =>
    Promise.all([...dbs].map((db) => module.disk(db, PREFIX, Infinity, 'LRU', 'cachedFetch').clear(true, logouts).then(() => tell({ type: 'clear', db, ns: PREFIX, prefix: true }))));
  const module = loadedDisk();
  // Asked for at once when the disk chunk is loaded: requests made after this call read the disk after it.
  const disks = module ? clearDisks(module) : dbs.size > 0 ? loadDisk().then(clearDisks) : undefined;
  await Promise.all([...[...shelves.values()].map((shelf) => shelf.clear()), disks]);
}

let pageSecret: Uint8Array | undefined;
/** The secret of each database, as read (or made) once per page until a logout. */
const secrets = new Map<string, Promise<Uint8Array>>();

// A logout (this tab's or another's) renews the page's secret and forgets the databases' (emptied
// with them): nothing keyed before a logout can be linked to what is keyed after it.
const renewal = {
  forget() {
    pageSecret = undefined;
    secrets.clear();
  },
};
register(renewal);

/**
 * The secret that keys request hashes in database `db`, made at random by whichever tab comes
 * first; or, for memory-only storage and while IndexedDB is unavailable, this page's own.
 */
function secretOf(db: string): Promise<Uint8Array> {
  const own = (pageSecret ??= crypto.getRandomValues(new Uint8Array(32)));
  if (!db) return Promise.resolve(own);
  let secret = secrets.get(db);
  // Read after this page's logout in progress (the disk tier orders it): a secret read before would key nothing found after.
  if (!secret) secrets.set(db, (secret = loadDisk().then(async (module) => (await module.secret(db)) ?? own)));
  return secret;
}
