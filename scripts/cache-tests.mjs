#!/usr/bin/env node
// `npm run cache-tests`: the public HTTP caching conformance suite (npm `http-cache-tests`, the suite
// behind cache-tests.fyi) run in headless Chromium, twice in one run, side by side (issue 22):
//   - "Chromium": the page's plain `fetch`, so that Chromium's own HTTP cache answers;
//   - "cachedFetch": `createCachedFetch({ strategy: 'cache-first', ignoreHeaders: ['test-id',
//     'test-name', 'req-num'] })`, whose own network requests are sent with `cache: 'no-store'` (so
//     that Chromium's cache never answers for it).
// The suite's own server (its config, test and state handlers) listens on 127.0.0.1 only; its
// client engine and tests run in the page. Scored: the tests the suite runs for a browser cache,
// of kind `required` or `optimal` (not `check`), without the shared-cache-only ones (the suite skips
// those for browsers) and those of `Set-Cookie` and `Clear-Site-Data`, headers a page never sees.
// Prints a table and writes it into docs/http.md between its cache-tests markers.
//   --grep=<regex>  only tests whose id matches (no docs/http.md update)
//   --json=<file>   also writes every result of both passes to <file>
//   --no-write      leaves docs/http.md alone
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { build } from 'vite';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SUITE = path.join(ROOT, 'node_modules', 'http-cache-tests');
const DOC = path.join(ROOT, 'docs', 'http.md');
const START = '<!-- cache-tests:start -->';
const END = '<!-- cache-tests:end -->';
/** Most time one pass may take (the suite pauses 3 s in many tests, 100 tests at a time). */
const PASS_TIMEOUT_MS = 10 * 60_000;

const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const grep = arg('grep');
const jsonOut = arg('json');
const write = !grep && !process.argv.includes('--no-write');

const suiteVersion = JSON.parse(readFileSync(path.join(SUITE, 'package.json'), 'utf8')).version;
const { default: handleConfig } = await import(path.join(SUITE, 'server', 'handle-config.mjs'));
const { default: handleTest } = await import(path.join(SUITE, 'server', 'handle-test.mjs'));
const { default: handleState } = await import(path.join(SUITE, 'server', 'handle-state.mjs'));
const { default: testSets } = await import(path.join(SUITE, 'tests', 'index.mjs'));

/** The library as one page would load it: an in-memory ESM build of src/index.ts, by file name. */
async function buildLibrary() {
  const output = await build({
    configFile: false,
    root: ROOT,
    logLevel: 'error',
    define: { __DEV__: 'true' },
    build: {
      write: false,
      minify: false,
      target: 'es2022',
      modulePreload: false,
      lib: { entry: path.join(ROOT, 'src', 'index.ts'), formats: ['es'], fileName: 'index' },
    },
  });
  const files = new Map();
  for (const item of (Array.isArray(output) ? output : [output]).flatMap((o) => o.output)) {
    if (item.type === 'chunk') files.set(item.fileName, item.code);
  }
  return files;
}

/** The page of one pass: runs the whole suite (or the tests `grep` keeps) with that pass's fetch. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>cache-tests</title>
<script type="module">
import { runTests, getResults } from '/suite/client/runner.mjs';
import sets from '/suite/tests/index.mjs';
import { createCachedFetch } from '/lib/index.js';
const params = new URLSearchParams(location.search);
const grep = params.get('grep') && new RegExp(params.get('grep'));
const chosen = sets.map((set) => ({ ...set, tests: set.tests.filter((t) => !grep || grep.test(t.id)) }));
let use = fetch;
if (params.get('pass') === 'cachedFetch') {
  const plain = globalThis.fetch;
  // cachedFetch calls globalThis.fetch for the network: never let Chromium's cache answer for it.
  globalThis.fetch = (input, init) => plain(new Request(input, init), { cache: 'no-store' });
  use = createCachedFetch({ strategy: 'cache-first', ignoreHeaders: ['test-id', 'test-name', 'req-num'] });
}
runTests(chosen, use, true).then(() => (window.results = getResults()), (error) => (window.results = { error: String(error) }));
</script>`;

/** Serves the suite's server routes, its client files under /suite/, the library under /lib/ and the page. */
function serve(library) {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const [, dispatch, ...rest] = url.pathname.split('/');
    if (dispatch === 'config') return handleConfig(rest, request, response);
    if (dispatch === 'test') return handleTest(rest, request, response);
    if (dispatch === 'state') return handleState(rest, request, response);
    const send = (type, body) => {
      response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    if (url.pathname === '/') return send('text/html', PAGE);
    if (dispatch === 'lib' && library.has(rest.join('/'))) return send('text/javascript', library.get(rest.join('/')));
    const file = path.join(SUITE, path.normalize(`/${rest.join('/')}`));
    if (dispatch === 'suite' && /\.(m?js)$/.test(file)) {
      try {
        return send('text/javascript', readFileSync(file));
      } catch {
        // not found below
      }
    }
    response.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Runs one pass in a fresh context (its own HTTP cache and IndexedDB); resolves with the suite's results by test id. */
async function runPass(browser, origin, pass) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${pass}] page error: ${error.message}`));
  const query = new URLSearchParams({ pass, ...(grep ? { grep } : {}) });
  await page.goto(`${origin}/?${query}`);
  await page.waitForFunction(() => window.results !== undefined, undefined, { timeout: PASS_TIMEOUT_MS, polling: 500 });
  const results = await page.evaluate(() => window.results);
  await context.close();
  if (results.error) throw new Error(`${pass}: ${results.error}`);
  return results;
}

const kind = (test) => test.kind ?? 'required';
/** Tests a page never sees the subject of: the headers Fetch hides, and a site-data wipe. */
const UNSEEN = /\b(set-cookie|clear-site-data)\b/i;
/** Whether `test` is scored: run for a browser cache, `required` or `optimal`, and about something a page can see. */
const scored = (test) => test.browser_skip !== true && kind(test) !== 'check' && !UNSEEN.test(`${test.id} ${test.name}`);

function table(results) {
  const rows = [];
  const totals = { n: 0, chromium: 0, cachedFetch: 0 };
  const differ = [];
  const both = [];
  for (const set of testSets) {
    const tests = set.tests.filter((t) => scored(t) && (!grep || new RegExp(grep).test(t.id)));
    if (tests.length === 0) continue;
    const passes = (pass) => tests.filter((t) => results[pass][t.id] === true).length;
    const row = { name: set.name, n: tests.length, chromium: passes('chromium'), cachedFetch: passes('cachedFetch') };
    for (const key of ['n', 'chromium', 'cachedFetch']) totals[key] += row[key];
    rows.push(row);
    for (const t of tests) {
      const [c, f] = [results.chromium[t.id] === true, results.cachedFetch[t.id] === true];
      if (c !== f) differ.push({ id: t.id, kind: kind(t), name: t.name, chromium: c, cachedFetch: f, why: (c ? results.cachedFetch : results.chromium)[t.id] });
      else if (!c) both.push(t.id);
    }
  }
  return { rows, totals, differ, both };
}

function render({ rows, totals, differ, both }, about) {
  const lines = [
    `Run of ${about.date}: http-cache-tests ${suiteVersion}, ${about.chromium}, headless. Scored: the ${totals.n} tests of kind`,
    '`required` or `optimal` that the suite runs for a browser cache, without those of `Set-Cookie` and',
    '`Clear-Site-Data` (a page never sees them). Passes of each, side by side in one run (`npm run cache-tests`):',
    '',
    '| test group | scored | Chromium | cachedFetch |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.name.replace(/\|/g, '\\|')} | ${r.n} | ${r.chromium} | ${r.cachedFetch} |`),
    `| **all** | **${totals.n}** | **${totals.chromium}** | **${totals.cachedFetch}** |`,
    '',
    'Tests where the two differ:',
    '',
    '| test | kind | Chromium | cachedFetch |',
    '| --- | --- | --- | --- |',
    ...differ.map((d) => {
      const cell = (ok) => (ok ? 'pass' : `fail: ${String(d.why?.[1] ?? d.why).replace(/\|/g, '\\|').replace(/\s+/g, ' ')}`);
      return `| \`${d.id}\`: ${d.name.replace(/\|/g, '\\|')} | ${d.kind} | ${cell(d.chromium)} | ${cell(d.cachedFetch)} |`;
    }),
    '',
    `Failed by both (${both.length}): ${both.map((id) => `\`${id}\``).join(', ') || 'none'}.`,
  ];
  return lines.join('\n');
}

const library = await buildLibrary();
const server = await serve(library);
const origin = `http://127.0.0.1:${server.address().port}`;
// Nothing leaves this machine: every host name but 127.0.0.1 fails to resolve. (Not Playwright's
// request routing, which turns Chromium's HTTP cache off.)
const args = [...CHROMIUM_ARGS, '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'];
const browser = await chromium.launch({ executablePath: ensureChromium(), args, headless: true });
try {
  const results = {};
  for (const pass of ['chromium', 'cachedFetch']) {
    const started = Date.now();
    results[pass] = await runPass(browser, origin, pass);
    console.log(`${pass}: ${Object.keys(results[pass]).length} tests run in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 1));
  const text = render(table(results), { date: new Date().toISOString().slice(0, 10), chromium: `Chromium ${browser.version()}` });
  console.log(`\n${text}\n`);
  if (write) {
    const doc = readFileSync(DOC, 'utf8');
    const [before, rest] = doc.split(START);
    if (rest === undefined || !rest.includes(END)) throw new Error(`${DOC} has no ${START} … ${END} markers`);
    writeFileSync(DOC, `${before}${START}\n${text}\n${END}${rest.slice(rest.indexOf(END) + END.length)}`);
    console.log(`written to ${path.relative(ROOT, DOC)}`);
  }
} finally {
  await browser.close();
  server.close();
}
