import { sha256OfTextSync } from '../key/sha256';
import type { ResolvedOptions } from '../options';
import { noteWipe, onClearCaches, registerCache, remoteWipeInProgress } from '../registry';
import { Tier, type DiskBinding } from '../tier';
import { forgetAliases } from '../key/alias';
import { forgetLongStrings } from '../key/encode';
import { connection, deleteAllDatabases, isDeletingHere, type Connection } from './connection';
import { announceRemoval, listenForRemovals, type RemovalMessage } from './cross-tab';
import { namespaceOf } from './namespace';
import { unpersistableReason } from './persistable';
import { endSession, purgeEndedSessions } from './session';
import { Store, warnUnstorable } from './store';

const stores = new Map<string, Store>();
/** The tiers of this page by database and namespace, held weakly: functions made on the fly can be collected. */
const tiers = new Map<string, WeakRef<Tier<unknown>>>();
const collected =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<string>((id) => tiers.get(id)?.deref() ?? tiers.delete(id)) : undefined;

/** The start of the ids of every tier of namespace `ns` in database `db` (with `prefix`, of every namespace starting with `ns`). */
function tierId(db: string, ns: string, prefix = false): string {
  return `${db}\u0000${ns}${prefix ? '' : '\u0000'}`;
}

/** How long clearCaches() waits for batches being written before it deletes the databases. */
const SETTLE_WAIT_MS = 500;

/** Set while this page's clearCaches() deletes databases: a store made meanwhile starts held too. */
let wiping = false;

onClearCaches(async () => {
  wiping = true;
  for (const store of stores.values()) {
    store.discardPending();
    store.holdForWipe();
  }
  forEachTier(() => true, (tier) => tier.dropAll());
  endSession();
  forgetAliases();
  forgetLongStrings();
  // A batch already being written (now dropped) must open its database before the deletion, not
  // after it; waited for briefly, since its open may itself wait for another tab's deletion.
  const settled = Promise.all([...stores.values()].map((store) => store.settled()));
  await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, SETTLE_WAIT_MS))]);
  try {
    await deleteAllDatabases();
  } finally {
    wiping = false;
    for (const store of stores.values()) store.deletionBegun();
    announceRemoval({ type: 'wiped' });
  }
});

/** Another page is deleting database `db` (its clearCaches()): drop this page's pending changes and work in progress there. */
function onDeleting(db: string): void {
  // This page's own clearCaches() (or repair): what it had to drop was dropped when it began, and
  // work since is kept; reads stay blind until its deletion is over.
  if (isDeletingHere(db)) return;
  noteWipe();
  const store = stores.get(db);
  store?.discardPending();
  store?.deletionBegun(); // opens made from now on wait for the deletion
  forEachTier((id) => id.startsWith(tierId(db, '', true)), (tier) => tier.dropAll());
}

function forEachTier(matches: (id: string) => boolean, act: (tier: Tier<unknown>) => void): void {
  for (const [id, ref] of tiers) {
    const tier = ref.deref();
    if (!tier) tiers.delete(id);
    else if (matches(id)) act(tier);
  }
}

/** Applies another tab's removal (or a removal by a tier of this page, `from`) to the tiers of this page. */
function receive(message: RemovalMessage, from?: Tier<unknown>): void {
  if (message.type === 'clearAll') {
    // Another tab's clearCaches(): what this page has not stored yet must not bring anything back,
    // even where no connection of this page was open to hear the deletion.
    for (const store of stores.values()) {
      store.discardPending();
      store.holdForWipe();
    }
    return;
  }
  if (message.type === 'wiped') {
    for (const store of stores.values()) store.deletionBegun();
    return;
  }
  const start = tierId(message.db, message.ns, message.type === 'clear' && message.prefix);
  forEachTier(
    (id) => id.startsWith(start),
    (tier) => {
      if (tier === from) return;
      if (message.type === 'delete') tier.dropDiskKey(message.diskKey);
      else tier.dropAll();
    },
  );
}

// Other tabs' removals and wipes are heard from the moment this chunk is loaded (a toDisk cache was
// made), not only once one of its tiers is used.
listenForRemovals(receive);

/** The shared, batched {@link Store} of the cache database named `db` (also used by cachedFetch). */
export function storeFor(db: string): Store {
  let store = stores.get(db);
  if (!store) {
    const events = {
      onOpened: (opened: Connection) => {
        void purgeEndedSessions(opened);
        storeFor(db).sweepSoon();
      },
      onDeleting: () => onDeleting(db),
    };
    stores.set(db, (store = new Store(connection(db, events))));
    // A database of an earlier visit, first used while a wipe deletes it.
    if (wiping || remoteWipeInProgress()) store.holdForWipe();
  }
  return store;
}

/**
 * The tier of namespace `ns` in database `db` with bounds `bounds`, shared by every function of
 * this page that writes there with those bounds (two wrappers of one `name` read what each other
 * stored), made by `make` the first time. Tiers of one namespace with other bounds keep their
 * own order, and are told of each other's removals.
 */
export function sharedTier<V>(
  db: string,
  ns: string,
  bounds: string,
  make: (binding: Pick<DiskBinding, 'store' | 'ns' | 'onRemoved'>) => Tier<V>,
): Tier<V> {
  const id = tierId(db, ns) + bounds;
  const found = tiers.get(id)?.deref();
  if (found) return found as Tier<V>;
  const tier: Tier<V> = make({
    store: storeFor(db),
    ns,
    onRemoved: (diskKey) => {
      const message: RemovalMessage = diskKey === undefined ? { type: 'clear', db, ns } : { type: 'delete', db, ns, diskKey };
      receive(message, tier as Tier<unknown>);
      announceRemoval(message);
    },
  });
  tiers.set(id, new WeakRef(tier as Tier<unknown>));
  collected?.register(tier, id);
  registerCache(tier, () => tier.dropAll());
  return tier;
}

/**
 * The disk-backed tier of a `toDisk` function in database `db`: its namespace, bounds and records.
 * A per-session function passes its resolved `session`.
 */
export function diskTierFor(fn: (...args: never[]) => unknown, options: ResolvedOptions, db: string, session?: string): Tier<unknown> {
  const ns = namespaceOf(fn, options, session);
  const label = options.name ?? (fn.name || 'an anonymous function');
  return sharedTier(db, ns, `${options.maxItems}${options.policy}`, (binding) => {
    return new Tier(options.maxItems, options.policy, {
      ...binding,
      guards: [ns],
      diskKeyOf: sha256OfTextSync,
      label,
      unstorable: unpersistableReason,
      onUnstorable: (reason) => warnUnstorable(label, reason),
      extra: session === undefined ? undefined : { session },
    });
  });
}

/** Resolves once every change queued in this page has reached IndexedDB (or was given up). */
export async function flushStores(): Promise<void> {
  await Promise.all([...stores.values()].map((store) => store.flush()));
}
