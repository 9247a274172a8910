import { quiet, type Connection } from './connection';

const SESSION_KEY = 'idb-memo:session';
/** A session whose tab is gone is purged only after this long, so that a reloading tab keeps its entries. */
const GONE_GRACE_MS = 60_000;
/** Without Web Locks, a session unseen for this long is taken as gone. */
const UNSEEN_LIMIT_MS = 24 * 60 * 60 * 1000;

let id: string | undefined;

/** This tab's session id: kept in sessionStorage, so it survives reloads of the tab and nothing else. */
export function sessionId(): string {
  if (id) return id;
  try {
    id = sessionStorage.getItem(SESSION_KEY) ?? undefined;
    if (!id) sessionStorage.setItem(SESSION_KEY, (id = randomId()));
  } catch {
    id = randomId(); // No sessionStorage (a worker): the session is this page.
  }
  return id;
}

function randomId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`.slice(2);
}

function lockName(session: string): string {
  return `idb-memo:session:${session}`;
}

const started = new Set<Connection>();

/** Forgets which databases hold this session, after clearCaches() deleted them. */
export function forgetSessions(): void {
  started.clear();
}

/**
 * Registers this session in the database of `connection` (once per page), keeps it marked alive,
 * and purges the per-session entries of sessions whose tabs are gone.
 */
export function startSession(connection: Connection): void {
  if (started.has(connection)) return;
  started.add(connection);
  const session = sessionId();
  const seen = () =>
    connection.run(async (db) => {
      await db.put('sessions', { id: session, seenAt: Date.now() });
    }, undefined);
  void seen().then(() => purgeGoneSessions(connection, session));
  if (typeof addEventListener === 'function') {
    // Not after clearCaches(): marking the session alive would bring the database back.
    addEventListener('pagehide', () => void (started.has(connection) && seen()));
  }
  // Held while the page lives: other tabs see from the lock that this session is not gone.
  void navigatorLocks()?.request(lockName(session), { mode: 'shared' }, () => new Promise<never>(() => {})).catch(() => {});
}

async function purgeGoneSessions(connection: Connection, current: string): Promise<void> {
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
  await connection.run(async (db) => {
    const now = Date.now();
    const tx = db.transaction(['entries', 'namespaces', 'sessions'], 'readwrite');
    quiet(tx.done);
    const sessions = await tx.objectStore('sessions').getAll();
    const gone = sessions.filter(
      ({ id: other, seenAt }) =>
        other !== current &&
        (held ? !held.has(lockName(other)) && now - seenAt > GONE_GRACE_MS : now - seenAt > UNSEEN_LIMIT_MS),
    );
    const touched = new Map<string, number>();
    for (const { id: other } of gone) {
      let cursor = await tx.objectStore('entries').index('bySession').openCursor(other);
      while (cursor) {
        touched.set(cursor.value.ns, (touched.get(cursor.value.ns) ?? 0) + 1);
        quiet(cursor.delete());
        cursor = await cursor.continue();
      }
      quiet(tx.objectStore('sessions').delete(other));
    }
    // A per-session namespace belongs to one session only, so its count goes with it.
    for (const ns of touched.keys()) quiet(tx.objectStore('namespaces').delete(ns));
    await tx.done;
  }, undefined);
}

/** The Web Locks API, where the browser has it. */
export function navigatorLocks(): LockManager | undefined {
  return typeof navigator !== 'undefined' && navigator.locks && typeof navigator.locks.request === 'function' ? navigator.locks : undefined;
}
