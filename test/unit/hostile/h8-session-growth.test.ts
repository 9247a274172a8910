// Per-session namespaces: after their sessions ended and were purged, what is left in the database?
// (Node has no Web Locks: a session unseen for 24 h counts as ended; we age the records by hand.)
import { openDB } from 'idb';
import { expect, it, vi } from 'vitest';
import { freshLibrary, uniquePath } from '../helpers';
vi.setConfig({ testTimeout: 60_000 });

async function dump(path: string) {
  const db = await openDB(path);
  const out = { entries: await db.count('entries'), namespaces: (await db.getAll('namespaces')) as { ns: string }[], sessions: await db.count('sessions'), tombstones: await db.count('tombstones') };
  db.close();
  return out;
}
async function ageSessions(path: string) {
  const db = await openDB(path);
  const tx = db.transaction('sessions', 'readwrite');
  for (const s of await tx.store.getAll()) await tx.store.put({ ...s, seenAt: 0 });
  await tx.done;
  db.close();
}

it('sessions that used clear()/delete() leave namespace records (and tombstones) behind forever', async () => {
  const cachePath = uniquePath('h8');
  const SESSIONS = 20;
  for (let i = 0; i < SESSIONS; i++) {
    sessionStorage.clear(); // a new tab
    const lib = await freshLibrary();
    const f = lib.cache(async (k: string) => k, { toDisk: true, perSession: true, maxItems: 3, cachePath, name: 'h8' });
    await f('a');
    await f('b');
    await f.delete('a');
    await f.clear(); // e.g. logout of a sub-view
    await lib.flushCaches();
    await ageSessions(cachePath); // every session so far has ended
  }
  sessionStorage.clear();
  const lib = await freshLibrary();
  const g = lib.cache(async (k: string) => k, { toDisk: true, perSession: true, cachePath, name: 'h8' });
  await g('x'); // opens the database: purges ended sessions
  await new Promise((r) => setTimeout(r, 300));
  await lib.flushCaches();
  const left = await dump(cachePath);
  expect(left.namespaces.length).toBeLessThanOrEqual(2);
});
