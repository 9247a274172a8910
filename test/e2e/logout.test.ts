// Found by a hostile review of the rebuilt core: a logout must empty every database of the library,
// also those no list remembers (a worker's: workers have no localStorage; those of earlier visits
// after the app cleared localStorage), and settle when "Clear site data" comes as it starts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright';
import { startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const PAGE = '/test/e2e/pages/logout.html';

const withContext = <T>(run: (context: BrowserContext) => Promise<T>) => h.withContext(run);

it("clearCaches() empties the database of the page's worker: the next user never gets the previous one's results", () =>
  withContext(async (context) => {
    const page = await h.open(context, PAGE);
    expect(await page.evaluate(() => window.workerCall(1))).toBe('profile 1 of alice');
    await page.evaluate(() => window.idbMemo.clearCaches()); // alice logs out
    expect((await page.evaluate(() => window.dump()))['worker-db']).toEqual([]);
    expect(await page.evaluate(() => window.workerCall(1, 'bob'))).toBe('profile 1 of bob');
    await page.reload(); // a new page and a new worker
    await page.waitForFunction(() => window.ready === true);
    expect(await page.evaluate(() => window.workerCall(1, 'bob'))).toBe('profile 1 of bob');
  }));

it('clearCaches() after the app cleared localStorage empties a database used on an earlier load', () =>
  withContext(async (context) => {
    const page = await h.open(context, PAGE);
    expect(await page.evaluate(() => window.profile(1))).toBe('profile 1 of alice');
    await page.evaluate(() => window.idbMemo.flushCaches());
    await page.reload(); // a later visit that has not opened feature-x yet
    await page.waitForFunction(() => window.ready === true);
    await page.evaluate(async () => {
      localStorage.clear(); // the app's own logout routine
      await window.idbMemo.clearCaches();
      window.user = 'bob';
    });
    expect((await page.evaluate(() => window.dump()))['feature-x']).toEqual([]);
    expect(await page.evaluate(() => window.profile(1))).toBe('profile 1 of bob');
  }));

it('clearCaches() after localStorage.clear() empties a database another tab holds open, which that tab then reads empty', () =>
  withContext(async (context) => {
    const [a, b] = [await h.open(context, PAGE), await h.open(context, PAGE)];
    expect(await b.evaluate(() => window.profile(1))).toBe('profile 1 of alice');
    await b.evaluate(() => window.idbMemo.flushCaches());
    await b.evaluate(() => void ((window as unknown as { heard: Promise<void> }).heard = window.heardLogout()));
    await a.evaluate(async () => {
      localStorage.clear();
      await window.idbMemo.clearCaches();
    });
    await b.evaluate(() => (window as unknown as { heard: Promise<void> }).heard); // B hears the logout
    await b.evaluate(() => void (window.user = 'bob'));
    expect(await b.evaluate(() => window.profile(1))).toBe('profile 1 of bob');
  }));

it('clearCaches() settles, and so do later calls, when "Clear site data" comes as it starts', () =>
  withContext(async (context) => {
    const page = await h.open(context, PAGE);
    const cdp = await context.newCDPSession(page);
    /** What `promise` did within `ms`, in the page. */
    const within = (ms: number) => `(p) => Promise.race([p.then(() => 'settled', (e) => 'rejected ' + e?.code), new Promise((r) => setTimeout(() => r('pending after ${ms} ms'), ${ms}))])`;
    for (let round = 0; round < 5; round++) {
      await page.evaluate(() => Promise.all([1, 2, 3].map((i) => window.profile(i, `db${i}`))));
      const logout = page.evaluate(`(${within(10_000)})(window.idbMemo.clearCaches())`);
      await cdp.send('Storage.clearDataForOrigin', { origin: h.origin, storageTypes: 'indexeddb' });
      expect(await logout, `round ${round}`).toBe('settled');
    }
    expect(await page.evaluate(`(${within(10_000)})(window.idbMemo.cache(async (n) => n, { toDisk: true, name: 'later' })(42))`)).toBe('settled');
  }));
