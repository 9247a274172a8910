// Issue 14 in real Chromium: per-session results stay with their tab (window.open included),
// ended sessions are purged at the next page start, clearCaches() in one tab is not undone by
// work in another, and memoized functions dropped by the app are collected with their results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright';
import { startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const call = (page: Page, name: string, n: number, options: object = {}) =>
  page.evaluate(([name, n, options]) => window.memo(name, options)(n), [name, n, options] as const);
const computed = (page: Page, name: string) => page.evaluate((name) => window.computeCount[name] ?? 0, name);
const flush = (page: Page) => page.evaluate(() => window.idbMemo.flushCaches());
/** Every entry record of database `path`, read without the library. */
const records = (page: Page, path = './cache') =>
  page.evaluate(
    (path) =>
      new Promise<{ ns: string; value: unknown }[]>((resolve, reject) => {
        const request = indexedDB.open(path);
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains('entries')) return (db.close(), resolve([]));
          const all = db.transaction('entries').objectStore('entries').getAll();
          all.onsuccess = () => (db.close(), resolve(all.result as never));
        };
      }),
    path,
  );

const withContext = <T>(run: (context: BrowserContext) => Promise<T>) => h.withContext(run);

describe('per-session results', () => {
  it('a tab opened with window.open takes a session of its own', () =>
    withContext(async (context) => {
      const options = { perSession: true };
      const opener = await h.open(context);
      await call(opener, 'mine', 4, options);
      const [opened] = await Promise.all([
        context.waitForEvent('page'),
        opener.evaluate(() => void window.open('/test/e2e/pages/lib.html')),
      ]);
      await opened.waitForFunction(() => window.ready === true);
      // It inherited the opener's sessionStorage (its session id), but not its session: the
      // library finds that id's lock held by the opener and takes a new id.
      const openerSession = await opener.evaluate(() => sessionStorage.getItem('idb-memo:session'));
      await call(opened, 'mine', 4, options);
      expect(await computed(opened, 'mine')).toBe(1);
      expect(await opened.evaluate(() => sessionStorage.getItem('idb-memo:session'))).not.toBe(openerSession);
      expect(await opener.evaluate(() => sessionStorage.getItem('idb-memo:session'))).toBe(openerSession);
      // And the opener still reads its own after a reload.
      await opener.reload();
      await opener.waitForFunction(() => window.ready === true);
      await call(opener, 'mine', 4, options);
      expect(await computed(opener, 'mine')).toBe(0);
    }));

  it("a closed tab's entries are purged when the next page of the origin starts", () =>
    withContext(async (context) => {
      const options = { perSession: true };
      const closing = await h.open(context);
      await call(closing, 'gone', 1, options);
      await flush(closing);
      const session = await closing.evaluate(() => sessionStorage.getItem('idb-memo:session'));
      expect((await records(closing)).filter((record) => record.ns.endsWith(`\0${session}`))).toHaveLength(1);
      await closing.close();
      const next = await h.open(context);
      // Any use of the disk tier starts the purge, per-session or not.
      await call(next, 'shared', 1);
      // A per-session namespace ends with its session id.
      const ofSession = async () => (await records(next)).filter((record) => record.ns.endsWith(`\0${session}`)).length;
      await expect.poll(ofSession, { timeout: 5000 }).toBe(0);
    }));
});

describe('logout across tabs', () => {
  it('clearCaches() in tab A while tab B computes: nothing of B comes back', () =>
    withContext(async (context) => {
      const [a, b] = [await h.open(context), await h.open(context)];
      await call(a, 'logout', 1);
      await flush(a);
      // B starts a slow computation (window.memo's function takes 50 ms), then A logs out.
      await b.evaluate(() => {
        (window as unknown as { pending: Promise<unknown> }).pending = window.memo('logout')(2);
      });
      await a.evaluate(() => window.idbMemo.clearCaches());
      const answer = await b.evaluate(() => (window as unknown as { pending: Promise<unknown> }).pending);
      expect(answer).toMatchObject({ squared: 4 });
      await flush(b);
      // The database is emptied, not deleted (docs/reliability.md): no entry of either tab remains.
      expect(await records(a)).toEqual([]);
      expect(await a.evaluate(() => sessionStorage.getItem('idb-memo:session'))).toBeNull();
    }));
});

describe('logout across tabs', () => {
  // A hostile review: tab B had made a toDisk cache but not used it, so it had no store to hold when
  // it heard A's wipe, and read A's record from the database A was about to delete.
  it("a tab that has not used the disk yet reads nothing while another tab's clearCaches() empties it", () =>
    withContext(async (context) => {
      const [a, b] = [await h.open(context), await h.open(context)];
      await call(a, 'who', 1);
      await flush(a);
      await b.evaluate(() => {
        const f = window.memo('who'); // made, not called
        const w = window as unknown as { answered: Promise<unknown> };
        w.answered = new Promise((resolve) => {
          const channel = new BroadcastChannel('idb-memo');
          channel.onmessage = ({ data }: MessageEvent<{ type?: string }>) => {
            if (data.type !== 'logout') return;
            channel.close();
            void f(1).then(resolve);
          };
        });
      });
      await a.evaluate(async () => {
        // Being written when the logout comes: clearCaches() does not wait for it.
        const big = window.idbMemo.cache(async () => new Uint8Array(80e6).fill(7), { toDisk: true, name: 'big' });
        await big();
        await new Promise((resolve) => setTimeout(resolve, 5));
        await window.idbMemo.clearCaches();
      });
      expect(await b.evaluate(() => (window as unknown as { answered: Promise<unknown> }).answered)).toMatchObject({ squared: 1 });
      expect(await computed(b, 'who')).toBe(1); // computed by B, not read from A's record
    }));
});

describe('logout leaves no argument text in memory', () => {
  /** The page's heap, as the text of a CDP heap snapshot (strings included), after a full GC. */
  async function heapSnapshot(page: Page, context: BrowserContext): Promise<string> {
    const cdp = await context.newCDPSession(page);
    const chunks: string[] = [];
    cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    await cdp.detach();
    return chunks.join('');
  }

  // Finding 4 of issue 14: after clearCaches(), a heap snapshot held `[{"user":"alice","token":…}]`.
  it('after clearCaches(), no string of the heap holds a token passed as an argument', () =>
    withContext(async (context) => {
      const page = await h.open(context);
      const token = await page.evaluate(async () => {
        const token = `tok-${crypto.randomUUID()}`;
        // The functions stay referenced (a function dropped is collected with its results anyway).
        const kept: unknown[] = [];
        (window as unknown as { kept: unknown[] }).kept = kept;
        for (const toDisk of [true, false]) {
          const f = window.idbMemo.cache((who: { user: string; token: string }) => who.user.length, { toDisk, name: `login-${toDisk}` });
          kept.push(f);
          await f({ user: 'alice', token });
          await f({ user: 'alice', token });
        }
        return token.slice(4); // the page keeps no reference to the token itself
      });
      // Control: while cached, the key text with the token is in the heap (so the search can find it).
      expect(await heapSnapshot(page, context)).toContain(token);
      await page.evaluate(() => window.idbMemo.clearCaches());
      expect(await heapSnapshot(page, context)).not.toContain(token);
    }));
});

describe('bounds', () => {
  it('toDisk functions made on the fly and dropped are collected with their results', () =>
    withContext(async (context) => {
      const page = await h.open(context);
      const cdp = await context.newCDPSession(page);
      const heap = async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        return (await cdp.send('Runtime.getHeapUsage')).usedSize;
      };
      const before = await heap();
      await page.evaluate(async () => {
        for (let i = 0; i < 40; i++) {
          const f = window.idbMemo.cache((n: number) => new Uint8Array(1 << 20).fill(n), { toDisk: true, name: `dropped-${i}`, maxItems: 3 });
          await f(i % 250);
        }
        await window.idbMemo.flushCaches();
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = await heap();
      // 40 results of 1 MiB each were made; what stays is far less than one of them per function.
      expect((after - before) / (1 << 20)).toBeLessThan(8);
    }));
});
