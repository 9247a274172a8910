import { loadDisk } from './disk/lazy';
import type { ResolvedOptions } from './options';
import { orderedNow, type Tier } from './tier';

/**
 * What src/inspect.ts reads of a memoized function: the tier of its last call, else the one it
 * would use now (undefined while a per-session function waits for its session), and its options.
 * Nothing else reads it.
 */
export type InspectHook = () => readonly [Tier<unknown> | undefined, ResolvedOptions];

/** Every registered owner, held weakly (read by src/inspect.ts to list the page's caches). */
export const memories = new Set<WeakRef<object>>();
/** How to empty each owner's memory tier, and the {@link InspectHook} of a memoized function. */
const owners = new WeakMap<object, readonly [clearMemory: () => void, inspectHook?: InspectHook]>();

/** The {@link InspectHook} of `owner`, if it is a memoized function. */
export function inspectHookOf(owner: object): InspectHook | undefined {
  return owners.get(owner)?.[1];
}
const clearAllHooks = new Set<() => Promise<void>>();
/** Drops the WeakRef of a collected owner, so that making caches on the fly leaves nothing behind. */
const collected = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<WeakRef<object>>((ref) => memories.delete(ref)) : undefined;

/**
 * Records a memoized function (or a tier) so that {@link clearCaches} reaches its memory tier, and
 * the inspector finds it. Held weakly, so that memoized functions made on the fly can still be
 * garbage-collected.
 */
export function registerCache(owner: object, clearMemory: () => void, inspectHook?: InspectHook): void {
  const ref = new WeakRef(owner);
  memories.add(ref);
  owners.set(owner, [clearMemory, inspectHook]);
  collected?.register(owner, ref);
}

/** Adds work for {@link clearCaches} beyond the memory tiers (e.g. deleting databases), once per hook. */
export function onClearCaches(hook: () => Promise<void>): void {
  clearAllHooks.add(hook);
}

/** Wipes of this page's caches so far (its clearCaches(), a database deleted under it). */
let wipes = 0;
/** When this page last called clearCaches(). */
let wipedAt = -Infinity;
/** The latest clearCaches() of another tab, by its stamp. */
let remoteWipedAt = -Infinity;

/** The wipes so far, for {@link wipedSince}. */
export function wipeCount(): number {
  return wipes;
}

/**
 * Whether the caches were wiped after a call made at `startedAt` when {@link wipeCount} was
 * `count`: such a call, still waiting to reach its tier (being loaded) or its key (being
 * digested), belongs before the wipe and stores nothing. Wipes of this page are counted (exact,
 * whatever the clock does); another tab's are known by their stamp, which arrives later.
 */
export function wipedSince(count: number, startedAt: number): boolean {
  return wipes !== count || remoteWipedAt > startedAt;
}

/** Counts a wipe of this page (a database deleted under it). */
export function noteWipe(): void {
  wipes++;
}

/** When this page last called clearCaches(), for other tabs. */
export function lastWipe(): number {
  return wipedAt;
}

/** Another tab called clearCaches() at `at` (its stamp; the same wall clock). */
export function noteRemoteWipe(at: number): void {
  remoteWipedAt = Math.max(remoteWipedAt, at);
}

/** The page's one channel to other tabs (null where there is none): the page never hears its own messages. */
let channel: BroadcastChannel | null | undefined;
const channelListeners = new Set<(data: object) => void>();

/**
 * Calls `listener` with each message of other tabs on the library's channel (opened once per page:
 * a second channel object of the same page would hear this page's own messages as another tab's).
 * @returns the channel, to post on; undefined without BroadcastChannel
 */
export function pageChannel(listener?: (data: object) => void): BroadcastChannel | undefined {
  if (listener) channelListeners.add(listener);
  if (channel === undefined) {
    channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('idb-memo') : null;
    // In Node, an open channel would keep the process alive after its work is done.
    (channel as { unref?: () => void } | null)?.unref?.();
    channel?.addEventListener('message', ({ data }: MessageEvent<unknown>) => {
      if (typeof data === 'object' && data !== null) for (const heard of channelListeners) heard(data);
    });
  }
  return channel ?? undefined;
}

/**
 * How long after another tab's clearCaches() was heard its deletion may still be under way (unless
 * that tab says it is over sooner): its databases are not read meanwhile.
 */
export const WIPE_BLIND_MS = 3000;
/** Until then another tab's clearCaches() may still be deleting databases. */
let remoteWipeUntil = 0;

/** Whether another tab's clearCaches() may still be deleting databases. */
export function remoteWipeInProgress(): boolean {
  return Date.now() < remoteWipeUntil;
}

/** Hears another tab's clearCaches(), and the end of its deletions. */
function heardWipe(data: { type?: unknown; at?: unknown }): void {
  if (data.type === 'wiped') remoteWipeUntil = 0;
  if (data.type !== 'clearAll') return;
  remoteWipeUntil = Date.now() + WIPE_BLIND_MS;
  // A call made here within a millisecond after the other tab's wipe counts as made before it.
  noteRemoteWipe(typeof data.at === 'number' ? Math.min(data.at + 1, orderedNow()) : orderedNow());
  clearMemories();
}

let listening = false;

/**
 * Starts hearing other tabs' clearCaches() (once), when the first cache is made (or cachedFetch
 * first used): their memory tiers are emptied on another tab's logout, and a toDisk call made while
 * the disk tier's chunk loads is not stored after a wipe it could not hear otherwise.
 */
export function listenForWipes(): void {
  if (listening) return;
  listening = true;
  pageChannel(heardWipe);
}

/** Empties the memory tier of every live memoized function of this page. */
export function clearMemories(): void {
  for (const ref of memories) {
    const owner = ref.deref();
    if (owner) owners.get(owner)?.[0]();
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
  noteWipe();
  wipedAt = orderedNow();
  clearMemories();
  // The disk tier registers its hooks when it is evaluated (toDisk or cachedFetch used): if it was
  // not, load it, since databases of earlier visits must go too.
  if (clearAllHooks.size === 0) await loadDisk();
  const outcomes = await Promise.allSettled([...clearAllHooks].map((hook) => hook()));
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
}
