import type { DBSchema } from 'idb';

/** Bumped when the stored record shape changes; records of another format are ignored as misses. */
export const RECORD_FORMAT = 1;
/** IndexedDB schema version of every cache database (the lowest one: a database found above it is used as it is, or repaired). */
export const SCHEMA_VERSION = 3;

/** One persisted result. Value and metadata live in one record, so a write is whole or absent. */
export interface EntryRecord {
  /** The function's namespace (name, source hash, version, session). */
  ns: string;
  /** Hex SHA-256 of the canonical argument key. */
  key: string;
  value: unknown;
  /** Wall-clock ms when the value was computed. */
  storedAt: number;
  /** Wall-clock ms after which the value is stale (Infinity: never). */
  expiresAt: number;
  /** Wall-clock ms of the last use known to the disk (LRU order). */
  accessedAt: number;
  /** Uses known to the disk (LFU order). */
  hits: number;
  /** Session id, for per-session entries only (indexed, so gone sessions can be purged). */
  session?: string;
  format: number;
}

/**
 * Left in place of an entry by `delete()`, so that a result another tab started computing before
 * the deletion is not written over it. Kept in a store of its own; it expires like an entry.
 */
export interface TombstoneRecord {
  ns: string;
  key: string;
  /** Wall-clock ms of the deletion. */
  deletedAt: number;
  /** The page that deleted it (its stamps are ordered with its own calls'). */
  by?: string;
  expiresAt: number;
}

/** The number of entries a namespace holds, kept in step with every write so eviction never counts. */
export interface NamespaceRecord {
  ns: string;
  count: number;
  /** Wall-clock ms of the namespace's last clear(): work started before it is not stored. */
  clearedAt?: number;
  /** The page that cleared it (its stamps are ordered with its own calls'). */
  by?: string;
}

/** A tab session that has written per-session entries. */
export interface SessionRecord {
  id: string;
  /** Wall-clock ms the session was last seen alive. */
  seenAt: number;
}

/** A random secret of the database (cachedFetch keys its request hashes with it); never leaves the database. */
export interface SecretRecord {
  id: string;
  secret: Uint8Array;
}

/** The typed schema of a cache database. */
export interface CacheDB extends DBSchema {
  entries: {
    key: [string, string];
    value: EntryRecord;
    indexes: {
      /** FIFO order within a namespace; its key also gives each entry's lifetime without its value. */
      byStored: [string, number, number];
      /** LRU order within a namespace. */
      byAccessed: [string, number];
      /** LFU order within a namespace (ties: least recently used first). */
      byHits: [string, number, number];
      bySession: string;
      /** Expired entries and tombstones of every namespace, oldest first. */
      byExpires: number;
    };
  };
  tombstones: {
    key: [string, string];
    value: TombstoneRecord;
    indexes: { byExpires: number };
  };
  namespaces: { key: string; value: NamespaceRecord };
  sessions: { key: string; value: SessionRecord };
  secrets: { key: string; value: SecretRecord };
}

/** Index of the entries store that orders a namespace for eviction under each policy. */
export const EVICTION_INDEX = { FIFO: 'byStored', LRU: 'byAccessed', LFU: 'byHits' } as const;

/** Key paths of every object store and index the library needs, to create and to check a database. */
export const SHAPE = {
  entries: {
    keyPath: ['ns', 'key'],
    indexes: {
      byStored: ['ns', 'storedAt', 'expiresAt'],
      byAccessed: ['ns', 'accessedAt'],
      byHits: ['ns', 'hits', 'accessedAt'],
      bySession: 'session',
      byExpires: 'expiresAt',
    },
  },
  tombstones: { keyPath: ['ns', 'key'], indexes: { byExpires: 'expiresAt' } },
  namespaces: { keyPath: 'ns', indexes: {} },
  sessions: { keyPath: 'id', indexes: {} },
  secrets: { keyPath: 'id', indexes: {} },
} as const satisfies Record<string, { keyPath: string | readonly string[]; indexes: Record<string, string | readonly string[]> }>;

/** Whether `record` is a whole entry of the current format for `ns`/`key`, safe to return. */
export function isValidRecord(record: unknown, ns: string, key: string): record is EntryRecord {
  if (typeof record !== 'object' || record === null) return false;
  const r = record as Partial<EntryRecord>;
  return (
    r.format === RECORD_FORMAT &&
    r.ns === ns &&
    r.key === key &&
    'value' in r &&
    typeof r.storedAt === 'number' &&
    typeof r.expiresAt === 'number' &&
    typeof r.accessedAt === 'number' &&
    typeof r.hits === 'number'
  );
}

