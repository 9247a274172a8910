import type * as Entry from './entry';

/** The disk tier's module. */
export type DiskModule = typeof Entry;

let loaded: DiskModule | undefined;
let loading: Promise<DiskModule> | undefined;

/** The disk tier if it has been loaded, else undefined. */
export function diskModule(): DiskModule | undefined {
  return loaded;
}

/**
 * Loads the disk tier (once). It is a separate chunk reached by `import()`, so that an app whose
 * caches stay in memory never downloads IndexedDB code; a `toDisk` cache starts loading it when it
 * is made, and its calls wait for it.
 */
export function loadDisk(): Promise<DiskModule> {
  return (loading ??= import('./entry').then((module) => (loaded = module)));
}

/**
 * Resolves once every change queued in this page has reached IndexedDB, was given up, or waits to
 * be tried again while IndexedDB cannot be opened (kept in memory meanwhile, written once it can).
 */
export async function flushCaches(): Promise<void> {
  await (await loadDisk()).flushStores();
}
