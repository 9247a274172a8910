// Reliability under load and faults (issue 7), in real Chromium: several tabs of one origin hammer
// toDisk functions while caches are cleared, tabs reload, the site's storage is wiped and the quota
// squeezed; every answer is checked against the true result. Then: pages killed mid-write, and the
// security properties (per-session isolation, credentials in cachedFetch keys, clearCaches()).
//
// Short form in `npm test` (one round of 4 tabs × 150 calls); long form with `npm run chaos`
// (CHAOS_LONG=1: 5 rounds of 4 tabs × 1,000 calls; CHAOS_ROUNDS, CHAOS_CALLS, CHAOS_TABS, CHAOS_SEED
// and CHAOS_OUT override), which writes the figures to test/artifacts/chaos.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BrowserContext, CDPSession, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';
import type { Audit, Op, Tally } from './pages/chaos';

const LONG = process.env.CHAOS_LONG === '1';
const CALLS = Number(process.env.CHAOS_CALLS ?? (LONG ? 1000 : 150));
const TABS = Number(process.env.CHAOS_TABS ?? 4);
const ROUNDS = Number(process.env.CHAOS_ROUNDS ?? (LONG ? 5 : 1));
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 2 ** 31);
const OUT = process.env.CHAOS_OUT ?? (LONG ? 'test/artifacts/chaos.json' : undefined);
/** Calls in flight at once in each tab. */
const CONCURRENCY = 4;
/** Share of calls that go to the 20 hottest keys (so that tabs meet on the same keys). */
const HOT_SHARE = 0.6;
const HOT_KEYS = 20;
/** Pause between chaos events (ms): a random value in this range. */
const EVENT_GAP: [number, number] = [100, 400];
const PAGE = '/test/e2e/pages/chaos.html';

// ---------------------------------------------------------------------------------------------
// A counted endpoint for cachedFetch: answers who the Authorization header says the caller is.

const USERS: Record<string, string> = { 'Bearer tok-alice-7f3a': 'alice', 'Bearer tok-bob-91c2': 'bob', 'Bearer tok-carol-04d8': 'carol' };
const served: Record<string, number> = {};
function whoami(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  if (!req.url?.startsWith('/chaos-api/whoami')) return next();
  const auth = req.headers.authorization;
  const user = auth === undefined ? 'anonymous' : (USERS[auth] ?? 'unknown');
  served[user] = (served[user] ?? 0) + 1;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ user, secretOf: user === 'anonymous' ? null : `${user}'s data` }));
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness(whoami);
});
afterAll(async () => {
  await h?.close();
});

/** mulberry32: a small seeded generator, so that a failing run can be replayed with CHAOS_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it holds. (Playwright's waitForFunction does not wait for a predicate that
 * returns a promise: the promise itself counts as truthy, so async checks are polled from here.)
 */
async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${check.toString()}`);
    await sleep(20);
  }
}
const storedIn = (page: Page, path: string) => page.evaluate((path) => window.chaos.countEntries(path), path);
const openTab = (context: BrowserContext, tab: number) => h.open(context, `${PAGE}?tab=${tab}`);

const withContext = <T>(run: (context: BrowserContext) => Promise<T>) => h.withContext(run);

// ---------------------------------------------------------------------------------------------

interface Tab {
  readonly index: number;
  readonly page: Page;
  /** Resolves when the tab is loaded and ready (replaced while it reloads). */
  ready: Promise<void>;
  reloads: number;
}

type EventKind = 'clear' | 'delete' | 'clearCaches' | 'reload' | 'clearSiteData' | 'quotaSqueeze';
const EVENT_KINDS: readonly EventKind[] = ['clear', 'delete', 'clearCaches', 'reload', 'clearSiteData', 'quotaSqueeze'];

/** Whether `error` is an evaluate interrupted by a navigation of its page. */
function interrupted(error: unknown): boolean {
  return /Execution context was destroyed|navigat|Target (page, context or browser )?(has been )?closed|frame was detached/i.test(String(error));
}

/** What one round of the chaos test counted. */
interface Round {
  seed: number;
  durationMs: number;
  figures: Record<Figure, number>;
  events: Record<EventKind, number>;
  workloadOps: Tally['ops'];
  skippedEvents: number;
  warnings: Record<string, number>;
  consoleErrors: string[];
  samples: string[];
  auditIssues: string[];
}

type Figure =
  | 'callsIssued'
  | 'calls'
  | 'interruptedByReload'
  | 'resolved'
  | 'wrongValues'
  | 'failedCalls'
  | 'functionErrorsDelivered'
  | 'functionThrows'
  | 'staleTtlAnswers'
  | 'perSessionAnsweredByOtherTab'
  | 'unhandledRejections'
  | 'pageErrors'
  | 'consoleErrors'
  | 'computations'
  | 'computationsSaved'
  | 'answeredByAnotherTab'
  | 'pageLoads'
  | 'storedEntriesAtEnd'
  | 'diskAuditIssues';

/** One round: TABS tabs of a fresh browser context, each making at least CALLS calls while chaos events happen. */
function chaosRound(seed: number): Promise<Round & { functions: string[]; keys: number }> {
  return withContext(async (context) => {
    const rng = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
    const consoleErrors: string[] = [];
    const warnings: Record<string, number> = {};
    const tabs: Tab[] = [];
    for (let index = 0; index < TABS; index++) {
      const page = await openTab(context, index);
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(`tab ${index}: ${message.text()}`);
        if (message.type() === 'warning') {
          const text = message.text().replace(/"[^"]*"/g, '"…"').slice(0, 120);
          warnings[text] = (warnings[text] ?? 0) + 1;
        }
      });
      tabs.push({ index, page, ready: Promise.resolve(), reloads: 0 });
    }
    // One more tab, opened by tab 0 with window.open: it inherits tab 0's sessionStorage (and so
    // its per-session id), yet must never read tab 0's per-session entries.
    const [popup] = await Promise.all([
      context.waitForEvent('page'),
      tabs[0]!.page.evaluate((url) => void window.open(url), `${PAGE}?tab=${TABS}`),
    ]);
    await popup.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    popup.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`tab ${TABS} (popup): ${message.text()}`);
    });
    tabs.push({ index: TABS, page: popup, ready: Promise.resolve(), reloads: 0 });
    const { functions, keys } = await tabs[0]!.page.evaluate(() => ({ functions: window.chaos.functions, keys: window.chaos.keys }));
    const cdp: CDPSession = await context.newCDPSession(tabs[0]!.page);
    const events: Record<EventKind, number> = { clear: 0, delete: 0, clearCaches: 0, reload: 0, clearSiteData: 0, quotaSqueeze: 0 };
    let skippedEvents = 0;

    const randomKey = () => (rng() < HOT_SHARE ? Math.floor(rng() * HOT_KEYS) : Math.floor(rng() * keys));
    const randomFn = () => Math.floor(rng() * functions.length);
    const nextChunk = (calls: number): Op[] => {
      const ops: Op[] = [];
      const size = Math.min(calls, 6 + Math.floor(rng() * 14));
      for (let made = 0; made < size; ) {
        if (rng() < 0.03) ops.push({ op: 'delete', fn: randomFn(), id: randomKey() });
        else {
          ops.push({ op: 'call', fn: randomFn(), id: randomKey(), form: Math.floor(rng() * 3) });
          made++;
        }
      }
      return ops;
    };

    async function runIn(tab: Tab, ops: Op[]): Promise<void> {
      await tab.ready;
      const reloadsBefore = tab.reloads;
      try {
        await tab.page.evaluate(([ops, concurrency]) => window.chaos.runChunk(ops, concurrency), [ops, CONCURRENCY] as const);
      } catch (error) {
        // A reload interrupted the chunk: its unfinished calls count as interrupted, not failed.
        if (tab.reloads === reloadsBefore && !interrupted(error)) throw error;
        await tab.ready;
      }
    }

    let issued = 0;
    let decksPlayed = 0;
    /** Runs the tab's share of calls, and goes on until every kind of event has happened at least once. */
    async function drive(tab: Tab): Promise<void> {
      for (let mine = 0; mine < CALLS || decksPlayed === 0; ) {
        const ops = nextChunk(Math.max(CALLS - mine, 6));
        const calls = ops.filter((op) => op.op === 'call').length;
        mine += calls;
        issued += calls;
        await runIn(tab, ops);
      }
    }

    function reload(tab: Tab): Promise<void> {
      tab.reloads++;
      tab.ready = (async () => {
        await tab.page.reload();
        await tab.page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
      })();
      return tab.ready;
    }

    const quotaResets: Promise<unknown>[] = [];
    async function chaosEvent(kind: EventKind): Promise<void> {
      const tab = pick(tabs);
      switch (kind) {
        case 'clear':
          return runIn(tab, [{ op: 'clear', fn: randomFn() }]);
        case 'delete':
          return runIn(tab, [{ op: 'delete', fn: randomFn(), id: randomKey() }]);
        case 'clearCaches':
          return runIn(tab, [{ op: 'clearCaches' }]);
        case 'reload':
          return reload(tab);
        case 'clearSiteData':
          await cdp.send('Storage.clearDataForOrigin', { origin: h.origin, storageTypes: 'indexeddb' });
          return;
        case 'quotaSqueeze': {
          await cdp.send('Storage.overrideQuotaForOrigin', { origin: h.origin, quotaSize: 256 * 1024 });
          const lasts = 500 + rng() * 1500;
          quotaResets.push(sleep(lasts).then(() => cdp.send('Storage.overrideQuotaForOrigin', { origin: h.origin })));
          return;
        }
      }
    }

    let done = false;
    async function chaos(): Promise<void> {
      let deck: EventKind[] = [];
      while (!done) {
        await sleep(EVENT_GAP[0] + rng() * (EVENT_GAP[1] - EVENT_GAP[0]));
        if (done) break;
        if (deck.length === 0) deck = [...EVENT_KINDS].sort(() => rng() - 0.5);
        const kind = deck.pop()!;
        try {
          await chaosEvent(kind);
          events[kind]++;
        } catch (error) {
          if (!interrupted(error)) throw error;
          skippedEvents++;
          deck.push(kind); // try it again next time
        }
        if (deck.length === 0) decksPlayed++;
      }
    }

    const started = Date.now();
    const chaosLoop = chaos();
    try {
      await Promise.all(tabs.map(drive));
    } finally {
      done = true;
      await chaosLoop;
      await Promise.all(quotaResets);
    }
    const durationMs = Date.now() - started;
    await Promise.all(tabs.map((tab) => tab.ready));
    await sleep(500); // let the last writes land
    const tallies: Tally[] = await Promise.all(tabs.map((tab) => tab.page.evaluate(() => window.chaos.tally())));
    const wipes = tallies.flatMap((tally) => tally.wipes);
    const audit: Audit = await tabs[0]!.page.evaluate((wipes) => window.chaos.audit({ wipes }), wipes);
    // The popup's session ends with it; the next page start of the origin purges its entries.
    await popup.close({ runBeforeUnload: true });
    tabs.pop();
    const fresh = await openTab(context, TABS + 1);
    await fresh.evaluate(() => window.chaos.probe(window.chaos.functions.indexOf('session'), 0));
    const liveSessions = (await Promise.all([...tabs.map((tab) => tab.page), fresh].map((page) => page.evaluate(() => window.chaos.session())))).filter(
      (id): id is string => id !== null,
    );
    const sessionsAudit = () => fresh.evaluate((liveSessions) => window.chaos.audit({ liveSessions }), liveSessions);
    await until(async () => (await sessionsAudit()).issues.length === 0, 5_000).catch(() => {});
    audit.issues.push(...(await sessionsAudit()).issues.filter((issue) => issue.includes('session that ended')));
    const sum = (field: keyof Omit<Tally, 'ops' | 'wipes' | 'samples'>) => tallies.reduce((total, tally) => total + tally[field], 0);
    const workloadOps = { clear: 0, delete: 0, clearCaches: 0 };
    for (const tally of tallies) for (const op of ['clear', 'delete', 'clearCaches'] as const) workloadOps[op] += tally.ops[op];
    const figures: Record<Figure, number> = {
      callsIssued: issued,
      calls: sum('settled'),
      interruptedByReload: issued - sum('settled'),
      resolved: sum('resolved'),
      wrongValues: sum('wrong'),
      failedCalls: sum('failed'),
      functionErrorsDelivered: sum('ownErrors'),
      functionThrows: sum('thrown'),
      staleTtlAnswers: sum('stale'),
      perSessionAnsweredByOtherTab: sum('foreignSession'),
      unhandledRejections: sum('unhandled'),
      pageErrors: sum('pageErrors'),
      consoleErrors: consoleErrors.length,
      computations: sum('computations'),
      computationsSaved: sum('settled') - sum('computations'),
      answeredByAnotherTab: sum('crossTab'),
      pageLoads: sum('loads'),
      storedEntriesAtEnd: audit.entries,
      diskAuditIssues: audit.issues.length,
    };
    const samples = tallies.flatMap((tally) => tally.samples);
    return { seed, durationMs, figures, events, workloadOps, skippedEvents, warnings, consoleErrors, samples, auditIssues: audit.issues, functions, keys };
  });
}

function describeRound(label: string, round: Pick<Round, 'durationMs' | 'figures' | 'events' | 'workloadOps'>, functions: number, keys: number): string {
  const f = round.figures;
  return (
    `${label}: ${TABS} tabs (+1 opened with window.open) × ${CALLS}+ calls over ${keys} keys × ${functions} functions in ${(round.durationMs / 1000).toFixed(1)} s: ` +
    `${f.calls} calls, ${f.wrongValues} wrong values, ${f.failedCalls} failed calls, ` +
    `${f.unhandledRejections} unhandled rejections, ${f.consoleErrors} console errors; ` +
    `${f.computations} computations (${f.computationsSaved} saved, ${f.answeredByAnotherTab} answers computed by another tab); ` +
    `events ${JSON.stringify(round.events)}, workload ops ${JSON.stringify(round.workloadOps)}, ${f.interruptedByReload} calls interrupted by reloads`
  );
}

/** Figures of this run, written to OUT (if set) after the last test. */
const report: Record<string, unknown> = {};
afterAll(async () => {
  if (!OUT || Object.keys(report).length === 0) return;
  const full = {
    date: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, chromium: h.browser.version() },
    ...report,
  };
  await mkdir(dirname(OUT), { recursive: true });
  await writeFile(OUT, `${JSON.stringify(full, null, 2)}\n`);
  console.log(`chaos figures written to ${OUT}`);
});

/** Runs `body` as scenario `name`, recording in the report whether it held (and why not). */
function scenario(name: string, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    const scenarios = (report.scenarios ??= {}) as Record<string, string>;
    try {
      await body();
      scenarios[name] = 'held';
    } catch (error) {
      scenarios[name] = `FAILED: ${String(error instanceof Error ? error.message : error).split('\n')[0]}`;
      throw error;
    }
  };
}

describe('chaos: tabs, clears, reloads, wiped storage and a squeezed quota', () => {
  it(
    `${ROUNDS} round(s) of ${TABS} tabs × ${CALLS} calls: no wrong value, no failed call, no unhandled rejection`,
    async () => {
      const rounds: Round[] = [];
      let shape = { functions: [] as string[], keys: 0 };
      for (let r = 0; r < ROUNDS; r++) {
        const { functions, keys, ...round } = await chaosRound(SEED + r);
        shape = { functions, keys };
        rounds.push(round);
        console.log(describeRound(`chaos round ${r + 1}/${ROUNDS} (seed ${round.seed})`, round, functions.length, keys));
        if (round.samples.length) console.log(`samples:\n  ${round.samples.join('\n  ')}\nwarnings of the round:\n  ${Object.entries(round.warnings).map(([text, n]) => `${n} × ${text}`).join('\n  ')}`);
        if (round.consoleErrors.length) console.log(`console errors:\n  ${round.consoleErrors.slice(0, 20).join('\n  ')}`);
        if (round.auditIssues.length) console.log(`disk audit:\n  ${round.auditIssues.slice(0, 20).join('\n  ')}`);
      }
      const total = <K extends string>(pick: (round: Round) => Record<K, number>) => {
        const sums = {} as Record<K, number>;
        for (const round of rounds) for (const [k, v] of Object.entries(pick(round)) as [K, number][]) sums[k] = (sums[k] ?? 0) + v;
        return sums;
      };
      const totals = {
        durationMs: rounds.reduce((ms, round) => ms + round.durationMs, 0),
        figures: total((round) => round.figures),
        events: total((round) => round.events),
        workloadOps: total((round) => round.workloadOps),
      };
      const summary = describeRound(`chaos total of ${ROUNDS} round(s), seeds ${SEED}…${SEED + ROUNDS - 1}`, totals, shape.functions.length, shape.keys);
      console.log(summary);
      report.load = {
        config: { rounds: ROUNDS, tabs: TABS, callsPerTab: CALLS, keys: shape.keys, functions: shape.functions, concurrencyPerTab: CONCURRENCY, seed: SEED, eventGapMs: EVENT_GAP },
        summary,
        ...totals,
        skippedEvents: rounds.reduce((n, round) => n + round.skippedEvents, 0),
        warnings: total((round) => round.warnings),
        consoleErrors: rounds.flatMap((round) => round.consoleErrors).slice(0, 50),
        samples: rounds.flatMap((round) => round.samples).slice(0, 50),
        auditIssues: rounds.flatMap((round) => round.auditIssues).slice(0, 50),
        rounds: rounds.map(({ seed, durationMs, figures, events }) => ({ seed, durationMs, figures, events })),
      };

      const f = totals.figures;
      expect(rounds.flatMap((round) => round.samples).filter((s) => /WRONG|failed|unhandled|page error|stale|per-session/.test(s))).toEqual([]);
      expect(f.wrongValues).toBe(0);
      expect(f.failedCalls).toBe(0);
      expect(f.unhandledRejections).toBe(0);
      expect(f.pageErrors).toBe(0);
      expect(f.staleTtlAnswers).toBe(0);
      expect(f.perSessionAnsweredByOtherTab).toBe(0);
      expect(rounds.flatMap((round) => round.auditIssues)).toEqual([]);
      for (const round of rounds) {
        expect(round.figures.callsIssued).toBeGreaterThanOrEqual(TABS * CALLS);
        expect(round.figures.calls).toBeGreaterThan(0.9 * round.figures.callsIssued);
        // The round exercised what it claims to: every kind of event happened, tabs shared results.
        for (const kind of EVENT_KINDS) expect(round.events[kind], kind).toBeGreaterThan(0);
        expect(round.figures.computations).toBeLessThan(round.figures.calls);
        expect(round.figures.answeredByAnotherTab).toBeGreaterThan(0);
        expect(round.figures.functionErrorsDelivered).toBeGreaterThan(0);
      }
    },
    LONG ? 20 * 60_000 : ROUNDS * 60_000,
  );
});

// ---------------------------------------------------------------------------------------------

/**
 * Regression (fixed in src/disk/store.ts): when "Clear site data" force-closes the
 * connection while reads or writes are in flight, promises the disk tier never awaits reject with
 * nobody listening: idb's `tx.done` of the shared read transaction (flushReads: "AbortError:
 * AbortError") and request promises dropped with `void` (writeOne's put, evict's cursor.delete,
 * clear's delete: "UnknownError: Connection is closing because of: Force close delete origin").
 * No call fails and no value is wrong, but the page sees `unhandledrejection` events (Sentry noise,
 * and a crash under Node's default --unhandled-rejections=throw for SSR/tests).
 */
describe('"Clear site data" during reads and writes', () => {
  it(
    'raises no unhandled rejection',
    scenario('"Clear site data" during 60 concurrent cold calls, 8 times: no unhandled rejection', () =>
        withContext(async (context) => {
        const page = await openTab(context, 30);
        const cdp = await context.newCDPSession(page);
        const fifo = await page.evaluate(() => window.chaos.functions.indexOf('fifo'));
        for (let round = 0; round < 8; round++) {
          const ops: Op[] = Array.from({ length: 60 }, (_, i) => ({ op: 'call', fn: fifo, id: (round * 60 + i) % 200, form: i % 3 }));
          const running = page.evaluate((ops) => window.chaos.runChunk(ops, 30), ops);
          await sleep(5 + round * 7);
          await cdp.send('Storage.clearDataForOrigin', { origin: h.origin, storageTypes: 'indexeddb' });
          await running;
        }
        await sleep(500);
        const tally = await page.evaluate(() => window.chaos.tally());
        expect({ wrong: tally.wrong, failed: tally.failed }).toEqual({ wrong: 0, failed: 0 });
        expect(tally.samples.filter((line) => line.includes('unhandled'))).toEqual([]);
        expect(tally.unhandled).toBe(0);
      })),
  );
});

// ---------------------------------------------------------------------------------------------

describe('crash safety', () => {
  const N = 160;
  const SIZE = 256 * 1024;

  it.each(['closed', 'crashed'] as const)('a page %s in the middle of a burst of writes leaves every entry whole or absent', (how) =>
    withContext(async (context) => {
      const page = await openTab(context, 20);
      const path = await page.evaluate(() => window.chaos.crashPath);
      await page.evaluate(([n, size]) => window.chaos.crashBurst(n, size), [N, SIZE] as const);
      // Kill it once some results are stored, long before the burst is over.
      await until(async () => (await storedIn(page, path)) >= 5);
      if (how === 'closed') await page.close({ runBeforeUnload: false });
      else {
        const cdp = await context.newCDPSession(page);
        const crashed = page.waitForEvent('crash');
        void cdp.send('Page.crash').catch(() => {});
        await crashed;
        await page.close().catch(() => {});
      }
      const next = await openTab(context, 21);
      const result = await next.evaluate(([n, size]) => window.chaos.crashReadBack(n, size), [N, SIZE] as const);
      console.log(`crash safety (${how}): ${result.rawEntries} of ${N} entries on disk after the kill, ${result.fromDisk} read back whole, ${result.computed} recomputed`);
      const crash = (report.crashSafety ??= {}) as Record<string, unknown>;
      crash[how] = { keys: N, bytesPerValue: SIZE, storedAtKill: result.rawEntries, wholeFromDisk: result.fromDisk, recomputed: result.computed, broken: result.broken.length, rawIssues: result.rawIssues };
      expect(result.rawIssues).toEqual([]);
      expect(result.broken).toEqual([]);
      expect(result.whole).toBe(N);
      expect(result.fromDisk + result.computed).toBe(N);
      expect(result.fromDisk).toBeGreaterThan(0);
      expect(result.computed).toBeGreaterThan(0); // the kill did land mid-burst
    }),
  );
});

// ---------------------------------------------------------------------------------------------

describe('security', () => {
  const fnIndex = (page: Page, name: string) => page.evaluate((name) => window.chaos.functions.indexOf(name), name);
  const probe = (page: Page, fn: number, id: number) => page.evaluate(([fn, id]) => window.chaos.probe(fn, id), [fn, id] as const);
  const waitForStored = (page: Page, count: number) => until(async () => (await storedIn(page, './cache')) >= count);

  it(
    'per-session entries never answer another tab, and survive a reload of their own',
    scenario('per-session entries never answer another tab, and survive a reload of their own', () =>
        withContext(async (context) => {
        const a = await openTab(context, 1);
        const session = await fnIndex(a, 'session');
        const shared = await fnIndex(a, 'fifo');
        for (let id = 0; id < 10; id++) {
          expect(await probe(a, session, id)).toEqual({ right: true, tab: 1 });
          expect(await probe(a, shared, id)).toEqual({ right: true, tab: 1 });
        }
        await waitForStored(a, 20);
        const b = await openTab(context, 2);
        for (let id = 0; id < 10; id++) {
          expect(await probe(b, session, id)).toEqual({ right: true, tab: 2 }); // computed anew
          expect(await probe(b, shared, id)).toEqual({ right: true, tab: 1 }); // control: shared entries are shared
        }
        await a.reload();
        await a.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
        const c = await openTab(context, 3);
        // Simultaneous calls from three tabs: each per-session tab gets its own, never another's.
        const answers = await Promise.all([a, b, c].flatMap((page) => [10, 11, 0, 1].map((id) => probe(page, session, id))));
        expect(answers.map((answer) => answer.tab)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
        expect(answers.every((answer) => answer.right)).toBe(true);
        const audit = await a.evaluate(() => window.chaos.audit());
        expect(audit.issues).toEqual([]);
      })),
  );

  it('cachedFetch entries fetched with one Authorization never answer another', async (ctx) => {
    await withContext(async (context) => {
      const page = await openTab(context, 4);
      const name = 'cachedFetch: responses fetched with one Authorization never answer another (memory, disk, other tab, concurrent); tokens never stored';
      if (!(await page.evaluate(() => window.chaos.hasCachedFetch()))) {
        ((report.scenarios ??= {}) as Record<string, string>)[name] = 'skipped: cachedFetch is not exported';
        ctx.skip('cachedFetch is not exported from src/index.ts yet: the Authorization isolation test is skipped');
      }
      await scenario(name, async () => {
        const url = `/chaos-api/whoami?run=${Date.now()}`;
        const as = (target: Page, token: string | undefined) => target.evaluate(([url, token]) => window.chaos.fetchAs(url, token), [url, token] as const);
        const user = async (target: Page, token: string | undefined) => (JSON.parse((await as(target, token))!.body) as { user: string }).user;
        const [alice, bob, carol] = ['Bearer tok-alice-7f3a', 'Bearer tok-bob-91c2', 'Bearer tok-carol-04d8'];
        const before = { ...served };
        const count = (name: string) => (served[name] ?? 0) - (before[name] ?? 0);

        expect(await user(page, alice)).toBe('alice');
        expect(await user(page, bob)).toBe('bob');
        expect(await user(page, undefined)).toBe('anonymous');
        expect(await user(page, alice)).toBe('alice'); // from the cache
        expect([count('alice'), count('bob'), count('anonymous')]).toEqual([1, 1, 1]);
        // Concurrent requests with different credentials are not merged into one.
        const together = await Promise.all([carol, alice, bob, undefined, carol].map((token) => user(page, token)));
        expect(together).toEqual(['carol', 'alice', 'bob', 'anonymous', 'carol']);
        expect(count('carol')).toBe(1);
        // After a reload (disk) and in another tab: still each to their own.
        await until(async () => (await storedIn(page, './cache')) >= 4);
        await page.reload();
        await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
        const other = await openTab(context, 5);
        for (const target of [page, other]) {
          expect(await user(target, bob)).toBe('bob');
          expect(await user(target, alice)).toBe('alice');
          expect(await user(target, undefined)).toBe('anonymous');
        }
        expect([count('alice'), count('bob'), count('anonymous'), count('carol')]).toEqual([1, 1, 1, 1]);
        // Credentials are never stored in clear.
        const stored = await page.evaluate(() => window.chaos.rawText('./cache'));
        expect(stored).toContain("alice's data");
        for (const token of ['tok-alice-7f3a', 'tok-bob-91c2', 'tok-carol-04d8']) expect(stored).not.toContain(token);
      })();
    });
  });

  /** What `page` finds left in the library's databases `paths`: every record's key, but the epoch's. */
  const leftIn = (page: Page, paths: string[]) =>
    page.evaluate(
      async (paths) =>
        Object.fromEntries(
          await Promise.all(
            paths.map(async (path) => {
              const stores = await window.chaos.storedKeys(path);
              const left = Object.entries(stores).flatMap(([store, keys]) => keys.filter((key) => !(store === 'meta' && key === 'epoch')).map((key) => `${store}:${JSON.stringify(key)}`));
              return [path, left] as const;
            }),
          ),
        ),
      paths,
    );

  it(
    "clearCaches() leaves nothing of a user's in IndexedDB, localStorage or sessionStorage",
    scenario('clearCaches() empties every database of the library (5 paths, one known only from localStorage), another tab holding them open', () =>
      withContext(async (context) => {
        const page = await openTab(context, 6);
        await page.evaluate(() => window.chaos.touchPath('wipe-old'));
        await page.reload(); // 'wipe-old' is now known only from localStorage
        await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
        const other = await openTab(context, 7); // holds connections open: they must not block the logout
        await page.evaluate(async () => {
          await window.chaos.touchPath('wipe-a');
          await window.chaos.touchPath('wipe-b', true);
          await window.chaos.probe(0, 1);
          await window.chaos.probe(window.chaos.functions.indexOf('big'), 1);
        });
        await other.evaluate(() => window.chaos.probe(window.chaos.functions.indexOf('session'), 1));
        const ours = ['wipe-old', 'wipe-a', 'wipe-b', './cache', 'chaos-big'];
        await until(async () => (await storedIn(page, 'chaos-big')) > 0);
        const before = await leftIn(page, ours);
        for (const path of ours) expect(before[path]!.length, path).toBeGreaterThan(0);

        await page.evaluate(() => window.chaos.clearCaches());
        // The databases stay, empty but for a random epoch (docs/reliability.md); so does the list of their names.
        expect(await leftIn(page, ours)).toEqual(Object.fromEntries(ours.map((path) => [path, []])));
        expect(JSON.parse((await page.evaluate(() => window.chaos.cachePathsKey())) ?? '[]')).toEqual(expect.arrayContaining(ours));
        expect(await page.evaluate(() => window.chaos.session())).toBeNull();
      })),
  );

  /**
   * Regression: after clearCaches(), access bookkeeping of earlier memory hits (flushed ~2 s later)
   * and the per-session bookkeeping on pagehide must not bring anything back.
   */
  it(
    'clearCaches() stays wiped: nothing reappears after pending bookkeeping or pagehide',
    scenario('clearCaches() stays wiped 3 s later and after pagehide', () =>
      withContext(async (context) => {
        const page = await openTab(context, 8);
        const watcher = await openTab(context, 9);
        await page.evaluate(async () => {
          await window.chaos.touchPath('late-a'); // LRU with memory hits: bookkeeping pending
          await window.chaos.touchPath('late-b', true); // per-session: a "seen" write on pagehide
        });
        const ours = ['late-a', 'late-b'];
        const empty = Object.fromEntries(ours.map((path) => [path, []]));
        await page.evaluate(() => window.chaos.clearCaches());
        expect(await leftIn(watcher, ours)).toEqual(empty);
        await sleep(3000); // past the 2 s flush of access bookkeeping
        const afterFlush = await leftIn(watcher, ours);
        await page.close({ runBeforeUnload: true }); // pagehide
        await sleep(500);
        expect({ afterFlush, afterPagehide: await leftIn(watcher, ours) }).toEqual({ afterFlush: empty, afterPagehide: empty });
      })),
  );
});
