import { config } from '../config';
import { announceRemoval } from '../disk/cross-tab';
import { sharedTier, storeFor } from '../disk/disk-tier';
import type { DiskOp } from '../disk/store';
import { registerCache } from '../registry';
import { orderedNow, Tier } from '../tier';
import { TOKEN } from './http';
import { varyDigest } from './key';
import type { ResolvedFetchOptions } from './options';
import type { CacheStatus, StoredResponse } from './response';

/** What a shared network request produced: a stored response, or a response that was not stored. */
export type Source = StoredResponse | Response;

/**
 * The responses of one storage configuration (database, bound and policy), shared by every
 * cachedFetch instance with that configuration in this page: one {@link Tier}, like a memoized function's.
 */
export interface Shelf {
  readonly db: string;
  /** Its entries; its `inflight` holds the network requests in progress, by flight key (see share). */
  readonly tier: Tier<StoredResponse>;
}

/** A stored response found for a request. */
export interface Found {
  readonly stored: StoredResponse;
  readonly from: CacheStatus;
}

/** Namespace prefix of every fetch entry (the format of the stored form included). */
const PREFIX = 'idb-memo:fetch@2';
const shelves = new Map<string, Shelf>();

/** The shelf of options `o` (its database is `o.cachePath` or, at the time of the call, `config.cachePath`). */
export function shelfFor(o: ResolvedFetchOptions): Shelf {
  const db = o.toDisk ? (o.cachePath ?? config.cachePath) : '';
  const bounded = Number.isFinite(o.maxItems);
  const ns = PREFIX + (bounded ? `/${o.maxItems}${o.policy}` : '');
  // `ns` has no space, so the first space ends it.
  const id = `${ns} ${db}`;
  let shelf = shelves.get(id);
  if (!shelf) {
    const tier = db
      ? sharedTier(db, ns, '', (binding) => new Tier<StoredResponse>(o.maxItems, o.policy, { ...binding, guards: [ns, PREFIX], diskKeyOf: (key) => key, label: 'cachedFetch' }))
      : new Tier<StoredResponse>(o.maxItems, o.policy);
    if (!db) registerCache(tier, () => tier.dropAll());
    shelves.set(id, (shelf = { db, tier }));
  }
  return shelf;
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
 * A damaged or foreign record, or one that no longer makes a valid Response, is a miss.
 */
export async function lookup(shelf: Shelf, key: string, request: Request, o: ResolvedFetchOptions, secret: Uint8Array): Promise<Found | undefined> {
  try {
    const { tier } = shelf;
    if (!tier.ready) await tier.whenReady(() => undefined);
    let stored: unknown = tier.get(key)?.value;
    let from: CacheStatus = 'memory';
    if (stored === undefined && tier.disk) {
      // Freshness is decided on each read, from `time` and the reader's ttl: expired entries still answer when offline.
      stored = (await tier.load(key, Infinity, shelf))?.value;
      from = 'disk';
      if (stored !== undefined && !isUsable(stored)) {
        // Not kept in memory either: the record stays a miss until a good answer overwrites it.
        tier.dropDiskKey(key);
        return undefined;
      }
    }
    if (!isStoredResponse(stored)) return undefined;
    if (!o.cacheable(stored.status) || stored.varyDigest !== varyDigest(stored.vary, request.headers, secret)) return undefined;
    return { stored, from };
  } catch {
    return undefined;
  }
}

/** Keeps `stored` under `key`: in memory at once, on disk behind (a too-big body only warns). */
export function save(shelf: Shelf, key: string, stored: StoredResponse, startedAt: number): void {
  shelf.tier.set(key, { value: stored, storedAt: stored.time, expiresAt: Infinity }, shelf, startedAt);
}

/** Removes the responses of `shelf`, here, on disk and in other tabs' memory. */
export async function clearShelf(shelf: Shelf): Promise<void> {
  await shelf.tier.whenReady(() => shelf.tier.clear());
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
  for (const shelf of shelves.values()) {
    if (shelf.db) dbs.add(shelf.db);
    cleared.push(shelf.tier.whenReady(() => shelf.tier.clear(clear)));
  }
  for (const db of dbs) {
    announceRemoval({ type: 'clear', db, ns: PREFIX, prefix: true });
    cleared.push(storeFor(db).apply(clear));
  }
  await Promise.all(cleared);
}
