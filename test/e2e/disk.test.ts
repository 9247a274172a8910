// The disk tier in real Chromium: reloads, tabs, sessions, cleared storage and quota.
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
const stats = (page: Page, name: string, options: object = {}) =>
  page.evaluate(([name, options]) => window.memo(name, options).stats(), [name, options] as const);
// Polled from Node: page.waitForFunction does not await a predicate's promise.
const waitForEntries = (page: Page, count: number, path = './cache') =>
  expect.poll(() => page.evaluate((path) => window.countEntries(path), path), { timeout: 5000, interval: 50 }).toBe(count);

/** `promise`, or a failure naming `step` if it has not settled within `ms`. */
async function within<T>(step: string, promise: Promise<T>, ms = 15_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const message = `stalled for ${ms} ms at: ${step}`;
      console.error(message);
      reject(new Error(message));
    }, ms);
  });
  try {
    return await Promise.race([promise, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

const withContext = <T>(run: (context: BrowserContext) => Promise<T>) => h.withContext(run);

describe('disk tier in Chromium', () => {
  it('keeps results across a reload', () =>
    withContext(async (context) => {
      const page = await h.open(context);
      expect(await call(page, 'reload', 4)).toEqual({ n: 4, squared: 16, label: 'reload:4' });
      await waitForEntries(page, 1);
      await page.reload();
      await page.waitForFunction(() => window.ready);
      expect(await call(page, 'reload', 4)).toEqual({ n: 4, squared: 16, label: 'reload:4' });
      expect(await computed(page, 'reload')).toBe(0);
      expect(await stats(page, 'reload')).toMatchObject({ diskHits: 1, misses: 0 });
    }));

  it('answers 40 concurrent cold lookups after a reload from disk, whole namespace or part of it', () =>
    withContext(async (context) => {
      const page = await h.open(context);
      const callAll = (name: string, ns: number[]) =>
        page.evaluate(([name, ns]) => Promise.all(ns.map((n) => window.memo(name)(n))), [name, ns] as const);
      const upTo = (count: number) => Array.from({ length: count }, (_, i) => i);
      await callAll('sweep-all', upTo(40)); // the batch will ask for all of this namespace: one getAll
      await callAll('sweep-part', upTo(200)); // …and for a fifth of this one: one get each
      await waitForEntries(page, 240);
      await page.reload();
      await page.waitForFunction(() => window.ready);
      const wanted = upTo(40).map((i) => i * 5);
      const expected = (name: string, ns: number[]) => ns.map((n) => ({ n, squared: n * n, label: `${name}:${n}` }));
      expect(await callAll('sweep-all', upTo(40))).toEqual(expected('sweep-all', upTo(40)));
      expect(await callAll('sweep-part', wanted)).toEqual(expected('sweep-part', wanted));
      expect(await computed(page, 'sweep-all')).toBe(0);
      expect(await computed(page, 'sweep-part')).toBe(0);
      expect(await stats(page, 'sweep-all')).toMatchObject({ diskHits: 40, misses: 0 });
      expect(await stats(page, 'sweep-part')).toMatchObject({ diskHits: 40, misses: 0 });
    }));

  it('shares global entries between two tabs and computes a simultaneous call once', () =>
    withContext(async (context) => {
      const [a, b] = [await h.open(context), await h.open(context)];
      await call(a, 'shared', 2);
      await waitForEntries(a, 1);
      expect(await call(b, 'shared', 2)).toMatchObject({ squared: 4 });
      expect(await computed(b, 'shared')).toBe(0);
      // Both tabs ask for a new key at once: Web Locks let one compute and the other read it.
      await Promise.all([call(a, 'shared', 9), call(b, 'shared', 9)]);
      expect((await computed(a, 'shared')) + (await computed(b, 'shared'))).toBe(2);
    }));

  it('answers a worker of the same origin from the page\'s entries', () =>
    withContext(async (context) => {
      const page = await h.open(context);
      await call(page, 'worker', 6);
      await waitForEntries(page, 1);
      const answer = await page.evaluate(() => window.inWorker('worker', 6));
      expect(answer.value).toEqual({ n: 6, squared: 36, label: 'worker:6' });
      expect(answer).toMatchObject({ computed: 0, stats: { diskHits: 1 } });
    }));

  it('keeps per-session entries to their tab, across that tab\'s reloads', () =>
    withContext(async (context) => {
      const options = { perSession: true };
      const a = await h.open(context);
      await call(a, 'session', 3, options);
      await waitForEntries(a, 1);
      const b = await h.open(context);
      await call(b, 'session', 3, options);
      expect(await computed(b, 'session')).toBe(1);
      await a.reload();
      await a.waitForFunction(() => window.ready);
      await call(a, 'session', 3, options);
      expect(await computed(a, 'session')).toBe(0);
      expect(await stats(a, 'session', options)).toMatchObject({ diskHits: 1 });
    }));

  it('clear() in one tab drops the entries from the other tab\'s memory', () =>
    withContext(async (context) => {
      const [a, b] = [await h.open(context), await h.open(context)];
      await call(a, 'crosstab', 1);
      await waitForEntries(a, 1);
      await call(b, 'crosstab', 1);
      expect(await stats(b, 'crosstab')).toMatchObject({ size: 1 });
      await a.evaluate(() => window.memo('crosstab').clear());
      await b.waitForFunction(() => window.memo('crosstab').stats().size === 0);
      await call(b, 'crosstab', 1);
      expect(await computed(b, 'crosstab')).toBe(1);
    }));

  it('clearCaches() empties every database of the library, of earlier visits too', () =>
    withContext(async (context) => {
      const page = await h.open(context);
      await call(page, 'wipe', 1, { cachePath: 'wipe-a' });
      await waitForEntries(page, 1, 'wipe-a');
      // A database of an earlier visit: this page never opened it.
      await page.reload();
      await page.waitForFunction(() => window.ready);
      await call(page, 'wipe2', 1, { cachePath: 'wipe-b' });
      await waitForEntries(page, 1, 'wipe-b');
      await page.evaluate(() => window.idbMemo.clearCaches());
      // Emptied when clearCaches() resolves (docs/reliability.md: the databases stay, empty).
      expect(await page.evaluate(() => Promise.all([window.countEntries('wipe-a'), window.countEntries('wipe-b')]))).toEqual([0, 0]);
      expect(await call(page, 'wipe', 1, { cachePath: 'wipe-a' })).toMatchObject({ squared: 1 });
      expect(await computed(page, 'wipe')).toBe(1);
    }));

  // Under the former disk tier this test stalled twice in about 25 full runs: a wiped database's
  // deletion held every open of the page (gone with the rebuild, issue 20: nothing waits for a
  // deletion any more). Each step fails within 15 s naming itself; it is not retried.
  it('survives "Clear site data" while the page is open', () =>
    withContext(async (context) => {
      const page = await h.open(context);
      await within('the first call', call(page, 'cleared', 5));
      await within('the first write', waitForEntries(page, 1));
      const cdp = await context.newCDPSession(page);
      await within('Storage.clearDataForOrigin', cdp.send('Storage.clearDataForOrigin', { origin: h.origin, storageTypes: 'indexeddb' }));
      expect(await within('counting after the wipe', page.evaluate(() => window.countEntries()))).toBe(0);
      // New keys compute and persist again on a reopened connection; nothing throws.
      expect(await within('a call after the wipe', call(page, 'cleared', 6))).toMatchObject({ squared: 36 });
      await within('the write after the wipe', waitForEntries(page, 1));
      expect(await within('a memory hit after the wipe', call(page, 'cleared', 5))).toMatchObject({ squared: 25 });
    }));

  it('returns results that do not fit a squeezed quota, keeping what fits', () =>
    withContext(async (context) => {
      const page = await h.open(context);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: h.origin, quotaSize: 200 * 1024 });
      const result = await page.evaluate(async () => {
        const big = window.idbMemo.cache((n: number) => new Uint8Array(n).fill(7), { toDisk: true, name: 'big', cachePath: 'quota' });
        const small = window.idbMemo.cache((n: number) => n + 1, { toDisk: true, name: 'small', cachePath: 'quota' });
        const bytes = await big(2 * 1024 * 1024);
        const one = await small(1);
        return { length: bytes.length, first: bytes[0], one };
      });
      expect(result).toEqual({ length: 2 * 1024 * 1024, first: 7, one: 2 });
      await waitForEntries(page, 1, 'quota');
      await expect.poll(() => page.evaluate(() => window.warnings.some((w) => w.includes('quota'))), { timeout: 5000 }).toBe(true);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: h.origin });
    }));
});
