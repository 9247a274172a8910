import { openDB } from 'idb';
import { vi } from 'vitest';
import type { EntryRecord } from '../../src/disk/schema';

let counter = 0;
/** A database name no other test uses. */
export function uniquePath(label: string): string {
  return `test-${label}-${Date.now()}-${counter++}`;
}

/** Polls `check` until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 3000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every entry record stored in database `path` (opened without upgrading it). */
export async function storedEntries(path: string): Promise<EntryRecord[]> {
  const db = await openDB(path);
  try {
    if (!db.objectStoreNames.contains('entries')) return [];
    return (await db.getAll('entries')) as EntryRecord[];
  } finally {
    db.close();
  }
}

/** Counts the entries in `path` until there are `count` of them. */
export function waitForEntries(path: string, count: number): Promise<EntryRecord[]> {
  return waitFor(async () => {
    const entries = await storedEntries(path);
    return entries.length === count ? entries : undefined;
  });
}

/** A new instance of the library on the same IndexedDB: a fresh page, as after a reload or in another tab. */
export async function freshLibrary(): Promise<typeof import('../../src/index')> {
  vi.resetModules();
  const library = await import('../../src/index');
  // Its lazy disk chunk, loaded now: loaded later, after another resetModules(), it would be the
  // next instance's, and two "tabs" would share one disk tier.
  await (await import('../../src/registry')).loadDisk();
  return library;
}

/** Every namespace record stored in database `path`. */
export async function storedNamespaces(path: string): Promise<{ ns: string; seq: number; floor: number; count: number; usedAt: number }[]> {
  const db = await openDB(path);
  try {
    return db.objectStoreNames.contains('namespaces') ? await db.getAll('namespaces') : [];
  } finally {
    db.close();
  }
}

/** Makes `Date.now()` run `ms` ahead from now on (undone by vi.restoreAllMocks()). */
let travelled = 0;

export function timeTravel(ms: number): void {
  // Once more on top of an earlier travel of the same test; from now again once mocks are restored.
  if (!vi.isMockFunction(Date.now)) {
    travelled = 0;
    const now = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => now() + travelled);
  }
  travelled += ms;
}

/**
 * A disk that refuses readwrite transactions while `refusing()` says so (a transient fault: quota
 * pressure, a closing connection); `refused` counts the refusals. Undone by vi.restoreAllMocks().
 */
export function refuseWrites(refusing: () => boolean): { refused: number } {
  const counts = { refused: 0 };
  const real = IDBDatabase.prototype.transaction;
  vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    if (args[1] === 'readwrite' && refusing()) {
      counts.refused++;
      throw new DOMException('disk refused', 'UnknownError');
    }
    return real.apply(this, args);
  });
  return counts;
}

/** Every record of every store of database `path` but its epoch, by store (what a copy of IndexedDB shows). */
export async function dumpStores(path: string): Promise<Record<string, unknown[]>> {
  const db = await openDB(path);
  try {
    const out: Record<string, unknown[]> = {};
    for (const store of db.objectStoreNames) out[store] = (await db.getAll(store)).filter((record: { id?: string }) => record?.id !== 'epoch');
    return out;
  } finally {
    db.close();
  }
}
