const SESSION_KEY = 'idb-memo:session';
/** Without Web Locks, a session whose namespaces went unused this long is taken as ended. */
const UNSEEN_LIMIT_MS = 24 * 60 * 60 * 1000;

let current: string | undefined;
let resolving: Promise<string> | undefined;
let release: (() => void) | undefined;

/** The Web Locks API, where the browser has it. */
export function navigatorLocks(): LockManager | undefined {
  return typeof navigator === 'object' && typeof navigator.locks?.request === 'function' ? navigator.locks : undefined;
}

/** This tab's session id once {@link sessionReady} resolved; undefined before. */
export function sessionId(): string | undefined {
  return current;
}

/**
 * Resolves this tab's session id. It is kept in sessionStorage, so it survives reloads of the tab,
 * and held with a Web Lock while the page lives: a tab opened from another (`window.open`,
 * "Duplicate tab") inherits the id with the opener's sessionStorage, finds its lock held, and
 * takes a new one, so it never reads the opener's per-session entries.
 */
export function sessionReady(): Promise<string> {
  return (resolving ??= resolveSession().then((id) => (current = id)));
}

async function resolveSession(): Promise<string> {
  const stored = readStored();
  if (stored !== undefined && (await hold(stored))) return stored;
  const fresh = crypto.randomUUID?.() ?? `${Date.now()}-${Math.random()}`.slice(2);
  try {
    sessionStorage.setItem(SESSION_KEY, fresh);
  } catch {
    // No sessionStorage (a worker): the session is this page.
  }
  await hold(fresh);
  return fresh;
}

/** Ends this tab's session (a logout): the next per-session use starts a new one. */
export function endSession(): void {
  release?.();
  release = undefined;
  current = resolving = undefined;
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // Nothing stored.
  }
}

function readStored(): string | undefined {
  try {
    return sessionStorage.getItem(SESSION_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

const lockName = (session: string) => `idb-memo:session:${session}`;

/** Takes the lock of session `id` for the page's life; false when another live page holds it. */
function hold(id: string): Promise<boolean> {
  const locks = navigatorLocks();
  if (!locks) return Promise.resolve(true);
  return new Promise((held) => {
    locks
      .request(lockName(id), { ifAvailable: true }, (lock) => {
        held(lock !== null);
        return lock && new Promise<void>((resolve) => (release = resolve));
      })
      .catch(() => held(true));
  });
}

/**
 * A test of whether the per-session namespace `ns` (last used at `usedAt`) belongs to a session
 * that ended: its tab is gone (no page holds its lock), or without Web Locks it went unused for a
 * day. This tab's own session, maybe not taken again yet after a reload, never ended.
 */
export async function endedSessions(): Promise<(ns: string, usedAt: number) => boolean> {
  let held: Set<string> | undefined;
  try {
    const state = await navigatorLocks()?.query();
    if (state) held = new Set([...(state.held ?? []), ...(state.pending ?? [])].map((lock) => lock.name ?? ''));
  } catch {
    held = undefined;
  }
  const own = current ?? readStored();
  return (ns, usedAt) => {
    const session = ns.split('\0')[2];
    if (session === undefined || session === own) return false;
    return held ? !held.has(lockName(session)) : !(Date.now() - usedAt < UNSEEN_LIMIT_MS);
  };
}

// A reloaded tab takes its session's lock at once: a tab it opens later (inheriting the id) must
// find it held, even before this tab makes a per-session call again.
if (readStored() !== undefined) void sessionReady();
