/** The shape of a cache database: its object stores, indexes and records. */

/** Version of every cache database this library makes; older ones are remade on open. */
export const SCHEMA_VERSION = 4;

/** One stored result: value and metadata in one record, so that a write is whole or absent. */
export interface EntryRecord {
  /** The namespace: `name \0 version` of a function (`\0 session` after it when per-session), or a fetch store's. */
  ns: string;
  /** Hex SHA-256 of the argument key (a keyed hash for cachedFetch). */
  key: string;
  value: unknown;
  /** Wall-clock ms when the value was computed. */
  storedAt: number;
  /** Wall-clock ms after which it is stale and swept (Infinity: never). */
  expiresAt: number;
  /** Wall-clock ms of its last use known to the disk (LRU order). */
  accessedAt: number;
  /** Uses known to the disk, its computation included (LFU order). */
  hits: number;
}

/**
 * What the database knows of a namespace. `seq` counts its removals; a `clear()` sets `floor` to
 * it. A write whose call read the namespace at sequence `s` commits only if `floor <= s` and the
 * key's tombstone (if any) is at most `s`: a removal made after the read wins.
 */
export interface NamespaceRecord {
  ns: string;
  seq: number;
  floor: number;
  /** Entries it holds: eviction never counts them. */
  count: number;
  /** Tombstones it holds: past a limit they are dropped and `floor` is raised instead. */
  tombs: number;
  /** Wall-clock ms it was last used by a page (or retired): unused namespaces are swept. */
  usedAt: number;
  /** Set when the upkeep removed its entries (another version, an ended session, long unused); cleared by the next write. */
  retired?: boolean;
}

/** Left by `delete()`: a write whose call read the namespace before `seq` does not bring the key back. */
export interface TombstoneRecord {
  ns: string;
  key: string;
  seq: number;
}

/**
 * Small records of the database: its `epoch` (a random value written by every logout, which a
 * write compares with what its call's read saw) and cachedFetch's `secret`.
 */
export interface MetaRecord {
  id: 'epoch' | 'secret';
  value: unknown;
}

/** A random epoch: written by every logout, and when a database is made. */
export const newEpoch = (): string => crypto.getRandomValues(new Uint32Array(4)).join('.');

/** Object stores and their indexes: `[name, keyPath, indexes]`. */
export const STORES = [
  [
    'entries',
    ['ns', 'key'],
    {
      byAccessed: ['ns', 'accessedAt'],
      byHits: ['ns', 'hits', 'accessedAt'],
      byStored: ['ns', 'storedAt', 'expiresAt'],
      byExpires: 'expiresAt',
    },
  ],
  ['namespaces', 'ns', {}],
  ['tombstones', ['ns', 'key'], {}],
  ['meta', 'id', {}],
] as const satisfies readonly (readonly [string, string | readonly string[], Record<string, string | readonly string[]>])[];

/** Every object store's name. */
export type StoreName = (typeof STORES)[number][0];

/** Index of the entries store that orders a namespace for eviction under each policy. */
export const EVICTION_INDEX = { FIFO: 'byStored', LRU: 'byAccessed', LFU: 'byHits' } as const;

/** Whether `record` is a whole entry of `ns`/`key`, safe to return. */
export function isEntry(record: unknown, ns: string, key: string): record is EntryRecord {
  const r = record as Partial<EntryRecord> | undefined;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.ns === ns &&
    r.key === key &&
    'value' in r &&
    typeof r.storedAt === 'number' &&
    typeof r.expiresAt === 'number' &&
    typeof r.accessedAt === 'number' &&
    typeof r.hits === 'number'
  );
}

/** Range of every `[ns, …]` key of namespace `ns` in the entries and tombstones stores and their indexes. */
export function inNamespace(ns: string): IDBKeyRange {
  // Arrays sort after every number and string, so [ns, []] is above every [ns, …] key.
  return IDBKeyRange.bound([ns], [ns, []]);
}

/** Range of every namespace name starting with `prefix`. */
export function namesFrom(prefix: string): IDBKeyRange {
  return IDBKeyRange.bound(prefix, `${prefix}\uffff`);
}
