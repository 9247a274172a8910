import { quiet, type CacheDatabase, type Connection } from './connection';

const SESSION_KEY = 'idb-memo:session';
/** What a per-session namespace ends with, before its session id (see namespaceOf). */
export const SESSION_PART = '/session:';
/** Without Web Locks, a session unseen (nothing written) for this long is taken as ended. */
const UNSEEN_LIMIT_MS = 24 * 60 * 60 * 1000;

let current: string | undefined;
let resolving: Promise<string> | undefined;
let releaseHeld: (() => void) | undefined;

/** This tab's session id once {@link sessionReady} resolved; undefined before. */
export function sessionId(): string | undefined {
  return current;
}

/**
 * Resolves this tab's session id. It is kept in sessionStorage, so it survives reloads of the tab,
 * and held with a Web Lock while the page lives. A tab opened from another (`window.open`,
 * "Duplicate tab") inherits the opener's sessionStorage; it finds the id's lock held by the live
 * opener and takes a new id, so it never reads the opener's per-session entries.
 */
export function sessionReady(): Promise<string> {
  return (resolving ??= resolveSession().then((id) => (current = id)));
}

async function resolveSession(): Promise<string> {
  const stored = readStored();
  if (stored !== undefined && (await hold(stored))) return stored;
  const fresh = randomId();
  try {
    sessionStorage.setItem(SESSION_KEY, fresh);
  } catch {
    // No sessionStorage (a worker): the session is this page.
  }
  await hold(fresh);
  return fresh;
}

/**
 * Ends this tab's session after clearCaches(): its lock is released and its sessionStorage key
 * removed, so the next per-session use starts a new session.
 */
export function endSession(): void {
  releaseHeld?.();
  releaseHeld = undefined;
  current = undefined;
  resolving = undefined;
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // Nothing stored.
  }
}

// A reloaded tab takes its session's lock at once: a tab it opens later (inheriting the id) must
// find it held, even before this tab makes a per-session call again.
if (readStored() !== undefined) void sessionReady();

function readStored(): string | undefined {
  try {
    return sessionStorage.getItem(SESSION_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function randomId(): string {
  return typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`.slice(2);
}

function lockName(session: string): string {
  return `idb-memo:session:${session}`;
}

/**
 * Takes the lock of session `id` for the page's life; false when another live page holds it.
 * Without Web Locks every id is taken (a duplicated tab then shares its opener's session).
 */
function hold(id: string): Promise<boolean> {
  const locks = navigatorLocks();
  if (!locks) return Promise.resolve(true);
  return new Promise((acquired) => {
    locks
      .request(lockName(id), { ifAvailable: true }, (lock) => {
        if (!lock) return acquired(false);
        acquired(true);
        return new Promise<void>((release) => (releaseHeld = release));
      })
      .catch(() => acquired(true));
  });
}

/**
 * Deletes the per-session entries of sessions that ended (their tab closed: no page holds their
 * lock) from the database of `connection`. Runs when a page opens the database, so that ended
 * sessions never outlive the next start of a page of the origin.
 */
export async function purgeEndedSessions(connection: Connection): Promise<void> {
  const anySession = async (db: CacheDatabase) => {
    // An explicit transaction whose outcome is handled: "Clear site data" may abort it.
    const tx = db.transaction('sessions', 'readonly');
    quiet(tx.done);
    return (await tx.store.count()) > 0;
  };
  if (!(await connection.run(anySession, false, undefined, false))) return;
  const locks = navigatorLocks();
  let held: Set<string> | undefined;
  if (locks) {
    try {
      const state = await locks.query();
      held = new Set([...(state.held ?? []), ...(state.pending ?? [])].map((lock) => lock.name ?? ''));
    } catch {
      held = undefined;
    }
  }
  // This tab's own session, maybe not taken again yet after a reload, is never ended.
  const own = current ?? readStored();
  await connection.run(async (db) => {
    const now = Date.now();
    const tx = db.transaction(['entries', 'namespaces', 'sessions'], 'readwrite');
    quiet(tx.done);
    const sessions = await tx.objectStore('sessions').getAll();
    const ended = sessions.filter(({ id, seenAt }) => id !== own && (held ? !held.has(lockName(id)) : !(now - seenAt < UNSEEN_LIMIT_MS)));
    const touched = new Set<string>();
    for (const { id } of ended) {
      let cursor = await tx.objectStore('entries').index('bySession').openCursor(id);
      for (; cursor; cursor = await cursor.continue()) {
        touched.add(cursor.value.ns);
        quiet(cursor.delete());
      }
      quiet(tx.objectStore('sessions').delete(id));
    }
    // A per-session namespace belongs to one session only, so its record goes with it, also when
    // it holds no entry (emptied by clear() or delete(), its clear marker is all that is left).
    for (const ns of touched) quiet(tx.objectStore('namespaces').delete(ns));
    const endedIds = new Set(ended.map(({ id }) => id));
    for (let cursor = await tx.objectStore('namespaces').openCursor(); cursor; cursor = await cursor.continue()) {
      const at = cursor.value.ns.lastIndexOf(SESSION_PART);
      if (at >= 0 && endedIds.has(cursor.value.ns.slice(at + SESSION_PART.length))) quiet(cursor.delete());
    }
    await tx.done;
  }, undefined, undefined, false);
}

/** The Web Locks API, where the browser has it. */
export function navigatorLocks(): LockManager | undefined {
  return typeof navigator !== 'undefined' && navigator.locks && typeof navigator.locks.request === 'function' ? navigator.locks : undefined;
}
