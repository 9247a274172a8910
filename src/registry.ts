import { loadDisk } from './disk/lazy';

const memories = new Set<WeakRef<object>>();
const clearers = new WeakMap<object, () => void>();
const clearAllHooks = new Set<() => Promise<void>>();
/** Drops the WeakRef of a collected owner, so that making caches on the fly leaves nothing behind. */
const collected = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<WeakRef<object>>((ref) => memories.delete(ref)) : undefined;

/**
 * Records a memoized function so that {@link clearCaches} reaches its memory tier. Held weakly, so
 * that memoized functions made on the fly can still be garbage-collected.
 */
export function registerCache(owner: object, clearMemory: () => void): void {
  const ref = new WeakRef(owner);
  memories.add(ref);
  clearers.set(owner, clearMemory);
  collected?.register(owner, ref);
}

/** Adds work for {@link clearCaches} beyond the memory tiers (e.g. deleting databases), once per hook. */
export function onClearCaches(hook: () => Promise<void>): void {
  clearAllHooks.add(hook);
}

/** Empties the memory tier of every live memoized function of this page. */
export function clearMemories(): void {
  for (const ref of memories) {
    const owner = ref.deref();
    if (owner) clearers.get(owner)?.();
    else memories.delete(ref);
  }
}

/**
 * Clears every cache made by the library (Panel's `pn.state.clear_caches()`): the memory tier of
 * every memoized function, in this tab and the others, and every IndexedDB database the library
 * wrote to, including those of earlier visits, with this tab's session and every key remembered.
 * Use it to wipe everything on logout: once it resolves, no tab of the origin brings anything
 * back (work started before it, in any tab, is dropped).
 * @throws (rejects) ClearBlockedError (`code` `'CLEAR_BLOCKED'`) when a connection that is not
 *   the library's keeps a database from being deleted: its entries are still stored.
 */
export async function clearCaches(): Promise<void> {
  clearMemories();
  // The disk tier registers its hooks when it is evaluated (toDisk or cachedFetch used): if it was
  // not, load it, since databases of earlier visits must go too.
  if (clearAllHooks.size === 0) await loadDisk();
  const outcomes = await Promise.allSettled([...clearAllHooks].map((hook) => hook()));
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
}
