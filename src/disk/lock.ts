import { navigatorLocks } from './session';

/** How long a tab waits for another tab's identical computation before computing itself. */
const LOCK_WAIT_MS = 30_000;

/** Locks this page holds, by name: a call that waits for one of them waits for itself. */
const heldHere = new Map<string, number>();

/**
 * Runs `task` holding the Web Lock `name`, so that tabs making the same call at once compute it
 * once: `task` learns whether it waited for another tab (whose result it may now find stored).
 * A lock this page holds already is not waited for (a function that deletes its own entry and
 * calls itself again). Without Web Locks, or after waiting too long, the task runs unlocked.
 */
export function withLock<T>(name: string, task: (waited: boolean) => Promise<T>): Promise<T> {
  const locks = navigatorLocks();
  if (!locks || heldHere.has(name)) return task(false);
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
  const busy = Symbol();
  return (locks.request(name, { ifAvailable: true }, (lock) => (lock ? run(false) : busy)) as Promise<T | typeof busy>)
    .then((result) =>
      result !== busy ? result : (locks.request(name, { signal: AbortSignal.timeout(LOCK_WAIT_MS) }, () => run(!heldHere.has(name))) as Promise<T>),
    )
    .catch((error: unknown) => {
      if (ran) throw error;
      return task(true);
    });
}
