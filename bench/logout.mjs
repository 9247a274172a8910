#!/usr/bin/env node
// `npm run bench:logout`: how long `clearCaches()` takes in one tab while 0, 1 or 3 other tabs of
// the origin are busy (issue 20 asks for the figure with 1 and 3). Headless Chromium, one fresh
// browser context per round; prints the median and range over the rounds of each case.
//
// Each other tab has written 20 entries on two cachePaths, then, as the logout starts:
// - "computing": holds a toDisk call in flight (its function awaits for 10 s) and a 4 MB write on
//   its way to the database;
// - "blocked": its main thread runs a synchronous loop for 10 s (it can answer no event at all).
// The logging-out tab has made nothing itself; its own page opened the library only.
//
// Flags: --rounds=N (default 5).
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, ensureChromium } from '../scripts/chromium.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGE = '/test/e2e/pages/logout.html';
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 5);

const server = await createServer({
  configFile: false,
  root: ROOT,
  logLevel: 'error',
  define: { __DEV__: 'false' },
  server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
  optimizeDeps: { noDiscovery: true, include: [] },
});
await server.listen();
const address = server.httpServer?.address();
if (!address || typeof address === 'string') throw new Error('vite did not listen on a port');
const origin = `http://127.0.0.1:${address.port}`;
const browser = await chromium.launch({ executablePath: ensureChromium(), args: CHROMIUM_ARGS, headless: true });

async function open(context) {
  const page = await context.newPage();
  await page.goto(origin + PAGE);
  await page.waitForFunction(() => window.ready === true);
  return page;
}

/** One round: the time of `clearCaches()` in a tab while `busy` other tabs are busy in `how`. */
async function round(busy, how) {
  const context = await browser.newContext();
  await context.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => route.abort('blockedbyclient'));
  try {
    const others = [];
    for (let i = 0; i < busy; i++) {
      const page = await open(context);
      await page.evaluate(async () => {
        for (let n = 0; n < 10; n++) await window.profile(n);
        for (let n = 0; n < 10; n++) await window.profile(n, 'feature-y');
        await window.idbMemo.flushCaches();
      });
      others.push(page);
    }
    const tab = await open(context);
    for (const page of others) {
      await page.evaluate((how) => {
        if (how === 'blocked') {
          setTimeout(() => {
            const end = Date.now() + 10_000;
            while (Date.now() < end);
          });
          return;
        }
        const { cache } = window.idbMemo;
        void cache(async () => new Promise((resolve) => setTimeout(() => resolve('late'), 10_000)), { toDisk: true, name: 'slow' })();
        void cache(async () => 'x'.repeat(4 << 20), { toDisk: true, name: 'large' })();
      }, how);
    }
    return await tab.evaluate(async () => {
      const start = performance.now();
      await window.idbMemo.clearCaches();
      const ms = performance.now() - start;
      // What the logout left: counted right after it, so that a logout that did nothing cannot pass for a fast one.
      const left = Object.values(await window.dump()).reduce((sum, values) => sum + values.length, 0);
      return { ms, left };
    });
  } finally {
    await context.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`clearCaches() in one tab, ${rounds} rounds each (ms: median, min–max)\n`);
console.log('| other tabs | busy how | median | range | entries left, all rounds |\n| ---: | --- | ---: | ---: | ---: |');
try {
  for (const [busy, how] of [[0, 'none'], [1, 'computing'], [3, 'computing'], [1, 'blocked'], [3, 'blocked']]) {
    const times = [];
    let left = 0;
    for (let r = 0; r < rounds; r++) {
      const result = await round(busy, how);
      times.push(result.ms);
      left += result.left;
    }
    const fmt = (ms) => ms.toFixed(1);
    console.log(`| ${busy} | ${how} | ${fmt(median(times))} | ${fmt(Math.min(...times))}–${fmt(Math.max(...times))} | ${left} |`);
  }
} finally {
  await browser.close();
  await server.close();
}
