/** Something {@link clearCaches} can empty. */
export interface Clearable {
  clear(): Promise<void>;
}

// Weak, so that memoized functions made on the fly can still be garbage-collected.
const caches = new Set<WeakRef<Clearable>>();
const clearAllHooks = new Set<() => Promise<void>>();

/** Records a cache so that {@link clearCaches} reaches it. */
export function registerCache(cache: Clearable): void {
  caches.add(new WeakRef(cache));
}

/** Adds work for {@link clearCaches} beyond the live caches (e.g. wiping databases), once per hook. */
export function onClearCaches(hook: () => Promise<void>): void {
  clearAllHooks.add(hook);
}

/**
 * Clears every cache made by the library: each memoized function's memory tier and, once the disk
 * tier has been used, every IndexedDB database it wrote to (Panel's `pn.state.clear_caches()`).
 */
export async function clearCaches(): Promise<void> {
  const work: Promise<void>[] = [];
  for (const ref of caches) {
    const cache = ref.deref();
    if (cache) work.push(cache.clear());
    else caches.delete(ref);
  }
  for (const hook of clearAllHooks) work.push(hook());
  await Promise.all(work);
}
