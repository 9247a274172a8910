/**
 * The storage seam of cachedFetch: the only fetch module that touches the memory tier
 * (src/tier.ts), the disk tier (src/disk/*) or the registry (src/registry.ts). Everything HTTP lives
 * in the other fetch modules and sees storage only through a {@link Shelf}: values are opaque to it
 * and keys are strings whose first characters group entries (see `remove`).
 *
 * What each operation must guarantee, whatever implements it:
 * - `begin()`: synchronous; taken when a request begins. A `save` made with the token is dropped if
 *   a `clear()` of the shelf (here, `clearFetchCache()`, `clearCaches()`, or another tab's) or a
 *   `remove()` of its key began after the token was taken, even when the save comes later.
 * - `secret()`: the random secret of the shelf's database (32 bytes), the same in every tab and after
 *   a reload; it goes with the database (deleted by `clearCaches()`: a new one is made). A memory-only
 *   shelf, or one whose database cannot be opened, gets this page's secret, renewed by `clearCaches()`.
 * - `lookup(key)`: the value stored under `key`, and whether it came from memory or the disk;
 *   undefined on a miss, past the entry's `expiresAt`, and on any failure (it never rejects).
 * - `save(key, value, storedAt, expiresAt, token)`: keeps `value` in memory at once (a `lookup`
 *   right after finds it) and on disk behind, evicting per the shelf's bound; never throws. An entry
 *   past `expiresAt` (wall-clock ms) is a miss and is swept from memory and disk: cachedFetch puts
 *   there the end of its use (see expiresAt in http.ts), never when it turns stale.
 * - `remove(prefix, here)`: removes every entry whose key begins with `prefix`, here, on disk and
 *   from other tabs' memory; done in this page when it resolves. `here`: only this page's memory
 *   copy is dropped (another tab writes a newer one to the disk).
 * - `clear()`: removes every entry of the shelf, here, on disk and in other tabs, and empties `inflight`.
 * - `inflight`: network requests in progress, by an id of the caller's; emptied by every clear.
 *
 * This implementation: one {@link Tier} per storage configuration (database, maxItems, policy),
 * shared by the instances that have it. `remove` reaches the entries the tier knows: all of them in
 * a bounded tier (the default), those in memory for `maxItems: Infinity`, and not those another
 * tab stored after this page read the tier's index.
 */
import { config } from '../config';
import type { CacheDatabase } from '../disk/connection';
import { announceRemoval } from '../disk/cross-tab';
import { sharedTier, storeFor } from '../disk/disk-tier';
import type { DiskOp } from '../disk/store';
import { listenForWipes, onClearCaches, registerCache } from '../registry';
import { orderedNow, Tier } from '../tier';
import type { ResolvedFetchOptions } from './options';

/** Taken by {@link Shelf.begin} when a request begins. */
export interface Token {
  readonly generation: number;
  readonly at: number;
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
const PREFIX = 'idb-memo:fetch';
const NS = `${PREFIX}@3`;
const shelves = new Map<string, Shelf>();
/** How to clear each shelf, with the disk operation given (see clearFetchCache). */
const clears = new Map<Shelf, (op?: DiskOp) => Promise<void>>();

/** Every shelf this page has made (an unsafe request invalidates its URL in each). */
export const everyShelf = () => shelves.values();

/** The shelf of options `o` (its database is `o.cachePath` or, at the time of the call, `config.cachePath`). */
export function shelfFor(o: ResolvedFetchOptions): Shelf {
  // Another tab's clearCaches() (a logout) empties this page's responses too, memory-only ones included.
  listenForWipes();
  const db = o.toDisk ? (o.cachePath ?? config.cachePath) : '';
  const ns = `${NS}/${o.maxItems}${o.policy}`;
  const id = `${ns} ${db}`;
  return shelves.get(id) ?? make(id, ns, db, o);
}

function make(id: string, ns: string, db: string, o: ResolvedFetchOptions): Shelf {
  const tier = db
    ? sharedTier(db, ns, '', (binding) => new Tier<object>(o.maxItems, o.policy, { ...binding, guards: [ns, PREFIX], diskKeyOf: (key) => key, label: 'cachedFetch' }))
    : new Tier<object>(o.maxItems, o.policy);
  if (!db) registerCache(tier, () => tier.dropAll());
  else if (![...shelves.values()].some((shelf) => shelf.db === db)) {
    // Entries of the stored form before this one are never read again: remove them once per page.
    void storeFor(db).apply({ kind: 'clear', prefix: `${PREFIX}@2`, exact: false, at: 0 });
  }
  /** Removals of this page, by key prefix, for saves begun before them; the latest 256. */
  const removed = new Map<string, number>();
  // The tier's generation counts clears; a clear made while the tier reads its index counts
  // twice (forgotten at once, and again once read), and the second must not drop the saves of
  // requests begun between the two.
  let twice = 0;
  const generation = () => tier.generation - twice;
  /** Clears the tier (with disk operation `op`) as of now: its calls in progress are forgotten at once. */
  const clear = async (op?: DiskOp) => {
    const { ready } = tier;
    const at = orderedNow();
    if (!ready) tier.dropAll();
    await tier.whenReady(() => {
      if (!ready) twice++;
      return tier.clear(op, at);
    });
  };
  const shelf: Shelf = {
    db,
    id,
    inflight: tier.inflight,
    begin: () => ({ generation: generation(), at: orderedNow() }),
    secret: () => secretOf(db),
    async lookup(key) {
      try {
        await tier.whenReady(() => undefined);
        const entry = tier.get(key);
        if (entry) return { value: entry.value, from: 'memory' };
        const loaded = await tier.load(key, Infinity, shelf);
        return loaded && { value: loaded.value, from: 'disk' };
      } catch {
        return undefined;
      }
    },
    save(key, value, storedAt, expiresAt, token) {
      if (token.generation !== generation()) return;
      for (const [prefix, at] of removed) if (at > token.at && key.startsWith(prefix)) return;
      void tier.whenReady(() => {
        try {
          tier.set(key, { value, storedAt, expiresAt }, shelf, token.at);
        } catch {
          // A value the tier refuses: not stored.
        }
      });
    },
    async remove(prefix, here) {
      if (!here) {
        removed.delete(prefix);
        removed.set(prefix, orderedNow());
        if (removed.size > 256) removed.delete(removed.keys().next().value!);
      }
      await tier.whenReady(() => {
        for (const key of [...(db ? tier.byDiskKey : tier.byKey).keys()]) {
          if (key.startsWith(prefix)) void (here ? tier.dropDiskKey(key) : tier.delete(key));
        }
      });
    },
    clear,
  };
  shelves.set(id, shelf);
  clears.set(shelf, clear);
  return shelf;
}

/**
 * Removes every response stored by {@link cachedFetch} and {@link createCachedFetch} instances, of
 * any options, in `config.cachePath` and every database used by an instance in this page, here
 * and in other tabs' memory. `clearCaches()` clears these too, with everything else.
 */
export async function clearFetchCache(): Promise<void> {
  const at = orderedNow();
  const clear: DiskOp = { kind: 'clear', prefix: PREFIX, exact: false, at };
  const dbs = new Set([config.cachePath]);
  const cleared: Promise<unknown>[] = [];
  for (const [{ db }, clearShelf] of clears) {
    if (db) dbs.add(db);
    cleared.push(clearShelf(clear));
  }
  for (const db of dbs) {
    announceRemoval({ type: 'clear', db, ns: PREFIX, prefix: true });
    cleared.push(storeFor(db).apply(clear));
  }
  await Promise.all(cleared);
}

const SECRET_ID = 'cachedFetch';
const SECRET_BYTES = 32;
const secrets = new WeakMap<CacheDatabase, Promise<Uint8Array>>();
let pageSecret: Uint8Array | undefined;
const random = () => crypto.getRandomValues(new Uint8Array(SECRET_BYTES));

// clearCaches() renews the page's secret, as it does a database's (deleted with it): nothing keyed
// before a logout can be linked to what is keyed after it.
onClearCaches(async () => {
  pageSecret = undefined;
});

/**
 * The secret of database `db`, made at random the first time (by whichever tab comes first) and
 * kept in its `secrets` store; this page's own for memory-only shelves and while IndexedDB is unavailable.
 */
async function secretOf(db: string): Promise<Uint8Array> {
  pageSecret ??= random();
  if (!db) return pageSecret;
  return storeFor(db).connection.run((database) => {
    let secret = secrets.get(database);
    if (!secret) {
      secrets.set(database, (secret = readOrMake(database)));
      secret.catch(() => secrets.delete(database));
    }
    return secret;
  }, pageSecret);
}

/** Reads the secret, or stores a new one when there is none (or a damaged one), in one transaction. */
async function readOrMake(database: CacheDatabase): Promise<Uint8Array> {
  const tx = database.transaction('secrets', 'readwrite');
  const store = tx.objectStore('secrets');
  const found: unknown = (await store.get(SECRET_ID))?.secret;
  let secret = found instanceof Uint8Array && found.length === SECRET_BYTES ? found : undefined;
  if (!secret) await store.put({ id: SECRET_ID, secret: (secret = random()) });
  await tx.done;
  return secret;
}
