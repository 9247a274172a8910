import { memoized, notMemoized, type MemoizedInfo } from '../cache';
import type { EntryRecord } from '../disk/schema';
import type { Policy } from '../policies';
import { flushCaches, registered } from '../registry';
import { Tiers } from '../tiers';
import type { AnyFunction, CacheStats } from '../types';
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
 * @throws IdbMemoTypeError (`NOT_MEMOIZED`, synchronously) when `fn` was not made by `cache()`
 */
export function inspect(fn: AnyFunction): Promise<InspectedCache> {
  const info = memoized.get(fn);
  if (!info) throw notMemoized('inspect()', fn);
  return inspectFunction(info);
}

/**
 * Every cache of this page ({@link inspect} of each live memoized function, then the stores of
 * `cachedFetch`), with the origin's storage use from `navigator.storage.estimate()`.
 */
export async function inspectCaches(): Promise<InspectedPage> {
  const functions: MemoizedInfo[] = [];
  const tiers: Tiers[] = [];
  for (const ref of registered) {
    const cache = ref.deref();
    if (cache instanceof Tiers) tiers.push(cache);
    else if (cache && 'options' in cache) functions.push(cache as MemoizedInfo);
  }
  const ofFunctions = new Set(functions.map((info) => info.tiers()));
  const stores = tiers.filter((tier) => !ofFunctions.has(tier) && tier.disk?.ns.startsWith('idb-memo:fetch') !== false);
  const [caches, storage] = await Promise.all([
    Promise.all([...functions.map(inspectFunction), ...stores.map((tier) => inspectTiers(tier, 'cachedFetch', undefined, Infinity))]),
    storageUse(),
  ]);
  return { caches, storage };
}

function inspectFunction(info: MemoizedInfo): Promise<InspectedCache> {
  const { options } = info;
  const tiers = info.tiers();
  const stats = info.stats();
  if (tiers) return inspectTiers(tiers, info.name || 'anonymous', stats, options.ttlMs);
  // A toDisk function before its tiers are ready (the disk chunk loading, a session being resolved): nothing stored yet.
  return Promise.resolve({
    name: info.name || 'anonymous',
    policy: options.policy,
    maxItems: options.maxItems,
    ttlSeconds: options.ttlMs / 1000,
    toDisk: options.toDisk,
    database: undefined,
    namespace: undefined,
    stats,
    inProgress: 0,
    entries: [],
  });
}

async function inspectTiers(tiers: Tiers, name: string, stats: CacheStats | undefined, ttlMs: number): Promise<InspectedCache> {
  const { memory, disk } = tiers;
  if (disk) await flushCaches();
  const records = new Map((disk ? await disk.entries() : []).map((record): [string, EntryRecord] => [record.key, record]));
  const now = Date.now();
  const bounded = memory.maxItems !== Infinity;
  const entries: InspectedEntry[] = [];
  const add = (diskKey: string | undefined, label: string, where: InspectedEntry['where'], { storedAt, expiresAt, hits }: { storedAt: number; expiresAt: number; hits: number }, value: unknown) => {
    entries.push({
      label,
      diskKey,
      where,
      storedAt,
      ageMs: Math.max(0, now - storedAt),
      expiresInMs: expiresIn(storedAt, expiresAt, ttlMs, now),
      hits: Math.max(0, hits - 1),
      approxBytes: approxBytes(value),
      evictsNext: bounded && entries.length === 0,
    });
  };
  // What the tier orders (a bounded disk tier orders what is on disk only too), next victim first.
  for (const entry of memory.entries()) {
    const record = entry.diskKey === undefined ? undefined : records.get(entry.diskKey);
    if (entry.diskKey !== undefined) records.delete(entry.diskKey);
    if (!entry.warm) {
      if (record) add(entry.diskKey, labelOf(entry.diskKey!), 'disk', entry, record.value);
      continue;
    }
    const label = labelOfKey(entry.key);
    if (entry.diskKey !== undefined) remember(entry.diskKey, label);
    add(entry.diskKey, label, record ? 'both' : 'memory', entry, entry.value);
  }
  // On disk only, and not ordered by the tier (an unbounded one; another tab's writes): oldest first.
  for (const record of [...records.values()].sort((a, b) => a.storedAt - b.storedAt)) add(record.key, labelOf(record.key), 'disk', record, record.value);
  if (!bounded) entries.sort((a, b) => a.storedAt - b.storedAt);
  return {
    name,
    policy: memory.policy,
    maxItems: memory.maxItems,
    ttlSeconds: ttlMs / 1000,
    toDisk: disk !== undefined,
    database: disk?.db,
    namespace: disk?.ns,
    stats,
    inProgress: memory.inflight.size,
    entries,
  };
}

/** The label of an entry on disk: its arguments' if this page met them, else the start of its hashed key. */
function labelOf(diskKey: string): string {
  return seen.get(diskKey) ?? `#${diskKey.slice(0, 12)}`;
}

function expiresIn(storedAt: number, expiresAt: number, ttlMs: number, now: number): number {
  const end = Math.min(expiresAt, storedAt + ttlMs);
  return end === Infinity ? Infinity : end - Math.max(now, storedAt);
}

function remember(diskKey: string, label: string): void {
  if (seen.size >= MOST_SEEN && !seen.has(diskKey)) seen.delete(seen.keys().next().value!);
  seen.set(diskKey, label);
}

async function storageUse(): Promise<StorageUse | undefined> {
  try {
    const { usage, quota } = await navigator.storage.estimate();
    return { usage, quota };
  } catch {
    return undefined;
  }
}
