/**
 * The operations on a cache database, each one transaction, so that IndexedDB orders them: a
 * transaction created after another that overlaps it (in any tab) sees what that one committed.
 */

import { warnOnce } from '../errors';
import type { Held, Use } from '../memory';
import type { Policy } from '../policies';
import { done, errorName, req } from './connection';
import { unpersistableReason } from './persistable';
import { EVICTION_INDEX, inNamespace, isEntry, namesFrom, newEpoch, type EntryRecord, type MetaRecord, type NamespaceRecord, type StoreName } from './schema';

/** What a call's read saw: the database's epoch and the namespace's removal sequence. */
export interface Since {
  readonly epoch: string | undefined;
  readonly seq: number;
}

/** A read: the record if one is stored, and what the read saw (undefined if the read failed). */
export interface Read {
  readonly record: EntryRecord | undefined;
  readonly since: Since | undefined;
}

/** What a write knows besides its record. */
export interface WriteContext {
  /** What the call's read saw: a removal or logout since then drops the write. */
  readonly since: Since;
  /** Keys the memory tier evicted to make room for it: gone from the disk too. */
  readonly evicted: readonly string[];
  /** Uses of other entries of the namespace made before it, hits being read back included (LRU/LFU order). */
  readonly uses: readonly Use[];
  /** A prefix of its key whose removal since `since` drops the write too (cachedFetch's URL part). */
  readonly guard?: string | undefined;
}

/** A result to store, and what its call knew. */
export interface Put extends WriteContext {
  readonly record: EntryRecord;
  readonly maxItems: number;
  readonly policy: Policy;
  /** Names the function in warnings. */
  readonly label: string;
}

/** Past this many tombstones, a namespace drops them and raises its floor instead (writes of older reads are dropped). */
const MOST_TOMBSTONES = 1000;
/** Most expired entries removed by one sweep. */
const SWEEP_BATCH = 200;

type Stores = Record<StoreName, IDBObjectStore>;

/** A transaction over `names`, its stores, and its outcome. */
function transaction(db: IDBDatabase, names: StoreName[], mode: IDBTransactionMode): [Stores, Promise<void>] {
  const tx = db.transaction(names, mode);
  const stores = {} as Stores;
  for (const name of names) stores[name] = tx.objectStore(name);
  const outcome = done(tx);
  outcome.catch(() => {});
  return [stores, outcome];
}

/** The namespace record of `ns` as stored, or a new one (a damaged one is counted again). */
async function namespaceOf(s: Stores, ns: string): Promise<NamespaceRecord> {
  const found = (await req(s.namespaces.get(ns))) as Partial<NamespaceRecord> | undefined;
  const valid = (n: unknown): n is number => typeof n === 'number' && n >= 0 && Number.isSafeInteger(n);
  const seq = valid(found?.seq) ? found.seq : 0;
  return {
    ns,
    seq,
    // A damaged floor is raised to the sequence: reads made before it write nothing.
    floor: valid(found?.floor) ? found.floor : seq,
    count: valid(found?.count) ? found.count : await req(s.entries.count(inNamespace(ns))),
    tombs: valid(found?.tombs) ? found.tombs : 0,
    usedAt: typeof found?.usedAt === 'number' ? found.usedAt : Date.now(),
  };
}


interface PendingRead {
  readonly ns: string;
  /** Undefined: only what the read saw is wanted. */
  readonly key: string | undefined;
  readonly resolve: (read: Read) => void;
}

/**
 * Reads `reads` in one readonly transaction: the epoch and each namespace first, so that each
 * entry's answer comes with what its read saw.
 */
export function readAll(db: IDBDatabase, reads: readonly PendingRead[]): Promise<void> {
  const [s, outcome] = transaction(db, ['entries', 'namespaces', 'meta'], 'readonly');
  const epoch = req(s.meta.get('epoch'));
  const seqs = new Map<string, Promise<unknown>>();
  for (const { ns } of reads) if (!seqs.has(ns)) seqs.set(ns, req(s.namespaces.get(ns)));
  return Promise.all(
    reads.map(async ({ ns, key, resolve }) => {
      const record: unknown = key === undefined ? undefined : await req(s.entries.get([ns, key]));
      const seq = ((await seqs.get(ns)) as Partial<NamespaceRecord> | undefined)?.seq;
      resolve({
        record: key !== undefined && isEntry(record, ns, key) ? record : undefined,
        since: { epoch: epochOf(await epoch), seq: typeof seq === 'number' ? seq : 0 },
      });
    }),
  ).then(() => outcome);
}

export type { PendingRead };

/** What a write did: whether it stored its record, whether a removal or logout since its read refused it, and which keys it evicted. */
export interface Written {
  readonly stored: boolean;
  readonly refused: boolean;
  readonly evicted: readonly string[];
}

/** The epoch of a meta record: a string, or undefined (none yet, or a damaged record, read alike every time). */
const epochOf = (record: unknown): string | undefined => {
  const value = (record as MetaRecord | undefined)?.value;
  return typeof value === 'string' ? value : undefined;
};

/**
 * Stores `put` unless a logout, a clear() of its namespace or a delete() of its key came since its
 * call's read; evicts per policy to stay within `maxItems`. Rejects only if the transaction fails
 * (a full quota).
 */
export async function write(db: IDBDatabase, put: Put): Promise<Written> {
  const { record, since } = put;
  const id = [record.ns, record.key];
  const [s, outcome] = transaction(db, ['entries', 'namespaces', 'tombstones', 'meta'], 'readwrite');
  const [epoch, tombstone, guard] = await Promise.all([
    req(s.meta.get('epoch')),
    req(s.tombstones.get(id)),
    put.guard === undefined ? undefined : req(s.tombstones.get([record.ns, put.guard])),
  ]);
  const ns = await namespaceOf(s, record.ns);
  await applyUses(s, record.ns, put.uses);
  let stored = false;
  let evicted: string[] = [];
    const newer = (t: unknown) => typeof (t as { seq?: unknown } | undefined)?.seq === 'number' && (t as { seq: number }).seq > since.seq;
  const refused = !(epochOf(epoch) === since.epoch && ns.floor <= since.seq && !newer(tombstone) && !newer(guard));
  if (!refused) {
    for (const key of put.evicted) if (key !== record.key) await removeEntry(s, ns, key);
    const isNew = (await req(s.entries.count(id))) === 0;
    // Full: expired entries go first, as they do from memory; then the policy's victims.
    if (isNew && ns.count >= put.maxItems) await sweepExpired(s, ns);
    if (isNew && ns.count >= put.maxItems) evicted = await evict(s, ns, put.policy, ns.count - put.maxItems + 1);
    const unstorable = unpersistableReason(record.value);
    if (unstorable !== undefined) warnUnstorable(put.label, unstorable);
    else {
      try {
        s.entries.put(record);
        stored = true;
      } catch (error) {
        if (errorName(error) === 'QuotaExceededError') throw error;
        // Structured clone refused the value (thrown at once, the transaction still usable).
        warnUnstorable(put.label, String(error));
      }
    }
    // The tombstone stays: a write of a read older than the removal, made later, must still be refused.
    if (stored && isNew) ns.count++;
  }
  ns.usedAt = Date.now();
  s.namespaces.put(ns);
  await outcome;
  return { stored, refused, evicted };
}

/** Warns once per function that a result is kept in memory only, and why. */
export function warnUnstorable(label: string, reason: string): void {
  warnOnce('UNSTORABLE_RESULT', `clone:${label}`, __DEV__ && `a result of ${label} cannot be stored in IndexedDB (${reason}); it is kept in memory only`);
}

/**
 * What a removal removes: the entry of a key, the entries whose keys start with it, or those in
 * every namespace whose name starts with the namespace's (cachedFetch's URL, in every instance's store).
 */
export type Scope = 'key' | 'prefix' | 'prefix-everywhere';

/**
 * Removes per `scope` and leaves a tombstone under `key` in each namespace it reaches; resolves
 * whether there was anything to remove.
 */
export async function remove(db: IDBDatabase, nsName: string, key: string, scope: Scope = 'key'): Promise<boolean> {
  const [s, outcome] = transaction(db, ['entries', 'namespaces', 'tombstones'], 'readwrite');
  const names = scope === 'prefix-everywhere' ? ((await req(s.namespaces.getAllKeys(namesFrom(nsName)))) as string[]) : [nsName];
  let existed = false;
  for (const name of names) {
    const ns = await namespaceOf(s, name);
    ns.seq++;
    if (scope === 'key') existed = (await removeEntry(s, ns, key)) || existed;
    else {
      const range = IDBKeyRange.bound([name, key], [name, `${key}\uffff`]);
      const count = await req(s.entries.count(range));
      s.entries.delete(range);
      ns.count = Math.max(0, ns.count - count);
      existed ||= count > 0;
    }
    if (ns.tombs >= MOST_TOMBSTONES) {
      s.tombstones.delete(inNamespace(name));
      ns.floor = ns.seq;
      ns.tombs = 0;
    } else {
      s.tombstones.put({ ns: name, key, seq: ns.seq });
      ns.tombs++;
    }
    s.namespaces.put(ns);
  }
  await outcome;
  return existed;
}

/** Removes every entry of namespace `ns` (of every namespace starting with it, with `prefix`): writes of earlier reads are dropped. */
export async function clear(db: IDBDatabase, nsName: string, prefix = false): Promise<void> {
  const [s, outcome] = transaction(db, ['entries', 'namespaces', 'tombstones'], 'readwrite');
  const names = prefix ? ((await req(s.namespaces.getAllKeys(namesFrom(nsName)))) as string[]) : [nsName];
  for (const name of names) {
    const ns = await namespaceOf(s, name);
    s.entries.delete(inNamespace(name));
    s.tombstones.delete(inNamespace(name));
    s.namespaces.put({ ...ns, seq: ns.seq + 1, floor: ns.seq + 1, count: 0, tombs: 0 });
  }
  await outcome;
}

/**
 * A logout: empties every store and writes a new epoch, in one transaction that no other tab's
 * connection can block. A write whose read saw the old epoch is dropped; a read ordered after this
 * transaction finds nothing.
 */
export async function logout(db: IDBDatabase): Promise<void> {
  const [s, outcome] = transaction(db, ['entries', 'namespaces', 'tombstones', 'meta'], 'readwrite');
  for (const store of Object.values(s)) store.clear();
  s.meta.put({ id: 'epoch', value: newEpoch() } satisfies MetaRecord);
  await outcome;
}

/** Removes the entries `keys` of `ns` that the memory tier evicted. */
export async function evictKeys(db: IDBDatabase, nsName: string, keys: readonly string[]): Promise<void> {
  const [s, outcome] = transaction(db, ['entries', 'namespaces'], 'readwrite');
  const ns = await namespaceOf(s, nsName);
  for (const key of keys) await removeEntry(s, ns, key);
  s.namespaces.put(ns);
  await outcome;
}

/** Records `uses` of entries of `ns` (LRU/LFU order on disk). */
export async function touch(db: IDBDatabase, ns: string, uses: readonly Use[]): Promise<void> {
  const [s, outcome] = transaction(db, ['entries'], 'readwrite');
  await applyUses(s, ns, uses);
  await outcome;
}

/** cachedFetch's secret of the database: read, or made at random and stored when there is none (or a damaged one). */
export async function secret(db: IDBDatabase): Promise<Uint8Array> {
  const [s, outcome] = transaction(db, ['meta'], 'readwrite');
  const found = ((await req(s.meta.get('secret'))) as MetaRecord | undefined)?.value;
  let value = found instanceof Uint8Array && found.length === 32 ? found : undefined;
  if (!value) s.meta.put({ id: 'secret', value: (value = crypto.getRandomValues(new Uint8Array(32))) } satisfies MetaRecord);
  await outcome;
  return value;
}

/**
 * The entries of `ns` in `policy`'s eviction order, without their values (their index keys only:
 * a namespace of large values is ordered without reading them).
 */
export async function order(db: IDBDatabase, ns: string, policy: Policy): Promise<Held[]> {
  const [s] = transaction(db, ['entries'], 'readonly');
  const lives = new Map<string, { diskKey: string; storedAt: number; expiresAt: number; hits: number }>();
  await eachKey(s.entries.index('byStored').openKeyCursor(inNamespace(ns)), (key, diskKey) => {
    lives.set(diskKey, { diskKey, storedAt: key[1] as number, expiresAt: key[2] as number, hits: 1 });
  });
  if (policy === 'FIFO') return [...lives.values()];
  const ordered: Held[] = [];
  await eachKey(s.entries.index(EVICTION_INDEX[policy]).openKeyCursor(inNamespace(ns)), (key, diskKey) => {
    const life = lives.get(diskKey);
    if (life) ordered.push(policy === 'LFU' ? { ...life, hits: key[1] as number } : life);
  });
  return ordered;
}

/** Calls `each` with the index key and entry key of every record a key cursor walks. */
async function eachKey(request: IDBRequest<IDBCursor | null>, each: (key: unknown[], diskKey: string) => void): Promise<void> {
  for (let cursor = await req(request); cursor; cursor = await req(request)) {
    each(cursor.key as unknown[], (cursor.primaryKey as [string, string])[1]);
    cursor.continue();
  }
}

/** Every entry of `ns` (for the inspector). */
export async function entriesOf(db: IDBDatabase, ns: string): Promise<EntryRecord[]> {
  const [s] = transaction(db, ['entries'], 'readonly');
  return ((await req(s.entries.getAll(inNamespace(ns)))) as unknown[]).filter((r): r is EntryRecord => isEntry(r, ns, (r as EntryRecord).key));
}

/**
 * Upkeep, once per page and database: the namespaces of other versions of the `claimed` names
 * (`[name, version]`), of `ended` sessions and those unused for `maxUnusedMs` go, and so does a
 * batch of expired entries. The `claimed` versions are marked used now.
 */
export async function upkeep(
  db: IDBDatabase,
  claimed: readonly (readonly [string, string])[],
  ended: (ns: string, usedAt: number) => boolean,
  maxUnusedMs: number,
): Promise<void> {
  const [s, outcome] = transaction(db, ['entries', 'namespaces', 'tombstones'], 'readwrite');
  const now = Date.now();
  for (const record of (await req(s.namespaces.getAll())) as NamespaceRecord[]) {
    const { ns, usedAt } = record;
    if (typeof ns !== 'string') continue;
    const [name, version] = ns.split('\0');
    const claim = claimed.find(([claimedName]) => claimedName === name);
    const unused = !(now - usedAt < maxUnusedMs);
    // A retired record goes once unused for as long: a page still writing there by then is gone.
    if (record.retired) {
      if (unused) s.namespaces.delete(ns);
    } else if ((claim && version !== undefined && version !== claim[1]) || ended(ns, usedAt) || unused) retire(s, record, now);
    else if (claim) s.namespaces.put({ ...record, usedAt: now });
  }
  await sweepExpired(s);
  await outcome;
}

/**
 * Deletes a batch of expired entries, of any namespace, keeping the counts of the namespaces that
 * still exist; `own`, the record of a namespace the caller writes, is updated in place.
 */
async function sweepExpired(s: Stores, own?: NamespaceRecord): Promise<void> {
  const removed = new Map<string, number>();
  const request = s.entries.index('byExpires').openKeyCursor(IDBKeyRange.upperBound(Date.now()));
  let swept = 0;
  for (let cursor = await req(request); cursor && swept++ < SWEEP_BATCH; cursor = await req(request)) {
    const [ns] = cursor.primaryKey as [string, string];
    s.entries.delete(cursor.primaryKey);
    removed.set(ns, (removed.get(ns) ?? 0) + 1);
    cursor.continue();
  }
  for (const [name, count] of removed) {
    if (name === own?.ns) own.count = Math.max(0, own.count - count);
    else {
      if ((await req(s.namespaces.count(name))) === 0) continue; // dropped meanwhile: not made anew
      const ns = await namespaceOf(s, name);
      s.namespaces.put({ ...ns, count: Math.max(0, ns.count - count) });
    }
  }
}

/**
 * Retires a namespace: its entries and tombstones go; its record stays, with its floor raised past
 * every removal it saw, so that a page still using it (an older version of the app, a tab thought
 * gone) stores nothing it began before. The upkeep deletes the record once unused for long.
 */
function retire(s: Stores, record: NamespaceRecord, now: number): void {
  s.entries.delete(inNamespace(record.ns));
  s.tombstones.delete(inNamespace(record.ns));
  const seq = (Number.isSafeInteger(record.seq) ? record.seq : 0) + 1;
  s.namespaces.put({ ns: record.ns, seq, floor: seq, count: 0, tombs: 0, usedAt: now, retired: true } satisfies NamespaceRecord);
}

/** Deletes up to `most` records a cursor walks, telling `seen` of each first. */
async function eachCursor(request: IDBRequest<IDBCursorWithValue | null>, most: number, seen?: (cursor: IDBCursorWithValue) => void): Promise<number> {
  let deleted = 0;
  for (let cursor = await req(request); cursor && deleted < most; deleted++) {
    seen?.(cursor);
    cursor.delete();
    cursor.continue();
    cursor = await req(request);
  }
  return deleted;
}

/** Applies `uses` to the entries of `ns` they name: more hits, a later last use. */
async function applyUses(s: Stores, ns: string, uses: readonly Use[]): Promise<void> {
  for (const { diskKey, hits, at } of uses) {
    const record: unknown = await req(s.entries.get([ns, diskKey]));
    if (!isEntry(record, ns, diskKey)) continue;
    record.hits += hits;
    record.accessedAt = Math.max(record.accessedAt, at);
    s.entries.put(record);
  }
}

async function removeEntry(s: Stores, ns: NamespaceRecord, key: string): Promise<boolean> {
  const id = [ns.ns, key];
  if ((await req(s.entries.count(id))) === 0) return false;
  s.entries.delete(id);
  ns.count = Math.max(0, ns.count - 1);
  return true;
}

/** Evicts the `count` least valuable entries of `ns` by its policy's index; returns their keys. */
async function evict(s: Stores, ns: NamespaceRecord, policy: Policy, count: number): Promise<string[]> {
  const evicted: string[] = [];
  await eachCursor(s.entries.index(EVICTION_INDEX[policy]).openCursor(inNamespace(ns.ns)), count, (cursor) => void evicted.push((cursor.value as EntryRecord).key));
  ns.count = Math.max(0, ns.count - evicted.length);
  return evicted;
}

/** Frees room after a full quota: evicts a tenth (at least one) of namespace `ns`. */
export async function makeRoom(db: IDBDatabase, nsName: string, policy: Policy): Promise<void> {
  const [s, outcome] = transaction(db, ['entries', 'namespaces'], 'readwrite');
  const ns = await namespaceOf(s, nsName);
  await evict(s, ns, policy, Math.max(1, Math.ceil(ns.count / 10)));
  s.namespaces.put(ns);
  await outcome;
}

