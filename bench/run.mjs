#!/usr/bin/env node
// `npm run bench`: runs the bench in headless Chromium (every case) and in Node (memory-tier cases),
// prints a markdown table and writes bench/results.json.
//
// Flags: --quick (about a third of the rounds and budgets), --only=memory,miss,keys,disk,cold,scale,
// --no-node, --no-browser, --sizes=1000,10000,100000 (scale case), --out=FILE (default bench/results.json).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { build, preview, runnerImport } from 'vite';
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH = path.join(ROOT, 'bench');
const WORK = path.join(ROOT, 'node_modules', '.cache', 'idb-memo-bench');
const BROWSER_GROUPS = ['memory', 'miss', 'keys', 'disk', 'cold', 'scale'];
const NODE_GROUPS = ['memory', 'miss', 'keys'];

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = option('only')?.split(',');
const settings = {
  scale: flag('quick') ? 0.35 : 1,
  ...(option('sizes') ? { scaleSizes: option('sizes').split(',').map(Number) } : {}),
};
const outFile = path.resolve(option('out') ?? path.join(BENCH, 'results.json'));
const started = Date.now();
const log = (message) => console.error(`bench: ${message} (${((Date.now() - started) / 1000).toFixed(0)} s)`);

/** The decorators plugin of the main config, loaded through Vite since it is TypeScript. */
async function plugins() {
  const { module } = await runnerImport(path.join(ROOT, 'scripts', 'decorators-plugin.ts'), { configFile: false, logLevel: 'error' });
  return [module.standardDecorators()];
}

const baseConfig = async () => ({ configFile: false, logLevel: 'warn', cacheDir: path.join(WORK, 'vite'), plugins: await plugins() });

async function runNode(base) {
  const outDir = path.join(WORK, 'node');
  await build({
    ...base,
    root: ROOT,
    ssr: { noExternal: true, target: 'node' },
    build: {
      ssr: path.join(BENCH, 'node.ts'),
      outDir,
      emptyOutDir: true,
      target: 'node20',
      minify: true,
      rollupOptions: { output: { entryFileNames: 'node.mjs' } },
    },
  });
  const groups = NODE_GROUPS.filter((g) => !only || only.includes(g));
  log(`node: running ${groups.join(', ')}`);
  const output = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(outDir, 'node.mjs'), JSON.stringify({ settings, only: groups })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`bench: the Node run exited with ${code}`))));
  });
  const line = output.split('\n').find((l) => l.startsWith('BENCH-RESULTS '));
  if (!line) throw new Error('bench: the Node run printed no results');
  return JSON.parse(line.slice('BENCH-RESULTS '.length));
}

async function runBrowser(base, machine) {
  const outDir = path.join(WORK, 'browser');
  await build({
    ...base,
    root: BENCH,
    base: './',
    build: { outDir, emptyOutDir: true, target: 'es2022', minify: true, sourcemap: false, reportCompressedSize: false },
  });
  const server = await preview({
    ...base,
    root: BENCH,
    build: { outDir },
    // Cross-origin isolation gives performance.now() its fine (5 µs) resolution in Chromium.
    preview: {
      host: '127.0.0.1',
      port: 4190,
      strictPort: false,
      open: false,
      headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
    },
  });
  const executablePath = findChromium();
  if (!executablePath) throw new Error('bench: no Chromium found (set CHROMIUM_PATH, or run `node scripts/chromium.mjs`)');
  const browser = await chromium.launch({
    executablePath,
    args: [...CHROMIUM_ARGS, '--disable-background-timer-throttling', '--disable-renderer-backgrounding'],
  });
  try {
    machine.chromium = browser.version();
    const page = await browser.newPage();
    const seen = new Set();
    page.on('console', (message) => {
      if (message.type() !== 'warning' && message.type() !== 'error') return;
      // Expected: the disk cases' read-only probes share a `name` with their writers (see disk-cases.ts).
      if (/given name "bench-[^"]*" and would share persisted results/.test(message.text())) return;
      const text = `[chromium ${message.type()}] ${message.text()}`;
      if (!seen.has(text)) console.error(text);
      seen.add(text);
    });
    page.on('pageerror', (error) => console.error(`[chromium page error] ${error.message}`));
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('bench: the preview server has no local URL');
    await page.goto(url);
    await page.waitForFunction(() => window.__idbMemoBench !== undefined, null, { timeout: 30_000 });
    const info = await page.evaluate(() => window.__idbMemoBench.info());
    machine.crossOriginIsolated = info.crossOriginIsolated;
    const results = [];
    for (const group of BROWSER_GROUPS) {
      if (only && !only.includes(group)) continue;
      log(`chromium: running ${group}`);
      results.push(...(await page.evaluate(([g, s]) => window.__idbMemoBench.run(g, s), [group, settings])));
    }
    return results;
  } finally {
    await browser.close();
    await new Promise((resolve) => server.httpServer.close(resolve));
  }
}

// ---- formatting ------------------------------------------------------------------------------

function time(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 0.001) return `${(ms * 1e6).toPrecision(3)} ns`;
  if (ms < 1) return `${(ms * 1e3).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}

const mbps = (bytes, ms) => bytes / (ms / 1000) / 1e6;
const rate = (bytes, ms) => (Number.isFinite(ms) ? `${mbps(bytes, ms).toFixed(mbps(bytes, ms) < 10 ? 1 : 0)} MB/s` : 'n/a');
const figure = (c, m) => (c.unit === 'throughput' ? `${rate(c.bytes, m.median)} (${time(m.median)})` : time(m.median));
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

function subjectCell(c, s) {
  const extras = Object.entries(s.extra ?? {}).map(([k, v]) => `${k} ${time(v)}${k === 'write' ? '/entry' : ''}`);
  return [figure(c, s), ...extras, ...(s.note ? [`⚠ ${s.note}`] : [])].join('; ');
}

function table(cases) {
  const lines = ['| # | Case | Env | idb-memo | Anchors: figure (idb-memo / anchor) |', '| --- | --- | --- | --- | --- |'];
  for (const c of cases) {
    if (c.na) {
      lines.push(`| ${c.group} | ${c.title} | ${c.env} | n/a | ${c.na} |`);
      continue;
    }
    const s = c.results.find((m) => m.name === c.subject);
    const anchors = c.results
      .filter((m) => m !== s)
      .map((m) => `${m.name}: ${figure(c, m)} (${ratio(s.median, m.median)})`)
      .join('<br>');
    lines.push(`| ${c.group} | ${c.title} | ${c.env} | ${subjectCell(c, s)} | ${anchors} |`);
  }
  return lines.join('\n');
}

const FLAT_LIMIT = 1.5;

/** Each target of issue 6, with the measured figure and whether it is met (null: not measured). */
function targets(cases) {
  const out = [];
  const find = (id, env) => cases.find((c) => c.id === id && c.env === env);
  const med = (c, name) => c?.results.find((m) => m.name === name)?.median;
  for (const env of ['chromium', 'node']) {
    for (const id of ['memory-hit-string', 'memory-hit-object', 'memory-hit-string-todisk']) {
      const c = find(id, env);
      if (!c) continue;
      const r = med(c, c.subject) / med(c, 'p-memoize');
      out.push({ target: `${c.title}: ≤ 1.0× p-memoize`, env, measured: c.na ? 'n/a' : `${r.toFixed(2)}×`, met: c.na ? null : r <= 1 });
    }
  }
  for (const id of ['disk-hit-small', 'disk-hit-250k']) {
    const c = find(id, 'chromium');
    if (!c) continue;
    const r = med(c, 'idb-memo') / med(c, 'idb-keyval get');
    out.push({ target: `${c.title}: ≤ 1.1× idb-keyval get`, env: 'chromium', measured: c.na ? 'n/a' : `${r.toFixed(2)}×`, met: c.na ? null : r <= 1.1 });
    // Issue 11: within 1.1× of the floor of any SHA-256-keyed store (one digest, one get).
    const floor = med(c, 'idb-memo') / med(c, 'SHA-256 digest + idb-keyval get');
    out.push({ target: `${c.title}: ≤ 1.1× SHA-256 digest + idb-keyval get`, env: 'chromium', measured: c.na ? 'n/a' : `${floor.toFixed(2)}×`, met: c.na ? null : floor <= 1.1 });
  }
  const cold = find('cold-100', 'chromium');
  if (cold) {
    const speedup = med(cold, 'idb-keyval get ×100 sequential') / med(cold, 'idb-memo');
    out.push({
      target: '100 cold lookups: ≥ 3× faster than 100 sequential idb-keyval gets',
      env: 'chromium',
      measured: cold.na ? 'n/a' : `${speedup.toFixed(2)}× faster`,
      met: cold.na ? null : speedup >= 3,
    });
  }
  for (const env of ['chromium', 'node']) {
    const c = find('key-typed-1mib', env);
    if (!c) continue;
    const r = mbps(c.bytes, med(c, 'idb-memo memory key'));
    out.push({ target: '1 MiB typed-array key: ≥ 0.5 GB/s', env, measured: `${(r / 1000).toFixed(2)} GB/s`, met: r >= 500 });
  }
  const scale = find('scale', 'chromium');
  if (scale) {
    const first = scale.results[scale.results.length - 1];
    const last = scale.results[0];
    const r = last && first ? last.median / first.median : NaN;
    out.push({
      target: `flat scale curve: per-insert cost at the largest size ≤ ${FLAT_LIMIT}× the 1k cost`,
      env: 'chromium',
      measured: scale.na || !(scale.results.length > 1) ? 'n/a' : `${last.name} / ${first.name} = ${r.toFixed(2)}×`,
      met: scale.na || !(scale.results.length > 1) ? null : r <= FLAT_LIMIT,
    });
  }
  return out;
}

function targetTable(rows) {
  const lines = ['| Target | Env | Measured | Met |', '| --- | --- | --- | --- |'];
  for (const row of rows) lines.push(`| ${row.target} | ${row.env} | ${row.measured} | ${row.met === null ? 'n/a' : row.met ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}

// ---- main --------------------------------------------------------------------------------------

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
};
const loadBefore = os.loadavg()[0];
if (loadBefore > 1) log(`warning: the machine is busy (1-minute load average ${loadBefore.toFixed(2)} on ${machine.cores} cores); figures will be noisy`);
mkdirSync(WORK, { recursive: true });
const base = await baseConfig();
const cases = [];
if (!flag('no-node')) cases.push(...(await runNode(base)));
if (!flag('no-browser')) cases.push(...(await runBrowser(base, machine)));
cases.sort((a, b) => a.group - b.group || (a.env === b.env ? 0 : a.env === 'chromium' ? -1 : 1));
machine.loadAverage = { before: Number(loadBefore.toFixed(2)), after: Number(os.loadavg()[0].toFixed(2)) };
const targetRows = targets(cases);
const date = new Date().toISOString();
const header =
  `idb-memo bench, ${date.slice(0, 10)}: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}` +
  `${machine.chromium ? `; Chromium ${machine.chromium} headless` : ''}; load average ${machine.loadAverage.before} → ${machine.loadAverage.after}`;
console.log(`\n${header}\n\nMedians over rounds; ratio = idb-memo time / anchor time (below 1× means idb-memo is faster).\n`);
console.log(table(cases));
const notes = cases.filter((c) => c.notes?.length).map((c) => `- ${c.title} (${c.env}): ${c.notes.join('; ')}`);
console.log(`\nNotes:\n${notes.join('\n')}`);
console.log(`\n${targetTable(targetRows)}\n`);
writeFileSync(outFile, `${JSON.stringify({ date, machine, settings, durationSeconds: Math.round((Date.now() - started) / 1000), targets: targetRows, cases }, null, 2)}\n`);
log(`wrote ${path.relative(process.cwd(), outFile)}`);
