import { clearMemories, onClearCaches } from '../registry';
import { navigatorLocks } from './session';

/** What one tab tells the others about entries it removed. */
export type RemovalMessage =
  | { readonly type: 'clearAll' }
  | { readonly type: 'clear'; readonly db: string; readonly ns: string }
  | { readonly type: 'delete'; readonly db: string; readonly ns: string; readonly memoryKey: string };

/** Receives removals made in other tabs for one function's namespace. */
export interface RemovalListener {
  clear(): void;
  delete(memoryKey: string): void;
}

const CHANNEL_NAME = 'idb-memo';
/** How long a tab waits for another tab's identical computation before computing itself. */
const LOCK_WAIT_MS = 30_000;

let channel: BroadcastChannel | undefined | null;
const listeners = new Map<string, Set<RemovalListener>>();

function listenerKey(db: string, ns: string): string {
  return `${db}\u0000${ns}`;
}

function openChannel(): BroadcastChannel | undefined {
  if (channel !== undefined) return channel ?? undefined;
  channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL_NAME) : null;
  channel?.addEventListener('message', ({ data }: MessageEvent<RemovalMessage>) => {
    if (data.type === 'clearAll') return clearMemories();
    for (const listener of listeners.get(listenerKey(data.db, data.ns)) ?? []) {
      if (data.type === 'clear') listener.clear();
      else listener.delete(data.memoryKey);
    }
  });
  return channel ?? undefined;
}

/** Calls `listener` when another tab clears or deletes entries of namespace `ns` in database `db`. */
export function listenForRemovals(db: string, ns: string, listener: RemovalListener): void {
  openChannel();
  const key = listenerKey(db, ns);
  let set = listeners.get(key);
  if (!set) listeners.set(key, (set = new Set()));
  set.add(listener);
}

/** Tells other tabs about a removal so that they drop the same entries from memory. */
export function announceRemoval(message: RemovalMessage): void {
  openChannel()?.postMessage(message);
}

/**
 * Runs `task` while holding the Web Lock `name`, so that tabs doing the same work wait for each
 * other. `task` is told whether it had to wait for another holder (whose work it may now find
 * done). Without Web Locks, or after waiting too long, the task runs unlocked.
 */
export function withLock<T>(name: string, task: (waited: boolean) => Promise<T>): Promise<T> {
  const locks = navigatorLocks();
  if (!locks) return task(false);
  let ran = false;
  const run = (waited: boolean): Promise<T> => {
    ran = true;
    return task(waited);
  };
  const attempt = locks.request(name, { ifAvailable: true }, (lock) => (lock ? run(false) : NOT_AVAILABLE)) as Promise<T | typeof NOT_AVAILABLE>;
  const locked = attempt.then((result) =>
    result === NOT_AVAILABLE ? (locks.request(name, { signal: AbortSignal.timeout(LOCK_WAIT_MS) }, () => run(true)) as Promise<T>) : result,
  );
  return locked.catch((error: unknown) => {
    if (ran) throw error;
    return task(true);
  });
}

const NOT_AVAILABLE = Symbol('lock not available');

// clearCaches() in one tab empties the memory tiers of the others too.
onClearCaches(async () => announceRemoval({ type: 'clearAll' }));
