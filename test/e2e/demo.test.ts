// End-to-end test of the demo page (issue 5): the built demo, served from 127.0.0.1, in real
// headless Chromium. The four seaborn CSVs are answered with small fixtures; no other host is
// ever contacted.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page, type Route } from 'playwright';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SEABORN = 'https://raw.githubusercontent.com/mwaskom/seaborn-data/master/';
const PAGE_SIZE = 10;

/** A dataset of the demo's selector and the fixture that stands in for its CSV. */
interface Fixture {
  readonly label: 'Penguins' | 'Diamonds' | 'Titanic' | 'MPG';
  readonly file: string;
  readonly columns: string[];
  readonly rows: number;
  readonly body: string;
}

const fixtures = new Map<string, Fixture>();
const blocked: string[] = [];
const consoleErrors: string[] = [];
let offline = false;
/** How the data host fails while the browser is online: out of reach, an HTTP error, or an answer that is not CSV. */
let failure: 'unreachable' | '404' | 'html' | undefined;
let outDir: string;
let server: PreviewServer;
let origin: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function loadFixtures(): Promise<void> {
  const labels = { penguins: 'Penguins', diamonds: 'Diamonds', titanic: 'Titanic', mpg: 'MPG' } as const;
  for (const [file, label] of Object.entries(labels)) {
    const body = await readFile(join(root, 'test/fixtures', `${file}.csv`), 'utf8');
    const lines = body.trim().split('\n');
    fixtures.set(`${SEABORN}${file}.csv`, { label, file, columns: (lines[0] ?? '').split(','), rows: lines.length - 1, body });
  }
}

function fixture(label: Fixture['label']): Fixture {
  const found = [...fixtures.values()].find((f) => f.label === label);
  if (!found) throw new Error(`no fixture for ${label}`);
  return found;
}

/** Builds the demo with the real CLI (a production build, as `npm run demo:build` makes it). */
async function buildDemo(): Promise<void> {
  outDir = await mkdtemp(join(tmpdir(), 'idb-memo-demo-'));
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
  for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
  await promisify(execFile)(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: root,
    env,
  });
}

/** Everything but the demo's own origin is refused, except the seaborn CSVs, answered from fixtures. */
async function route(route: Route): Promise<void> {
  const url = route.request().url();
  if (url.startsWith(`${origin}/`)) return route.continue();
  const found = fixtures.get(url);
  if (!found) {
    blocked.push(url);
    return route.abort('blockedbyclient');
  }
  if (offline) return route.abort('internetdisconnected');
  if (failure === 'unreachable') return route.abort('connectionrefused');
  if (failure === '404') return route.fulfill({ status: 404, contentType: 'text/plain', headers: { 'access-control-allow-origin': '*' }, body: 'Not Found' });
  if (failure === 'html') return route.fulfill({ status: 200, contentType: 'text/html', headers: { 'access-control-allow-origin': '*' }, body: '<!doctype html><p>Rate limited</p>' });
  return route.fulfill({ status: 200, contentType: 'text/csv; charset=utf-8', headers: { 'access-control-allow-origin': '*' }, body: found.body });
}

/** The main table's status badge: where the last answer came from. */
async function loadedSource(label: string): Promise<string | null> {
  const badge = page.locator('[data-testid=load-status]', { hasText: label }).locator('.badge');
  await badge.waitFor({ timeout: 15_000 });
  return badge.getAttribute('data-source');
}

/** Checks that the main table shows `label`: its columns, 10 rows a page, and the right pages. */
async function expectTable(label: Fixture['label']): Promise<void> {
  const { columns, rows } = fixture(label);
  const table = page.getByTestId('dataset-table');
  const pages = Math.ceil(rows / PAGE_SIZE);
  await expect.poll(() => table.locator('.tabulator-col-title').allTextContents()).toEqual(columns);
  expect(await table.locator('.tabulator-row').count()).toBe(Math.min(PAGE_SIZE, rows));
  expect(await table.locator('.tabulator-pages .tabulator-page').count()).toBe(pages);
  await table.locator('.tabulator-page[data-page=last]').click();
  await expect.poll(() => table.locator('.tabulator-row').count()).toBe(rows - PAGE_SIZE * (pages - 1));
  await table.locator('.tabulator-page[data-page=first]').click();
}

async function choose(label: Fixture['label']): Promise<void> {
  await page.locator('#dataset-select').selectOption({ label });
}

describe('the demo page', () => {
  beforeAll(async () => {
    const executablePath = findChromium();
    if (!executablePath) throw new Error('no Chromium: run `node scripts/chromium.mjs` (npm run test:browser does) or set CHROMIUM_PATH');
    await Promise.all([loadFixtures(), buildDemo()]);
    server = await preview({
      configFile: false,
      root,
      logLevel: 'warn',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0, strictPort: false },
    });
    const address = server.httpServer.address();
    if (!address || typeof address === 'string') throw new Error('vite preview did not listen on a port');
    origin = `http://127.0.0.1:${address.port}`;
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.route('**/*', route);
    page = await context.newPage();
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('loads each dataset into a paginated table, 10 rows a page, and says where it came from', async () => {
    await page.goto(`${origin}/`);
    expect(await loadedSource('Penguins')).toBe('computed');
    await expectTable('Penguins');
    for (const label of ['Diamonds', 'Titanic'] as const) {
      await choose(label);
      expect(await loadedSource(label)).toBe('computed');
      await expectTable(label);
    }
    await choose('Penguins');
    expect(await loadedSource('Penguins')).toBe('memory');
    const stats = page.getByTestId('load-stats');
    expect(await stats.locator('[data-stat=misses] dd').textContent()).toBe('3');
    expect(await stats.locator('[data-stat=memoryHits] dd').textContent()).not.toBe('0');
    expect(consoleErrors).toEqual([]);
  });

  it('answers from IndexedDB after a reload', async () => {
    // The slow computation must have finished (and been stored) before the reload.
    await page.getByTestId('result1').waitFor({ timeout: 10_000 });
    const active = await page.evaluate(async () => (await navigator.serviceWorker.ready).active !== null);
    expect(active).toBe(true);
    await page.reload();
    expect.soft(await loadedSource('Penguins'), 'the reloaded dataset comes from the disk tier').toBe('disk');
    await expectTable('Penguins');
    const slow = page.getByTestId('result1').locator('.badge');
    await slow.waitFor({ timeout: 10_000 });
    expect.soft(await slow.getAttribute('data-source'), 'the 2 s computation comes from the disk tier').toBe('disk');
    expect(consoleErrors).toEqual([]);
  });

  it('works offline: the shell from the service worker, the data from IndexedDB', async () => {
    offline = true;
    await context.setOffline(true);
    await page.reload();
    expect(await page.getByTestId('network').textContent()).toBe('Offline');
    expect(await loadedSource('Penguins')).toBe('disk');
    await expectTable('Penguins');
    await choose('Titanic');
    expect(await loadedSource('Titanic')).toBe('disk');
    await expectTable('Titanic');
  });

  it('says plainly when a dataset was never loaded and the network is off, and shows the demo’s own copy', async () => {
    await choose('MPG');
    const message = page.getByTestId('load-message');
    await message.waitFor({ timeout: 15_000 });
    const text = await message.textContent();
    expect(text).toMatch(/offline.*no saved copy.*first rows, which come with the demo/i);
    expect(text, 'the status line names the dataset; the message does not repeat it').not.toContain('MPG');
    // The copy (demo/public/data/, precached by the service worker) is the fixture's rows.
    expect(await loadedSource('MPG')).toBe('copy');
    await expectTable('MPG');
    // The sections that summarize and explore datasets fall back to the copy too.
    await page.getByTestId('dependency-select').selectOption({ label: 'MPG' });
    await expect.poll(() => page.locator('#dependencies p.status .badge').getAttribute('data-source'), { timeout: 15_000 }).toBe('copy');
    expect(await page.locator('#dependencies table tbody tr').count()).toBe(fixture('MPG').columns.length);
    expect(consoleErrors).toEqual([]);
  });

  it('tells a host out of reach, an HTTP error and a non-CSV answer apart, and keeps the counters fresh', async () => {
    offline = false;
    await context.setOffline(false);
    await choose('MPG');
    const message = page.getByTestId('load-message');
    const misses = page.getByTestId('load-stats').locator('[data-stat=misses] dd');
    const expectations = [
      ['unreachable', /browser is online, but raw\.githubusercontent\.com could not be reached/],
      ['404', /refused it: raw\.githubusercontent\.com answered 404/],
      ['html', /arrived, but what raw\.githubusercontent\.com sent is not a CSV table/],
    ] as const;
    const apiMisses = () =>
      page.evaluate(() => {
        const demo = (window as unknown as { idbMemo: { caches: { label: string; fn: { stats(): { misses: number } } }[] } }).idbMemo;
        return demo.caches.find((known) => known.label === 'loadDataset')!.fn.stats().misses;
      });
    try {
      for (const [mode, expected] of expectations) {
        failure = mode;
        const before = await apiMisses();
        await page.getByTestId('load-again').click();
        await expect.poll(() => message.textContent(), { timeout: 15_000 }).toMatch(expected);
        expect(await message.textContent()).not.toContain('MPG');
        expect(await page.getByTestId('network').textContent()).toBe('Online');
        expect(await apiMisses()).toBeGreaterThan(before);
        // The counters shown are the function's own, after the failed call too.
        await expect.poll(async () => Number(await misses.textContent()), { message: 'the stats show the failed call' }).toBe(await apiMisses());
      }
    } finally {
      failure = undefined;
      // The browser logs each refused or failed request: expected here, and only here.
      for (let i = consoleErrors.length - 1; i >= 0; i--) if (consoleErrors[i]!.startsWith('Failed to load resource')) consoleErrors.splice(i, 1);
    }
    expect(consoleErrors).toEqual([]);
  });

  it('shows inside the policy caches: eviction order, next victim, the evicted entry struck through, as inspect() returns', async () => {
    const policies = page.locator('#policies');
    const entries = page.getByTestId('policy-entries');
    const shown = () => entries.locator('li.entry:not(.entry-gone)').evaluateAll((items) => items.map((item) => item.getAttribute('data-label')));
    for (const word of ['apple', 'banana', 'cherry', 'apple', 'date']) {
      await policies.getByRole('button', { name: word, exact: true }).click();
      await expect.poll(() => entries.locator(`li[data-label="'${word}'"]:not(.entry-gone)`).count()).toBe(1);
    }
    await expect.poll(shown).toEqual(["'cherry'", "'apple'", "'date'"]);
    expect(await entries.locator('li.entry-gone').getAttribute('data-label')).toBe("'banana'");
    expect(await entries.locator('li.entry-gone s').count()).toBe(1);
    expect(await entries.locator('li.entry-next').getAttribute('data-label')).toBe("'cherry'");
    const fromApi = await page.evaluate(async () => {
      const demo = (window as unknown as { idbMemo: { inspect(fn: unknown): Promise<{ entries: { label: string; hits: number; evictsNext: boolean }[] }>; caches: { label: string; fn: unknown }[] } }).idbMemo;
      const view = await demo.inspect(demo.caches.find((known) => known.label === 'shout (LRU)')!.fn);
      return view.entries.map((entry) => [entry.label, String(entry.hits), entry.evictsNext]);
    });
    const fromPage = await entries.locator('li.entry:not(.entry-gone)').evaluateAll((items) =>
      items.map((item) => [item.getAttribute('data-label'), item.getAttribute('data-hits'), item.classList.contains('entry-next')]),
    );
    expect(fromPage).toEqual(fromApi);
    // LFU and FIFO order the same calls otherwise.
    await policies.getByRole('combobox', { name: 'Policy' }).selectOption('FIFO');
    for (const word of ['apple', 'banana', 'cherry', 'apple', 'date']) {
      await policies.getByRole('button', { name: word, exact: true }).click();
      await expect.poll(() => entries.locator(`li[data-label="'${word}'"]:not(.entry-gone)`).count()).toBe(1);
    }
    await expect.poll(shown).toEqual(["'banana'", "'cherry'", "'date'"]);
    expect(await entries.locator('li.entry-gone').getAttribute('data-label')).toBe("'apple'");
  });

  it('loads it once back online, and looks right', async () => {
    offline = false;
    await context.setOffline(false);
    await page.getByTestId('load-again').click();
    expect(await loadedSource('MPG')).toBe('computed');
    await expectTable('MPG');
    expect(await page.getByTestId('load-message').isVisible()).toBe(false);
    await page.getByTestId('result1').waitFor({ timeout: 10_000 });
    await mkdir(join(root, 'test/artifacts'), { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(root, 'test/artifacts/demo.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(root, 'test/artifacts/demo-phone.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('shows in the disk section the entries that survive a reload, by hashed key until the page names them', async () => {
    const entries = page.getByTestId('disk-entries');
    await page.getByTestId('disk-n').fill('7');
    await page.locator('#disk').getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => entries.locator('li[data-label="7"]').count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => entries.locator('li[data-label="5"]').count()).toBe(1);
    await page.reload();
    // The page runs n = 5 at start; n = 7 was not called since the reload.
    await expect.poll(() => entries.locator('li.entry').evaluateAll((items) => items.map((item) => item.getAttribute('data-label'))), { timeout: 15_000 }).toEqual(
      expect.arrayContaining(['5', expect.stringMatching(/^#[0-9a-f]{12}$/)]),
    );
    expect(await entries.locator('li.entry').count()).toBe(2);
    await expect.poll(() => page.getByTestId('storage-use').textContent(), { timeout: 10_000 }).toMatch(/origin storage: .*used of/);
    expect(consoleErrors).toEqual([]);
  });

  it('fits a phone: no sideways scroll of the page at 390 px, every button in reach, wide tables and code scroll with a cue', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const outside = await page.locator('button:visible, a.btn:visible, select:visible').evaluateAll((elements) =>
      elements
        .map((element) => ({ text: (element.textContent ?? '').trim() || element.getAttribute('aria-label'), box: element.getBoundingClientRect() }))
        .filter(({ box }) => box.width > 0 && (box.left < 0 || box.right > window.innerWidth))
        .map(({ text, box }) => `${text} at ${Math.round(box.left)}–${Math.round(box.right)}`),
    );
    expect(outside).toEqual([]);
    // Code never wraps mid-expression: its lines keep their breaks, and a block wider than its card
    // scrolls sideways with the cue on (its frame marked as having more on the right).
    const code = await page.locator('pre.code').evaluateAll((blocks) =>
      blocks.map((block) => ({
        whiteSpace: getComputedStyle(block).whiteSpace,
        wider: block.scrollWidth > block.clientWidth + 1,
        cue: block.parentElement?.hasAttribute('data-more-right') ?? false,
      })),
    );
    expect(code.length).toBeGreaterThan(5);
    expect(code.every((block) => block.whiteSpace === 'pre')).toBe(true);
    expect(code.filter((block) => block.wider).length, 'some samples are wider than a phone').toBeGreaterThan(0);
    expect(code.filter((block) => block.wider !== block.cue)).toEqual([]);
    // Tables hide no column: every header cell shows, and a table wider than its card has the cue.
    const tables = await page.locator('table.mini-table:visible').evaluateAll((found) =>
      found.map((table) => {
        const scroller = table.closest('.scroll-x')!;
        return {
          hidden: [...table.querySelectorAll('th, td')].filter((cell) => getComputedStyle(cell).display === 'none').length,
          wider: scroller.scrollWidth > scroller.clientWidth + 1,
          cue: scroller.parentElement?.hasAttribute('data-more-right') ?? false,
        };
      }),
    );
    expect(tables.length).toBeGreaterThanOrEqual(2);
    expect(tables.filter((table) => table.hidden > 0 || table.wider !== table.cue)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('lays out at 1280 px and at 390 px: nothing overflows the page, cards stay in it and align (screenshots in test/artifacts/)', async () => {
    await page.getByTestId('result1').waitFor({ timeout: 10_000 });
    // The policy inspector with something in it: LRU, cherry next out, banana evicted.
    const policies = page.locator('#policies');
    for (const word of ['apple', 'banana', 'cherry', 'apple', 'date']) {
      await policies.getByRole('button', { name: word, exact: true }).click();
      await expect.poll(() => page.getByTestId('policy-entries').locator(`li[data-label="'${word}'"]:not(.entry-gone)`).count()).toBe(1);
    }
    for (const [width, height, file] of [[1280, 900, 'demo.png'], [390, 844, 'demo-phone.png']] as const) {
      await page.setViewportSize({ width, height });
      await page.evaluate(() => window.scrollTo(0, 0));
      const layout = await page.evaluate(() => {
        const inside = (element: Element) => {
          const box = element.getBoundingClientRect();
          return box.left >= -0.5 && box.right <= document.documentElement.clientWidth + 0.5;
        };
        /** Cards of one row of a result grid: their values and notes must start at one height. */
        const rows = [...document.querySelectorAll('.result-grid')].map((grid) => {
          const cards = [...grid.querySelectorAll(':scope > .result')];
          const top = (card: Element, part: string) => Math.round(card.querySelector(part)!.getBoundingClientRect().top);
          const sideBySide = cards.filter((card) => Math.round(card.getBoundingClientRect().top) === Math.round(cards[0]!.getBoundingClientRect().top));
          return { cards: sideBySide.length, values: new Set(sideBySide.map((card) => top(card, '.result-value'))).size, notes: new Set(sideBySide.map((card) => top(card, '.result-note'))).size };
        });
        return {
          pageWidth: document.documentElement.scrollWidth,
          cardsOutside: [...document.querySelectorAll('.card, .result, pre.code, .table-host')].filter((element) => !inside(element)).length,
          rows,
        };
      });
      expect(layout.pageWidth, `no sideways scroll of the page at ${width} px`).toBeLessThanOrEqual(width);
      expect(layout.cardsOutside, `cards, results, code and tables within the viewport at ${width} px`).toBe(0);
      expect(layout.rows.length).toBeGreaterThanOrEqual(2);
      for (const row of layout.rows) expect(row, `result cards side by side at ${width} px align`).toMatchObject({ values: 1, notes: 1 });
      if (width === 1280) expect(layout.rows.some((row) => row.cards > 1), 'cards sit side by side at 1280 px').toBe(true);
      await page.screenshot({ path: join(root, 'test/artifacts', file), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(consoleErrors).toEqual([]);
  });

  it('refreshes what a reload finds on disk after clearCaches(), and sums up the Clearing table as it shows it', async () => {
    const entries = page.getByTestId('disk-entries');
    await page.locator('#disk').getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => entries.locator('li[data-where]').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    // The global ways of the cache-path section read size 0 beside a disk hit: the table says why.
    const ways = page.locator('#cache-path .way', { hasText: '2. configure()' });
    for (let run = 0; run < 2; run++) {
      await ways.getByRole('button', { name: 'Run' }).click();
      await expect.poll(() => ways.locator('.badge').getAttribute('data-source')).toBe(run === 0 ? 'computed' : 'disk');
    }
    const table = page.getByTestId('inspector');
    const row = table.locator('tr', { hasText: 'cachePathDemo (cache2)' });
    await expect.poll(() => row.locator('.note-mark').count()).toBe(1);
    expect(await page.getByTestId('inspector-notes').textContent()).toMatch(/cachePathDemo \(cache2\): size 0 beside a disk hit/);
    const totals = async () => {
      const sizes = await table.locator('tbody tr').evaluateAll((rows) => rows.map((tr) => Number(tr.children[1]!.textContent)));
      return `${sizes.length} functions, ${sizes.reduce((a, b) => a + b, 0)} results in memory`;
    };
    await expect.poll(async () => (await page.getByTestId('storage-use').textContent())?.startsWith(await totals()), { timeout: 10_000 }).toBe(true);
    await page.locator('#clearing').getByRole('button', { name: 'clearCaches()' }).click();
    await expect.poll(() => entries.locator('li').evaluateAll((items) => items.map((item) => item.textContent)), { timeout: 10_000 }).toEqual(['empty']);
    await expect.poll(async () => (await page.getByTestId('storage-use').textContent())?.startsWith(await totals()), { timeout: 10_000 }).toBe(true);
    expect(consoleErrors).toEqual([]);
  });

  it('contacts no host but 127.0.0.1: a fresh page loads its datasets from the fixtures', async () => {
    blocked.length = 0;
    const fresh = await context.newPage();
    try {
      await fresh.goto(`${origin}/`);
      await fresh.locator('[data-testid=load-status] .badge').waitFor({ timeout: 15_000 });
      await fresh.getByTestId('result1').waitFor({ timeout: 10_000 });
      expect(await fresh.locator('[data-testid=load-status] .badge').getAttribute('data-source')).not.toBe('copy');
    } finally {
      await fresh.close();
    }
    expect(blocked).toEqual([]);
  });
});
