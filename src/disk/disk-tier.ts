import { config } from '../config';
import { sha256OfText } from '../key/digest';
import { isExpired } from '../memory-tier';
import type { ResolvedOptions } from '../options';
import { onClearCaches } from '../registry';
import { connection, deleteAllDatabases } from './connection';
import { announceRemoval, listenForRemovals, withLock, type RemovalListener } from './cross-tab';
import { namespaceOf } from './namespace';
import { unpersistableReason } from './persistable';
import { isValidRecord, RECORD_FORMAT, type EntryRecord } from './schema';
import { forgetSessions, sessionId, startSession } from './session';
import { Store, warnUnstorable, type Touch, type TouchSource } from './store';

/** A result with the wall-clock stamps it was stored with. */
export interface Stamped {
  readonly value: unknown;
  readonly storedAt: number;
  readonly expiresAt: number;
}

/** Where one entry lives. */
interface Place {
  readonly db: string;
  readonly store: Store;
  readonly ns: string;
  readonly key: string;
}

/** How a cold call was answered by {@link DiskTier.loadOrCompute}. */
export interface Outcome extends Stamped {
  readonly fromDisk: boolean;
}

const stores = new Map<string, Store>();
/** How many times clearCaches() has run: results computed before a wipe must not be written after it. */
let wipes = 0;

onClearCaches(async () => {
  wipes++;
  for (const store of stores.values()) store.discardPending();
  forgetSessions();
  await deleteAllDatabases();
});

let lastStamp = 0;
/**
 * Wall-clock ms, strictly increasing within the page, so that entries stored or used within one
 * millisecond keep their order in the FIFO and LRU indexes instead of falling back to key order.
 */
export function orderedNow(): number {
  lastStamp = Math.max(Date.now(), lastStamp + 0.001);
  return lastStamp;
}

/** The shared, batched {@link Store} of the cache database named `db` (also used by cachedFetch). */
export function storeFor(db: string): Store {
  let store = stores.get(db);
  if (!store) stores.set(db, (store = new Store(connection(db))));
  return store;
}

/**
 * One memoized function's view of the IndexedDB tier: entries under its namespace, in the database
 * named by `cachePath` (or `config.cachePath` at the time of each call).
 */
export class DiskTier implements TouchSource {
  private readonly touches = new Map<string, { hits: number; at: number }>();
  /** The value of `wipes` when `touches` was started. */
  private touchesWipe = wipes;
  /** Bumped by clear(): results computed before it must not be written after it. */
  private clears = 0;
  private namespace: Promise<string> | undefined;
  /** The namespace once known: every disk lookup needs it, and awaiting it again costs a hop. */
  private resolvedNamespace: string | undefined;
  private readonly listening = new Set<string>();
  private readonly tracksUse: boolean;

  constructor(
    private readonly fn: (...args: never[]) => unknown,
    private readonly options: ResolvedOptions,
    private readonly onRemoteRemoval: RemovalListener,
  ) {
    this.tracksUse = Number.isFinite(options.maxItems) && options.policy !== 'FIFO';
  }

  /**
   * Answers a cold call: from the disk if the result is stored, else by running `compute` while
   * holding a cross-tab lock for this key (reading once more if another tab held it first), so that
   * tabs making the same call at once compute it once. Resolves as soon as the result is known; the write
   * continues behind, still under the lock.
   */
  async loadOrCompute(memoryKey: string, compute: () => Promise<unknown>): Promise<Outcome> {
    const place = await this.locate(memoryKey);
    const stored = await this.readAt(place, memoryKey);
    if (stored) return stored;
    const [clears, wipe] = [this.clears, wipes];
    return new Promise<Outcome>((resolve, reject) => {
      const task = async (waited: boolean) => {
        // After waiting for another tab's identical call, its result is likely stored.
        const found = waited ? await this.readAt(place, memoryKey) : undefined;
        if (found) return resolve(found);
        let value: unknown;
        try {
          value = await compute();
        } catch (error) {
          return reject(error);
        }
        const storedAt = orderedNow();
        const outcome = { value, storedAt, expiresAt: storedAt + this.options.ttlMs, fromDisk: false };
        resolve(outcome);
        if (clears === this.clears && wipe === wipes) await this.writeAt(place, outcome);
      };
      withLock(`idb-memo:${place.db}:${place.ns}:${place.key}`, task).catch(reject);
    });
  }

  /** The stored, unexpired result at `place`, or undefined. Never rejects. */
  private async readAt(place: Place, memoryKey: string): Promise<Outcome | undefined> {
    const { store, ns, key } = place;
    const record = await store.read([ns, key]);
    if (!isValidRecord(record, ns, key)) return undefined;
    const { value, storedAt, expiresAt } = record;
    if (isExpired(storedAt, Math.min(expiresAt, storedAt + this.options.ttlMs), Date.now())) return undefined;
    this.touch(memoryKey);
    return { value, storedAt, expiresAt, fromDisk: true };
  }

  /**
   * Records a hit of `memoryKey` for the disk's LRU/LFU order. Cheap enough for every memory hit:
   * keys are digested and written in a batch later.
   */
  touch(memoryKey: string): void {
    if (!this.tracksUse) return;
    if (this.touchesWipe !== wipes) {
      this.touches.clear();
      this.touchesWipe = wipes;
    }
    const known = this.touches.get(memoryKey);
    if (known) {
      known.hits++;
      known.at = orderedNow();
    } else {
      this.touches.set(memoryKey, { hits: 1, at: orderedNow() });
      storeFor(this.databaseName()).touchLater(this);
    }
  }

  /** Hands the recorded hits over to the store, with their ids. */
  async drainTouches(): Promise<Touch[]> {
    const batch = this.touchesWipe === wipes ? [...this.touches] : [];
    this.touches.clear();
    const ns = await this.namespaceName();
    return Promise.all(batch.map(async ([memoryKey, use]) => ({ id: [ns, await sha256OfText(memoryKey)] as [string, string], ...use })));
  }

  /** Deletes the stored result of `memoryKey` here and in other tabs' memory; true if one was stored. */
  async delete(memoryKey: string): Promise<boolean> {
    const { store, db, ns, key } = await this.locate(memoryKey);
    announceRemoval({ type: 'delete', db, ns, memoryKey });
    return store.delete([ns, key]);
  }

  /** Deletes every stored result of this function here and in other tabs' memory. */
  async clear(): Promise<void> {
    this.clears++;
    this.touches.clear();
    const db = this.databaseName();
    const ns = await this.namespaceName();
    announceRemoval({ type: 'clear', db, ns });
    await storeFor(db).clear(ns);
  }

  private async writeAt({ store, ns, key }: Place, stamped: Stamped): Promise<void> {
    const label = this.options.name ?? (this.fn.name || 'an anonymous function');
    const reason = unpersistableReason(stamped.value);
    if (reason !== undefined) {
      warnUnstorable(label, reason);
      return;
    }
    const record: EntryRecord = {
      ns,
      key,
      value: stamped.value,
      storedAt: stamped.storedAt,
      expiresAt: stamped.expiresAt,
      accessedAt: stamped.storedAt,
      hits: 1,
      format: RECORD_FORMAT,
      ...(this.options.perSession ? { session: sessionId() } : {}),
    };
    await store.write({ record, maxItems: this.options.maxItems, policy: this.options.policy, label });
  }

  private databaseName(): string {
    return this.options.cachePath ?? config.cachePath;
  }

  private namespaceName(): Promise<string> {
    return (this.namespace ??= namespaceOf(this.fn, this.options).then((ns) => (this.resolvedNamespace = ns)));
  }

  /** Where the entry of `memoryKey` lives: database, store, namespace and hashed key. */
  private async locate(memoryKey: string): Promise<Place> {
    const db = this.databaseName();
    const store = storeFor(db);
    const known = this.resolvedNamespace;
    const [ns, key] =
      known === undefined ? await Promise.all([this.namespaceName(), sha256OfText(memoryKey)]) : [known, await sha256OfText(memoryKey)];
    if (!this.listening.has(db)) {
      this.listening.add(db);
      listenForRemovals(db, ns, this.onRemoteRemoval);
      if (this.options.perSession) startSession(store.connection);
    }
    return { db, store, ns, key };
  }
}
