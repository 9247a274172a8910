/**
 * The page's caches, its channel to other tabs, and logout. Other tabs' messages are hints: they
 * empty memory tiers early; what the disk holds is ordered by IndexedDB alone.
 */

import type * as DiskModule from './disk/index';

/** What a message between tabs says: a logout, or a removal committed to one namespace of a database. */
export type Hint =
  | { readonly type: 'logout' }
  | { readonly type: 'clear'; readonly db: string; readonly ns: string; readonly prefix?: boolean }
  | { readonly type: 'delete'; readonly db: string; readonly ns: string; readonly key: string; readonly prefix?: boolean };

/** What a registered cache does: `forget` on a logout (memory and counters), `hear` another's removal, `flush` its uses to the disk. */
export interface Registered {
  forget(): void;
  hear?(hint: Hint & { type: 'clear' | 'delete' }): void;
  /** Sends what waits in memory to the disk; resolves once it is issued. */
  flush?(): Promise<unknown> | void;
}

/** Every registered cache, held weakly: a cache made on the fly is collected with its function. */
export const registered = new Set<WeakRef<Registered>>();
const collected = new FinalizationRegistry<WeakRef<Registered>>((ref) => registered.delete(ref));

/** Registers `cache` for logouts and other tabs' hints, held weakly. */
export function register(cache: Registered): void {
  const ref = new WeakRef(cache);
  registered.add(ref);
  collected.register(cache, ref);
  listen();
}

function each(act: (cache: Registered) => void): void {
  for (const ref of registered) {
    const cache = ref.deref();
    if (cache) act(cache);
  }
}

let channel: BroadcastChannel | undefined;

/** Opens the page's one channel (a second one would hear this page's own messages as another tab's). */
function listen(): void {
  if (channel || typeof BroadcastChannel !== 'function') return;
  channel = new BroadcastChannel('idb-memo');
  // In Node, an open channel would keep the process alive after its work is done.
  (channel as { unref?: () => void }).unref?.();
  channel.onmessage = ({ data }: MessageEvent<Hint>) => hear(data);
  // Uses recorded in memory reach the disk (LRU/LFU order) before the page goes away.
  const flush = () => each((cache) => cache.flush?.());
  globalThis.addEventListener?.('pagehide', flush);
  globalThis.addEventListener?.('visibilitychange', () => globalThis.document?.visibilityState === 'hidden' && flush());
}

function hear(hint: Hint, from?: Registered): void {
  if (hint?.type === 'logout') {
    // Another tab's logout: the calls this page began before hearing it store nothing, and this
    // page empties the databases it knows too (one that tab did not know of included), before
    // anything it reads next.
    const count = ++logouts;
    each((cache) => cache.forget());
    if (disk) void (loaded ? loaded.logout(count) : disk.then((module) => module.logout(count))).catch(() => {});
  }
  else if (hint?.type === 'clear' || hint?.type === 'delete') each((cache) => cache !== from && cache.hear?.(hint));
}

/** Tells the other caches of this page (but `from`; none without it), and other tabs, of `hint` (once its change is committed). */
export function tell(hint: Hint, from?: Registered): void {
  if (from) hear(hint, from);
  listen();
  channel?.postMessage(hint);
}

/** Empties every memory tier of the page and resets every counter (a logout; the tests' "reload"). */
export function forgetMemories(): void {
  each((cache) => cache.forget());
}

let logouts = 0;

/** Logouts of this page so far: a call that began before one stores nothing. */
export function logoutCount(): number {
  return logouts;
}

let disk: Promise<typeof DiskModule> | undefined;

let loaded: typeof DiskModule | undefined;

/** The disk tier's chunk, loaded once (the first `toDisk` cache, cachedFetch, or a logout loads it). */
export function loadDisk(): Promise<typeof DiskModule> {
  return (disk ??= import('./disk/index').then((module) => {
    // Removals kept for later (the database refused them) are told to other tabs once committed.
    module.whenApplied((hint) => tell(hint));
    return (loaded = module);
  }));
}

/** The disk tier's chunk if it is loaded. */
export function loadedDisk(): typeof DiskModule | undefined {
  return loaded;
}

/** Whether the disk tier's chunk was asked for: flushCaches() has nothing to wait for otherwise. */
export function diskAskedFor(): boolean {
  return disk !== undefined;
}

/**
 * Clears every cache made by the library, for logout (Panel's `pn.state.clear_caches()`): the
 * memory tier and counters of every cache, in this tab and the others, and every IndexedDB database
 * the library used, including those of earlier visits. Work of calls made before it stores nothing.
 * Where IndexedDB is missing (Node, SSR) it resolves at once.
 * @throws (rejects) ClearBlockedError (`code` `'CLEAR_BLOCKED'`) when a database would not open to be emptied
 */
export function clearCaches(): Promise<void> {
  const count = ++logouts;
  forgetMemories();
  const tellOthers = () => tell({ type: 'logout' });
  if (typeof indexedDB === 'undefined') return (tellOthers(), Promise.resolve());
  // Other tabs are told once the emptying transactions exist: what they read after hearing it is
  // ordered after them.
  const logout = (module: typeof DiskModule) => (module.endSession(), module.logout(count, tellOthers));
  // Begun at once when the disk chunk is loaded: this page's disk operations asked for after it wait for it.
  return loaded ? logout(loaded) : loadDisk().then(logout);
}

/**
 * Resolves once every change made so far in this page (results, removals, hits that order
 * LRU/LFU eviction) is committed to IndexedDB, or given up. Resolves at once where there is nothing to write.
 */
export async function flushCaches(): Promise<void> {
  if (!disk) return;
  const issued: unknown[] = [];
  each((cache) => issued.push(cache.flush?.()));
  await Promise.all(issued);
  await (await disk).flush();
}
