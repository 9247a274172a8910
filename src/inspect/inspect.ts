import type { AnyFunction, CacheStats, Memoized } from '../types';
import { namespaceRange } from '../disk/store';
import { isValidRecord, type EntryRecord } from '../disk/schema';
import { entriesInOrder, type Policy } from '../policies';
import { inspectHookOf, memories, type InspectHook } from '../registry';
import { Tier, type Entry } from '../tier';
import { labelOfKey } from './label';
import { approxBytes } from './size';

/** One result held by a cache, as {@link inspect} sees it. */
export interface InspectedEntry {
  /**
   * A short label of the call's arguments, made in this page from the key (never stored), e.g.
   * `'apple'` or `5, true`. An entry on disk whose arguments this page has not seen shows `#`
   * and the start of its hashed disk key.
   */
  readonly label: string;
  /** The hex SHA-256 the entry is stored under in IndexedDB; undefined in a memory-only cache. */
  readonly diskKey: string | undefined;
  /** In memory only (a memory-only cache, or not yet written), on disk only, or in both. */
  readonly where: 'memory' | 'disk' | 'both';
  /** Wall-clock ms when the result was computed. */
  readonly storedAt: number;
  /** Milliseconds since it was computed. */
  readonly ageMs: number;
  /** Milliseconds until it expires (0 or less: expired, removed at the next sweep); Infinity without a ttl. */
  readonly expiresInMs: number;
  /** Calls it answered since it was stored (as far as this page and the disk know). */
  readonly hits: number;
  /** A rough size of the value in bytes (UTF-16 strings, 8-byte numbers, binary data by length). */
  readonly approxBytes: number;
  /** Whether the policy evicts this entry next when the cache is full (bounded caches only). */
  readonly evictsNext: boolean;
}

/** What one cache holds, as {@link inspect} sees it. */
export interface InspectedCache {
  /** The memoized function's name (its `name` option, else its own), or `'cachedFetch'`. */
  readonly name: string;
  readonly policy: Policy;
  /** Most entries kept; Infinity when unbounded. */
  readonly maxItems: number;
  /** Seconds a result stays valid; Infinity without a ttl. */
  readonly ttlSeconds: number;
  readonly toDisk: boolean;
  /** IndexedDB database of the disk tier; undefined without one. */
  readonly database: string | undefined;
  /** Namespace of the entries in that database; undefined without a disk tier. */
  readonly namespace: string | undefined;
  /** The function's counters (undefined for a cachedFetch store). */
  readonly stats: CacheStats | undefined;
  /** Calls computing now, which identical calls join. */
  readonly inProgress: number;
  /**
   * Every entry, in memory and on disk. In a bounded cache, in eviction order: the first is
   * evicted next. Otherwise from oldest to newest.
   */
  readonly entries: readonly InspectedEntry[];
}

/** The origin's storage use, from `navigator.storage.estimate()` (every kind of storage, not only this library's). */
export interface StorageUse {
  /** Bytes used by the origin. */
  readonly usage: number | undefined;
  /** Bytes the origin may use. */
  readonly quota: number | undefined;
}

/** Every cache of the page, and the origin's storage use. */
export interface InspectedPage {
  /** The memoized functions alive in this page (a decorated method once), then cachedFetch's stores. */
  readonly caches: readonly InspectedCache[];
  /** Undefined where the Storage API is missing. */
  readonly storage: StorageUse | undefined;
}

/** Labels of calls seen by this page, by disk key: a disk-only entry keeps its label once seen. Memory only. */
const seen = new Map<string, string>();
const MOST_SEEN = 10_000;

/**
 * What the cache of `fn`, a function made by `cache()` (or a method decorated with `@cache`),
 * holds now, in memory and on disk: each entry's label, age, time to expiry, hits, approximate
 * size, and which one the policy evicts next. Changes not yet written are written first
 * (`flushCaches()`), so that the disk part shows what a reload would find.
 *
 * This module is not imported by `cache()`: apps that never import it do not carry it.
 * @param fn - a memoized function, or a `@cache` method (typed as the plain method it decorates)
 * @throws TypeError (synchronously) when `fn` was not made by `cache()`
 */
export function inspect(fn: AnyFunction): Promise<InspectedCache> {
  const found = hookOf(fn);
  if (!found) {
    throw new TypeError(`idb-memo: inspect() takes a function made by cache() or a method decorated with @cache (got ${describe(fn)})`);
  }
  return inspectFunction(found.owner, found.hook);
}

/**
 * Every cache of this page ({@link inspect} of each live memoized function, then the stores of
 * `cachedFetch`), with the origin's storage use from `navigator.storage.estimate()`.
 */
export async function inspectCaches(): Promise<InspectedPage> {
  const functions: Promise<InspectedCache>[] = [];
  const tiersOfFunctions = new Set<Tier<unknown>>();
  const others: Tier<unknown>[] = [];
  for (const ref of memories) {
    const owner = ref.deref();
    if (owner === undefined) continue;
    const hook = inspectHookOf(owner);
    if (hook) {
      const tier = hook()[0];
      if (tier) tiersOfFunctions.add(tier);
      functions.push(inspectFunction(owner as Memoized<AnyFunction>, hook));
    } else if (owner instanceof Tier) others.push(owner as Tier<unknown>);
  }
  const stores = others.filter((tier) => !tiersOfFunctions.has(tier)).map((tier) => inspectTier(tier, tier.disk?.label ?? 'cachedFetch', undefined, undefined));
  const [caches, storage] = await Promise.all([Promise.all([...functions, ...stores]), storageUse()]);
  return { caches, storage };
}

function hookOf(fn: unknown): { owner: Memoized<AnyFunction>; hook: InspectHook } | undefined {
  if (typeof fn !== 'function') return undefined;
  const hook = inspectHookOf(fn);
  if (hook) return { owner: fn as Memoized<AnyFunction>, hook };
  // A decorated method is bound to each instance: it shares its stats() with the function cache() made.
  const stats = (fn as Partial<Memoized<AnyFunction>>).stats;
  if (typeof stats !== 'function') return undefined;
  for (const ref of memories) {
    const owner = ref.deref();
    const ownerHook = owner && inspectHookOf(owner);
    if (ownerHook && (owner as Memoized<AnyFunction>).stats === stats) return { owner: owner as Memoized<AnyFunction>, hook: ownerHook };
  }
  return undefined;
}

function inspectFunction(fn: Memoized<AnyFunction>, hook: InspectHook): Promise<InspectedCache> {
  const [tier, options] = hook();
  const name = options.name ?? (fn.name || 'anonymous');
  const stats = fn.stats();
  if (!tier) {
    // A per-session function before its session is known: nothing stored yet.
    const ttlSeconds = options.ttlMs / 1000;
    return Promise.resolve({ name, policy: options.policy, maxItems: options.maxItems, ttlSeconds, toDisk: options.toDisk, database: undefined, namespace: undefined, stats, inProgress: 0, entries: [] });
  }
  return inspectTier(tier, name, stats, options.ttlMs);
}

async function inspectTier(tier: Tier<unknown>, name: string, stats: CacheStats | undefined, ttlMs: number | undefined): Promise<InspectedCache> {
  await tier.whenReady(() => undefined); // a bounded disk tier reads its eviction index first
  const disk = tier.disk;
  const records = disk ? await diskRecords(tier) : new Map<string, EntryRecord>();
  const now = Date.now();
  const bounded = Number.isFinite(tier.maxItems);
  const known: Entry<unknown>[] = bounded ? (entriesInOrder(tier.order) as Entry<unknown>[]) : [...tier.byKey.values()];
  const victim = bounded ? known[0] : undefined;
  const entries: InspectedEntry[] = [];
  const listed = new Set<string>();
  for (const entry of known) {
    const inMemory = entry.promise !== undefined;
    const diskKey = entry.diskKey;
    const record = diskKey === undefined ? undefined : records.get(diskKey);
    if (!inMemory && !record) continue; // Gone from the disk meanwhile (another tab).
    if (diskKey !== undefined) listed.add(diskKey);
    if (inMemory && entry.key !== undefined && diskKey !== undefined) remember(diskKey, labelOfKey(entry.key));
    entries.push({
      label: entry.key !== undefined ? labelOfKey(entry.key) : labelOfDiskKey(diskKey!),
      diskKey,
      where: !record ? 'memory' : inMemory ? 'both' : 'disk',
      storedAt: entry.storedAt,
      ageMs: Math.max(0, now - entry.storedAt),
      expiresInMs: expiresIn(entry.storedAt, entry.expiresAt, ttlMs, now),
      hits: entry.hits,
      approxBytes: approxBytes(inMemory ? entry.value : record!.value),
      evictsNext: entry === victim,
    });
  }
  // Entries on disk this tier does not track (an unbounded tier keeps no index; another tab's writes).
  const rest = [...records.values()].filter((record) => !listed.has(record.key)).sort((a, b) => a.storedAt - b.storedAt);
  for (const record of rest) {
    entries.push({
      label: labelOfDiskKey(record.key),
      diskKey: record.key,
      where: 'disk',
      storedAt: record.storedAt,
      ageMs: Math.max(0, now - record.storedAt),
      expiresInMs: expiresIn(record.storedAt, record.expiresAt, ttlMs, now),
      hits: Math.max(0, record.hits - 1),
      approxBytes: approxBytes(record.value),
      evictsNext: false,
    });
  }
  if (!bounded) entries.sort((a, b) => a.storedAt - b.storedAt);
  return {
    name,
    policy: tier.policy,
    maxItems: tier.maxItems,
    ttlSeconds: (ttlMs ?? Infinity) / 1000,
    toDisk: disk !== undefined,
    database: disk?.store.connection.name,
    namespace: disk?.ns,
    stats,
    inProgress: tier.inflight.size,
    entries,
  };
}

/** The records of the tier's namespace, by disk key, once the page's queued changes are written. */
async function diskRecords(tier: Tier<unknown>): Promise<Map<string, EntryRecord>> {
  const { store, ns } = tier.disk!;
  await store.flush();
  const records = await store.connection.run((db) => db.getAll('entries', namespaceRange(ns)), [] as EntryRecord[]);
  const byKey = new Map<string, EntryRecord>();
  for (const record of records) if (isValidRecord(record, ns, record.key)) byKey.set(record.key, record);
  return byKey;
}

function expiresIn(storedAt: number, expiresAt: number, ttlMs: number | undefined, now: number): number {
  const end = Math.min(expiresAt, storedAt + (ttlMs ?? Infinity));
  // Stamps may run up to 1 ms ahead of the clock (orderedNow): never report more than the ttl.
  return end === Infinity ? Infinity : end - Math.max(now, storedAt);
}

function remember(diskKey: string, label: string): void {
  if (seen.size >= MOST_SEEN && !seen.has(diskKey)) seen.delete(seen.keys().next().value!);
  seen.set(diskKey, label);
}

function labelOfDiskKey(diskKey: string): string {
  return seen.get(diskKey) ?? `#${diskKey.slice(0, 12)}`;
}

async function storageUse(): Promise<StorageUse | undefined> {
  if (typeof navigator === 'undefined' || typeof navigator.storage?.estimate !== 'function') return undefined;
  try {
    const { usage, quota } = await navigator.storage.estimate();
    return { usage, quota };
  } catch {
    return undefined;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `the function ${value.name || '(anonymous)'}`;
  return value === null ? 'null' : typeof value;
}
