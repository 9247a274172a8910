import { lastWipe, onClearCaches, pageChannel } from '../registry';
import { navigatorLocks } from './session';

/** What one tab tells the others about entries it removed. No argument text: disk keys only. */
export type RemovalMessage =
  /** clearCaches() in another tab, at `at` (its clock: the same wall clock as this page's). */
  | { readonly type: 'clearAll'; readonly at: number }
  /** That clearCaches() has deleted the databases: opens held for it may go on. */
  | { readonly type: 'wiped' }
  /** Every entry of namespace `ns` (with `prefix`, of every namespace starting with it) in database `db`. */
  | { readonly type: 'clear'; readonly db: string; readonly ns: string; readonly prefix?: boolean }
  | { readonly type: 'delete'; readonly db: string; readonly ns: string; readonly diskKey: string };

/** How long a tab waits for another tab's identical computation before computing itself. */
const LOCK_WAIT_MS = 30_000;

let receiver: ((message: RemovalMessage) => void) | undefined;
// clearAll is heard by the registry (listenForWipes), from the first toDisk cache on.
const heard = (data: object) => receiver?.(data as RemovalMessage);

/** Starts listening to other tabs' removals; `receive` gets each one (one receiver per page). */
export function listenForRemovals(receive: (message: RemovalMessage) => void): void {
  receiver = receive;
  pageChannel(heard);
}

/** Tells other tabs about a removal so that they drop the same entries from memory. */
export function announceRemoval(message: RemovalMessage): void {
  pageChannel(heard)?.postMessage(message);
}

/** Locks held by this page, by name: a wait for one of them is not a wait for another tab. */
const heldHere = new Map<string, number>();

/**
 * Runs `task` while holding the Web Lock `name`, so that tabs doing the same work wait for each
 * other. `task` is told whether it had to wait for another tab (whose work it may now find
 * done). A lock this page holds already is not waited for: within a page a call after a clear()
 * or delete() computes anew at once. Without Web Locks, or after waiting too long, the task runs
 * unlocked.
 */
export function withLock<T>(name: string, task: (waited: boolean) => Promise<T>): Promise<T> {
  const locks = navigatorLocks();
  if (!locks) return task(false);
  // Held by this page already: the holder may be waiting for this very task (a function that
  // deletes its own entry and calls itself again), so it runs at once rather than wait.
  if (heldHere.has(name)) return task(false);
  let ran = false;
  const run = async (waited: boolean): Promise<T> => {
    ran = true;
    heldHere.set(name, (heldHere.get(name) ?? 0) + 1);
    try {
      return await task(waited);
    } finally {
      const left = heldHere.get(name)! - 1;
      if (left > 0) heldHere.set(name, left);
      else heldHere.delete(name);
    }
  };
  const attempt = locks.request(name, { ifAvailable: true }, (lock) => (lock ? run(false) : NOT_AVAILABLE)) as Promise<T | typeof NOT_AVAILABLE>;
  const locked = attempt.then((result) => {
    if (result !== NOT_AVAILABLE) return result;
    const otherTab = !heldHere.has(name);
    return locks.request(name, { signal: AbortSignal.timeout(LOCK_WAIT_MS) }, () => run(otherTab)) as Promise<T>;
  });
  return locked.catch((error: unknown) => {
    if (ran) throw error;
    return task(true);
  });
}

const NOT_AVAILABLE = Symbol('lock not available');

// clearCaches() in one tab empties the memory tiers of the others too.
onClearCaches(async () => announceRemoval({ type: 'clearAll', at: lastWipe() }));
