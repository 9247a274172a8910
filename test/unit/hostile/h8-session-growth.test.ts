// Per-session namespaces: once their sessions ended, their entries and tombstones go at once, and
// their records (kept retired, so that a page still using one stores nothing it began before) once
// unused for config.maxUnusedDays. (Node has no Web Locks: a session whose namespaces went unused for
// a day counts as ended; the clock is moved on.)
import { openDB } from 'idb';
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary, timeTravel, uniquePath } from '../helpers';

afterEach(() => vi.restoreAllMocks());

async function dump(path: string) {
  const db = await openDB(path);
  const records = (await db.getAll('namespaces')) as { ns: string; retired?: boolean }[];
  const out = {
    entries: await db.count('entries'),
    namespaces: records.filter((record) => !record.retired).map((record) => record.ns),
    retired: records.filter((record) => record.retired).length,
    tombstones: await db.count('tombstones'),
  };
  db.close();
  return out;
}

it('sessions that used clear()/delete() leave no entries or tombstones once ended, and no namespace records after maxUnusedDays', async () => {
  const cachePath = uniquePath('h8');
  for (let i = 0; i < 20; i++) {
    sessionStorage.clear(); // a new tab
    const lib = await freshLibrary();
    const f = lib.cache(async (k: string) => k, { toDisk: true, perSession: true, maxItems: 3, cachePath, name: 'h8' });
    await f('a');
    await f('b');
    await f.delete('a'); // a tombstone
    await f('c');
    await lib.flushCaches();
  }
  const before = await dump(cachePath);
  expect(before).toMatchObject({ entries: 40, tombstones: 20 });
  expect(before.namespaces).toHaveLength(20);
  timeTravel(2 * 86_400_000); // every session so far has ended
  sessionStorage.clear();
  const lib = await freshLibrary();
  const g = lib.cache(async (k: string) => k, { toDisk: true, perSession: true, cachePath, name: 'h8' });
  await g('x'); // opens the database: its upkeep purges ended sessions
  await lib.flushCaches();
  const after = await dump(cachePath);
  expect(after).toEqual({ entries: 1, namespaces: [`h8\0\0${sessionStorage.getItem('idb-memo:session')}`], retired: 20, tombstones: 0 });
  timeTravel(31 * 86_400_000); // the retired records have gone unused for config.maxUnusedDays
  sessionStorage.clear();
  const last = await freshLibrary();
  await last.cache(async (k: string) => k, { toDisk: true, perSession: true, cachePath, name: 'h8' })('y');
  await last.flushCaches();
  // Left: this page's session, and the previous one's, retired a moment ago.
  expect(await dump(cachePath)).toEqual({ entries: 1, namespaces: [`h8\0\0${sessionStorage.getItem('idb-memo:session')}`], retired: 1, tombstones: 0 });
});
