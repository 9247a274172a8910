import type { DBSchema } from 'idb';

/** Bumped when the stored record shape changes; records of another format are ignored as misses. */
export const RECORD_FORMAT = 1;
/** IndexedDB schema version of every cache database. */
export const SCHEMA_VERSION = 1;

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

/** The number of entries a namespace holds, kept in step with every write so eviction never counts. */
export interface NamespaceRecord {
  ns: string;
  count: number;
}

/** A tab session that has written per-session entries. */
export interface SessionRecord {
  id: string;
  /** Wall-clock ms the session was last seen alive. */
  seenAt: number;
}

/** The typed schema of a cache database. */
export interface CacheDB extends DBSchema {
  entries: {
    key: [string, string];
    value: EntryRecord;
    indexes: {
      /** FIFO order within a namespace. */
      byStored: [string, number];
      /** LRU order within a namespace. */
      byAccessed: [string, number];
      /** LFU order within a namespace (ties: least recently used first). */
      byHits: [string, number, number];
      bySession: string;
    };
  };
  namespaces: { key: string; value: NamespaceRecord };
  sessions: { key: string; value: SessionRecord };
}

/** Index of the entries store that orders a namespace for eviction under each policy. */
export const EVICTION_INDEX = { FIFO: 'byStored', LRU: 'byAccessed', LFU: 'byHits' } as const;

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
