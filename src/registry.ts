const memories = new Set<WeakRef<object>>();
const clearers = new WeakMap<object, () => void>();
const clearAllHooks = new Set<() => Promise<void>>();

/**
 * Records a memoized function so that {@link clearCaches} reaches its memory tier. Held weakly, so
 * that memoized functions made on the fly can still be garbage-collected.
 */
export function registerCache(owner: object, clearMemory: () => void): void {
  memories.add(new WeakRef(owner));
  clearers.set(owner, clearMemory);
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
 * wrote to, including those of earlier visits. Use it to wipe everything on logout.
 */
export async function clearCaches(): Promise<void> {
  clearMemories();
  await Promise.all([...clearAllHooks].map((hook) => hook()));
}
