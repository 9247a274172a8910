import { config } from '../config';
import type { Since } from '../disk/index';
import { loadDisk, loadedDisk, logoutCount, tell } from '../registry';
import { sharedTiers, Tiers } from '../tiers';
import { TOKEN } from './http';
import { varyDigest } from './key';
import type { ResolvedFetchOptions } from './options';
import type { CacheStatus, StoredResponse } from './response';

/** What a shared network request produced: a stored response, or a response that was not stored. */
export type Source = StoredResponse | Response;

/**
 * The responses of one storage configuration (database, bound and policy), shared by every
 * cachedFetch instance with that configuration in this page: one {@link Tiers}, like a memoized function's.
 */
export interface Shelf {
  readonly db: string;
  /** Its entries; its memory tier's `inflight` holds the network requests in progress, by flight key. */
  readonly tiers: Tiers<StoredResponse>;
}

/** When a request began: a clear or logout after it keeps its answer from being stored. */
export interface Token {
  readonly generation: number;
  readonly logouts: number;
  /** What the disk held when it began (read with its lookup), for the write. */
  since?: Since | undefined;
}

/** A stored response found for a request. */
export interface Found {
  readonly stored: StoredResponse;
  readonly from: CacheStatus;
}

/** Namespace prefix of every fetch entry (the format of the stored form included). */
const PREFIX = 'idb-memo:fetch@3';
const shelves = new Map<string, Shelf>();

/** The shelf of options `o` if it can be had at once (memory only, or the disk tier loaded), else undefined. */
export function shelfNow(o: ResolvedFetchOptions): Shelf | undefined {
  const db = o.toDisk ? (o.cachePath ?? config.cachePath) : '';
  const ns = PREFIX + (Number.isFinite(o.maxItems) ? `/${o.maxItems}${o.policy}` : '');
  const id = `${ns}\0${db}`;
  let shelf = shelves.get(id);
  const module = loadedDisk();
  if (!shelf && (!db || module)) {
    const tiers = module && db ? sharedTiers<StoredResponse>(db, ns, o.maxItems, o.policy, () => module.disk(db, ns, o.maxItems, o.policy, 'cachedFetch')) : new Tiers<StoredResponse>(o.maxItems, o.policy);
    shelves.set(id, (shelf = { db, tiers }));
  }
  return shelf;
}

/** The shelf of options `o` (its database is `o.cachePath` or, at the time of the call, `config.cachePath`). */
export async function shelfFor(o: ResolvedFetchOptions): Promise<Shelf> {
  return shelfNow(o) ?? (await loadDisk(), shelfNow(o)!);
}

/** A token of a request that began when the page had seen `logouts` logouts. */
export function begin(shelf: Shelf, logouts: number): Token {
  return { generation: shelf.tiers.memory.generation, logouts };
}

/** Whether a stored value has the shape of a {@link StoredResponse}; anything else is a miss. */
function isStoredResponse(value: unknown): value is StoredResponse {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<StoredResponse>;
  return (
    typeof v.status === 'number' &&
    v.status >= 200 &&
    v.status <= 599 &&
    v.status !== 206 &&
    typeof v.statusText === 'string' &&
    !/[\0\r\n]/.test(v.statusText) &&
    Array.isArray(v.headers) &&
    v.headers.every((pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && TOKEN.test(pair[0]) && typeof pair[1] === 'string' && !/[\0\r\n]/.test(pair[1])) &&
    v.body instanceof ArrayBuffer &&
    typeof v.url === 'string' &&
    Number.isFinite(v.time) &&
    typeof v.lifetime === 'number' &&
    !Number.isNaN(v.lifetime) &&
    Array.isArray(v.vary) &&
    v.vary.every((name) => typeof name === 'string') &&
    typeof v.varyDigest === 'string'
  );
}

/** Whether `value` is a stored response that makes a valid Response (header names, no body on a 204…). */
function isUsable(value: unknown): value is StoredResponse {
  try {
    // The Response constructor refuses bad header names and values, status texts, and bodies on null-body statuses.
    return isStoredResponse(value) && !!new Response(null, value) && (value.body.byteLength === 0 || ![204, 205, 304].includes(value.status));
  } catch {
    return false;
  }
}

/**
 * The stored response for `key`, from memory or disk, if its `Vary` headers match `request`'s.
 * A damaged or foreign record, or one that no longer makes a valid Response, is a miss. Notes in
 * `token` what the disk held.
 */
export async function lookup(shelf: Shelf, key: string, request: Request, o: ResolvedFetchOptions, secret: Uint8Array, token: Token): Promise<Found | undefined> {
  try {
    const { memory, disk } = shelf.tiers;
    let stored: unknown = memory.get(key)?.value;
    let from: CacheStatus = 'memory';
    if (stored === undefined && disk) {
      const at = memory.moment();
      const read = await shelf.tiers.inTurn(key, (known) => disk.read(known));
      token.since = read.since;
      stored = read.record?.value;
      from = 'disk';
      if (stored !== undefined && !isUsable(stored)) return undefined;
      if (isStoredResponse(stored) && token.generation === memory.generation) memory.set(key, stored, shelf, Infinity, key, { storedAt: stored.time, expiresAt: Infinity, hits: read.record!.hits, at });
    }
    if (!isStoredResponse(stored)) return undefined;
    if (!o.cacheable(stored.status) || stored.varyDigest !== varyDigest(stored.vary, request.headers, secret)) return undefined;
    return { stored, from };
  } catch {
    return undefined;
  }
}

/** Keeps `stored` under `key`, in memory at once and on disk behind, unless a clear or logout came since `token`. */
export function save(shelf: Shelf, key: string, stored: StoredResponse, token: Token): void {
  const { memory, disk } = shelf.tiers;
  if (token.generation !== memory.generation || token.logouts !== logoutCount()) return;
  const { entry, evicted } = memory.set(key, stored, shelf, Infinity, key);
  if (!disk) return;
  const write = (since: Since | undefined) =>
    since &&
    disk.write(
      { ns: disk.ns, key, value: stored, storedAt: stored.time, expiresAt: Infinity, accessedAt: stored.time, hits: 1 },
      { since, evicted: evicted.map((gone) => gone.key), uses: memory.takeUses() },
      () => token.logouts === logoutCount() && memory.map.get(key) === entry,
    );
  if (token.since) void write(token.since);
  else void shelf.tiers.inTurn(key, (known) => disk.read(known)).then((read) => write(read.since));
}

/** Removes the response under `key`, in memory and on disk. */
export function remove(shelf: Shelf, key: string): Promise<boolean> {
  return shelf.tiers.delete(key, () => key);
}

/** Removes the responses of the shelf of `o`, here, on disk and in other tabs' memory. */
export async function clearShelf(o: ResolvedFetchOptions): Promise<void> {
  await (shelfNow(o) ?? (await shelfFor(o))).tiers.clear();
}

/**
 * Removes every response stored by {@link cachedFetch} and {@link createCachedFetch} instances, of
 * any options, in `config.cachePath` and every database used by an instance in this page, here
 * and in other tabs' memory. `clearCaches()` clears these too, with everything else.
 */
export async function clearFetchCache(): Promise<void> {
  const cleared: Promise<unknown>[] = [];
  const dbs = new Set<string>();
  for (const shelf of shelves.values()) {
    shelf.tiers.forget();
    if (shelf.db) dbs.add(shelf.db);
  }
  if (typeof indexedDB !== 'undefined') dbs.add(config.cachePath);
  for (const db of dbs) {
    const module = await loadDisk();
    const any = module.disk(db, PREFIX, Infinity, 'LRU', 'cachedFetch');
    // This page's shelves were emptied above: the others are told once the disk is.
    cleared.push(any.clear(true).then(() => tell({ type: 'clear', db, ns: PREFIX, prefix: true })));
  }
  await Promise.all(cleared);
}
