#!/usr/bin/env node
// `npm run size`: what an app pays for idb-memo (issue 23). Builds the package (scripts/build.mjs),
// then an app that imports it, as its bundler ships it for production, each chunk gzipped alone (level 9):
//   Vite (production condition) and esbuild (--bundle --minify --splitting, NODE_ENV=production);
//   (a) `cache` without toDisk: the chunks loaded at start (the disk tier is a chunk of its own);
//   (c) `cache` with toDisk: every chunk;  (b) `cachedFetch` on top of (c).
// Checks: each figure within its budget (under --guard, run by `npm test`: within its ceiling,
// today's measured figure, while a budget is not met); no development message in a production
// build of Vite, esbuild or Rollup (node-resolve + replace), and a development build keeps them;
// (a) loads no disk code at start, and `cachedFetch` does not move it there; (c) holds no fetch code.
// `--modules` lists each module's share; `--anchors` measures p-memoize, lru-cache, memoizee,
// localforage and idb-keyval in Vite the same way.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { rollup } from 'rollup';
import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import { build as viteBuild } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APP = path.join(ROOT, 'node_modules', '.cache', 'idb-memo-size');
const args = process.argv.slice(2);
const guard = args.includes('--guard');

/**
 * Budgets of issue 23 (bytes, gzip), each with its ceiling while it is missed: the figure measured
 * on 2026-12-07 after the core was rebuilt (issues 20, 21: from 14.4 / 23.5 KB to 9.8 / 16.7 KB in
 * Vite), rounded up to the next 50 B; raised the same day by 240 B at start and 450 B in all for
 * the fixes of the hostile review of the rebuilt core (databases listed at logout, reactive
 * Proxies, hidden fields, async keys, refused writes leaving memory, expired entries swept before
 * eviction), and again by its second pass (every tab empties at a logout, retired namespaces, a
 * POST reaching every instance's store, streams stopped with their reader), and by 120 B with
 * toDisk for the long chaos run's two (a database made anew gets an epoch, failed removals retried
 * in the background), and by 200 B with toDisk for the third hostile pass (removals kept for later
 * applied before anything else and merged, moot after a logout; flushCaches() tries them), and by
 * 150 B with toDisk (50 B at start in esbuild) for the fourth (other tabs told once a kept removal is
 * applied, kept removals restored when a logout fails, a replaced connection closed), and by
 * 100 B with toDisk for the fifth (a removal is moot only where a logout emptied the database
 * since it was asked). Lower a ceiling as its figure falls; delete it once the budget is met.
 */
const LIMITS = {
  vite: { memory: [6144, 10_100], disk: [11264, 17_900], fetch: [2048, 5_400] },
  esbuild: { memory: [7168, 9_700], disk: [13312, 17_700], fetch: [2458, 5_550] },
};
/** Text that only the development messages hold. */
const DEV_MARKERS = ['cannot make a cache key from', 'Did you mean'];
/** Names only cachedFetch code holds. */
const FETCH_MARKERS = ['cachedFetch', 'cacheStatus', 'stale-while-revalidate'];

const ENTRIES = {
  cache: "import { cache } from 'idb-memo'; export const f = cache((n) => n * 2);",
  disk: "import { cache } from 'idb-memo'; export const f = cache((n) => n * 2, { toDisk: true, name: 'f' });",
  fetch: "import { cache, cachedFetch } from 'idb-memo'; export const f = cache((n) => n * 2, { toDisk: true, name: 'f' }); export const g = (url) => cachedFetch(url);",
};
const ANCHORS = {
  'p-memoize': "export { default } from 'p-memoize';",
  'lru-cache': "export { LRUCache } from 'lru-cache';",
  memoizee: "export { default } from 'memoizee';",
  localforage: "export { default } from 'localforage';",
  'idb-keyval (get + set)': "export { get, set } from 'idb-keyval';",
};

/** An app directory whose `idb-memo` is this package (as installed), with one file per entry. */
function makeApp() {
  rmSync(APP, { recursive: true, force: true });
  mkdirSync(path.join(APP, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, path.join(APP, 'node_modules', 'idb-memo'), 'dir');
  for (const [name, source] of Object.entries({ ...ENTRIES, ...Object.fromEntries(Object.entries(ANCHORS).map(([k, v]) => [slug(k), v])) })) {
    writeFileSync(path.join(APP, `${name}.js`), source);
  }
}
const slug = (name) => name.replace(/\W+/g, '-');
const gz = (text) => gzipSync(text, { level: 9 }).length;

/** Sizes of a set of chunks: `[{ name, code, isEntry, imports (static), modules: {id: bytes} }]`. */
function measure(chunks) {
  const byName = new Map(chunks.map((chunk) => [chunk.name, chunk]));
  const initial = new Set();
  const visit = (chunk) => {
    if (!chunk || initial.has(chunk)) return;
    initial.add(chunk);
    for (const name of chunk.imports) visit(byName.get(name));
  };
  for (const chunk of chunks) if (chunk.isEntry) visit(chunk);
  const modulesOf = (list) => new Set(list.flatMap((chunk) => Object.entries(chunk.modules).filter(([, bytes]) => bytes > 0).map(([id]) => id)));
  return {
    code: chunks.map((chunk) => chunk.code).join('\n'),
    initialCode: [...initial].map((chunk) => chunk.code).join('\n'),
    gzip: chunks.reduce((sum, chunk) => sum + gz(chunk.code), 0),
    initialGzip: [...initial].reduce((sum, chunk) => sum + gz(chunk.code), 0),
    modules: modulesOf(chunks),
    initialModules: modulesOf([...initial]),
    sources: new Map(chunks.flatMap((chunk) => Object.entries(chunk.sources ?? {}))),
  };
}

async function vite(entry, conditions) {
  const output = await viteBuild({
    configFile: false,
    root: APP,
    logLevel: 'error',
    cacheDir: path.join(APP, '.vite'),
    ...(conditions && { resolve: { conditions } }),
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      modulePreload: false,
      reportCompressedSize: false,
      rollupOptions: { input: path.join(APP, `${entry}.js`), preserveEntrySignatures: 'strict' },
    },
  });
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output).filter((item) => item.type === 'chunk');
  return measure(
    chunks.map((chunk) => ({
      name: chunk.fileName,
      code: chunk.code,
      isEntry: chunk.isEntry,
      imports: chunk.imports,
      modules: Object.fromEntries(Object.entries(chunk.modules).map(([id, info]) => [id, info.renderedLength])),
      sources: Object.fromEntries(Object.entries(chunk.modules).map(([id, info]) => [id, info.code ?? ''])),
    })),
  );
}

async function esbuildApp(entry) {
  const result = await esbuild.build({
    absWorkingDir: APP,
    entryPoints: [path.join(APP, `${entry}.js`)],
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    outdir: path.join(APP, 'out-esbuild'),
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const outputs = result.metafile.outputs;
  return measure(
    result.outputFiles
      .filter((file) => file.path.endsWith('.js'))
      .map((file) => {
        const name = path.relative(APP, file.path);
        const meta = outputs[name];
        return {
          name,
          code: file.text,
          // A dynamic import() makes an entry point of its own in the metafile: only the app's is loaded at start.
          isEntry: meta.entryPoint === `${entry}.js`,
          imports: meta.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path),
          modules: Object.fromEntries(Object.entries(meta.inputs).map(([id, info]) => [path.resolve(APP, id), info.bytesInOutput])),
        };
      }),
  );
}

/** Rollup as its users set it up for production: node-resolve (browser) and NODE_ENV replaced. */
async function rollupApp(entry) {
  const bundle = await rollup({
    input: path.join(APP, `${entry}.js`),
    plugins: [nodeResolve({ browser: true }), replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } })],
    onwarn: () => {},
  });
  const { output } = await bundle.generate({ format: 'es', dir: path.join(APP, 'out-rollup') });
  await bundle.close();
  return output.filter((item) => item.type === 'chunk').map((chunk) => chunk.code).join('\n');
}

const fmt = (n) => `${n.toLocaleString('en-US')} B`;
const rel = (id) => path.relative(ROOT, fs_real(id));
const fs_real = (id) => id.replace(/\0/g, '');
const pad = (s, n) => String(s).padEnd(n);
let failed = false;
const check = (ok, message) => {
  if (!ok) failed = true;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`);
};
/** `value` against its budget; under --guard, against its ceiling while the budget is missed. */
const budget = (label, value, [limit, ceiling]) => {
  if (value <= limit) return check(true, `${label}: ${fmt(value)} ≤ budget ${fmt(limit)}`);
  if (guard && ceiling !== undefined) {
    console.log(`  MISS ${label}: ${fmt(value)} > budget ${fmt(limit)} (held at its ceiling by --guard)`);
    return check(value <= ceiling, `${label}: ${fmt(value)} ${value <= ceiling ? '≤' : '>'} ceiling ${fmt(ceiling)}`);
  }
  check(false, `${label}: ${fmt(value)} ≤ budget ${fmt(limit)}`);
};
const isDisk = (id) => /\/dist\/(prod\/|dev\/)?disk\//.test(fs_real(id));
const isFetch = (id) => /\/dist\/(prod\/|dev\/)?fetch\//.test(fs_real(id));

execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
makeApp();

console.log('idb-memo in an app, production builds, each chunk gzipped at level 9\n');
console.log(`  ${pad('', 10)} ${pad('(a) memory only', 18)} ${pad('(c) with toDisk', 18)} (b) cachedFetch on top`);
const results = {};
for (const [bundler, make] of [
  ['vite', (entry) => vite(entry)],
  ['esbuild', (entry) => esbuildApp(entry)],
]) {
  const memory = await make('cache');
  const disk = await make('disk');
  const withFetch = await make('fetch');
  results[bundler] = { memory, disk, withFetch };
  console.log(`  ${pad(bundler, 10)} ${pad(fmt(memory.initialGzip), 18)} ${pad(fmt(disk.gzip), 18)} ${fmt(withFetch.gzip - disk.gzip)}`);
}

console.log(`\nBudgets${guard ? " (--guard: a budget not met yet is held at its ceiling, today's measured figure)" : ''}`);
for (const [bundler, { memory, disk, withFetch }] of Object.entries(results)) {
  budget(`${bundler} (a) memory only`, memory.initialGzip, LIMITS[bundler].memory);
  budget(`${bundler} (c) with toDisk`, disk.gzip, LIMITS[bundler].disk);
  budget(`${bundler} (b) cachedFetch on top`, withFetch.gzip - disk.gzip, LIMITS[bundler].fetch);
}

console.log('\nProduction messages, code splitting, tree-shaking');
const rolled = await rollupApp('fetch');
for (const [label, code] of [
  ['Vite', results.vite.withFetch.code],
  ['esbuild (NODE_ENV=production)', results.esbuild.withFetch.code],
  ['Rollup (node-resolve, replace)', rolled],
]) {
  const kept = DEV_MARKERS.filter((marker) => code.includes(marker));
  check(kept.length === 0 && code.includes('idb-memo'), `${label}: no development message (${kept.length ? `holds "${kept.join('", "')}"` : 'codes and links only'})`);
}
const development = await vite('fetch', ['development']);
check(DEV_MARKERS.every((marker) => development.code.includes(marker)), 'Vite with the development condition keeps the development messages');
for (const [bundler, { memory, disk, withFetch }] of Object.entries(results)) {
  const diskAtStart = [...memory.initialModules, ...withFetch.initialModules].filter(isDisk);
  check(diskAtStart.length === 0, `${bundler}: no disk code at start, with or without cachedFetch${diskAtStart.length ? ` (${[...new Set(diskAtStart)].map(rel).join(', ')})` : ''}`);
  check([...disk.modules].some(isDisk), `${bundler}: (c) holds the disk tier, in a chunk of its own`);
  const fetchInDisk = [...disk.modules].filter(isFetch);
  const markers = FETCH_MARKERS.filter((marker) => disk.code.includes(marker));
  check(fetchInDisk.length === 0 && markers.length === 0, `${bundler}: (c) holds no cachedFetch code${markers.length ? ` (${markers.join(', ')})` : ''}`);
}

if (args.includes('--modules') || failed) {
  console.log("\nWhere Vite's (c) + cachedFetch bytes go (each module's rendered code gzipped alone, an estimate; * = loaded at start by (a)):");
  const { withFetch, memory } = results.vite;
  const rows = [...withFetch.sources].map(([id, code]) => [id, gz(code)]).sort((x, y) => y[1] - x[1]);
  for (const [id, bytes] of rows) console.log(`   ${memory.initialModules.has(id) ? '*' : ' '} ${pad(rel(id), 40)} ${fmt(bytes)}`);
}

if (args.includes('--anchors')) {
  console.log('\nAnchors, in Vite the same way (every chunk)');
  for (const name of Object.keys(ANCHORS)) console.log(`  ${pad(name, 24)} ${fmt((await vite(slug(name))).gzip)}`);
}

console.log(failed ? '\nsize: FAILED' : '\nsize: ok');
process.exitCode = failed ? 1 : 0;
