#!/usr/bin/env node
// `npm run size`: the bundle-size budget of issue 6. Builds minified ESM bundles of the library
// with Vite (rolldown + oxc minifier), `idb` bundled in, and gzips them at level 9:
//   (a) an app importing only `cache` (disk tier included): at most 4096 B min+gzip;
//   (b) an app importing `cache` and `cachedFetch`: at most 1536 B min+gzip more than (a);
// and checks tree-shaking: (a) must hold no cachedFetch code. Exits 1 when a check fails.
// `--guard` (run by `npm test`): (a) is checked against GROWTH_CEILING_CACHE instead of its budget,
// which it misses today (see the README's size table); every other check is enforced as usual.
// `--anchors` also measures p-memoize, lru-cache, memoizee, localforage and idb-keyval the same way;
// `--modules` lists each module's share of (a) (also printed whenever (a) is over budget).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, minifySync } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const INDEX = path.join(ROOT, 'src', 'index.ts');
const BUDGET_CACHE = 4096;
const BUDGET_FETCH_EXTRA = 1536;
/** cachedFetch on the shared tier (issue 11) measured 1,547 B: checked against this until issue 15 meets the budget. */
const GROWTH_CEILING_FETCH_EXTRA = 1600;
/**
 * (a) measured 11,362 B on 2026-11-26, against its 4,096 B budget. Until the budget is met or
 * changed, `npm test` keeps (a) from growing further: lower this as (a) shrinks, never raise it
 * without saying why in the commit. Raised once, from 11,264 B: the namespace sweep of batched
 * reads (src/disk/store.ts) costs about 280 B and meets the 100-cold-lookups target. Raised again
 * on 2026-12-02, to 16,384 B, for issues 11 and 14 (16,245 B measured): the tier contract, the
 * ordered change queue with tombstones and clear markers, the synchronous SHA-256 (disk keys known
 * at the moment of a call), the expiry heap and disk sweeps, sessions held by locks, schema repair.
 * Issue 15 replaces this ceiling with its budgets (a lazily loaded disk tier).
 */
const GROWTH_CEILING_CACHE = 16_384;
const guard = process.argv.includes('--guard');
/** Names that only cachedFetch code carries (issue 4's API); none may appear in bundle (a). */
const FETCH_MARKERS = ['cachedFetch', 'createCachedFetch', 'cacheStatus'];

const PREFIX = 'virtual:idb-memo-size/';
const ANCHORS = {
  'p-memoize': "export { default } from 'p-memoize';",
  'lru-cache': "export { LRUCache } from 'lru-cache';",
  memoizee: "export { default } from 'memoizee';",
  localforage: "export { default } from 'localforage';",
  'idb-keyval (get + set)': "export { get, set } from 'idb-keyval';",
};

/** A plugin serving each entry's source as a virtual module. */
function entries(sources) {
  return {
    name: 'idb-memo:size-entries',
    enforce: 'pre',
    resolveId: (id) => (id.startsWith(PREFIX) ? `\0${id}` : null),
    load: (id) => (id.startsWith(`\0${PREFIX}`) ? sources[id.slice(PREFIX.length + 1)] : null),
  };
}

/** Builds `source` as an app entry; returns its code (all chunks) and the rendered size of each module. */
async function bundle(name, source) {
  const output = await build({
    configFile: false,
    root: ROOT,
    logLevel: 'error',
    cacheDir: path.join(ROOT, 'node_modules', '.cache', 'idb-memo-size'),
    plugins: [entries({ [name]: source })],
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      modulePreload: false,
      reportCompressedSize: false,
      rollupOptions: { input: `${PREFIX}${name}`, preserveEntrySignatures: 'strict', output: { format: 'es' } },
    },
  });
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output).filter((item) => item.type === 'chunk');
  const code = chunks.map((chunk) => chunk.code).join('\n');
  const modules = new Map();
  const sources = new Map();
  for (const chunk of chunks) {
    for (const [id, info] of Object.entries(chunk.modules)) {
      modules.set(id, (modules.get(id) ?? 0) + info.renderedLength);
      if (info.code) sources.set(id, `${sources.get(id) ?? ''}${info.code}\n`);
    }
  }
  return { code, min: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length, modules, sources, chunks: chunks.length };
}

/** Each module's share of a bundle: its rendered code minified and gzipped alone (an estimate; shares do not add up exactly). */
function breakdown(result) {
  const rows = [];
  for (const [id, source] of result.sources) {
    let min = source;
    try {
      min = minifySync(id.replace(/\W/g, '_') + '.js', source, { compress: true, mangle: { toplevel: true } }).code;
    } catch {
      // keep the unminified text
    }
    rows.push({ id, min: Buffer.byteLength(min), gzip: gzipSync(min, { level: 9 }).length });
  }
  return rows.sort((a, b) => b.gzip - a.gzip);
}

const fmt = (n) => `${n.toLocaleString('en-US')} B`;
const rel = (id) => (id.startsWith(ROOT) ? path.relative(ROOT, id) : id);
const pad = (s, n) => s.padEnd(n);

const index = readFileSync(INDEX, 'utf8');
const exportsFetch = /export\s*\{[^}]*\bcachedFetch\b[^}]*\}|export\s+(async\s+)?function\s+cachedFetch\b|export\s+(const|let)\s+cachedFetch\b/.test(index);

let failed = false;
const check = (ok, message) => {
  if (!ok) failed = true;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`);
};

console.log('idb-memo bundle size: minified ESM (Vite/rolldown, oxc), idb bundled in, gzip level 9\n');
const cacheOnly = await bundle('cache', `export { cache } from ${JSON.stringify(INDEX)};`);
console.log(`  ${pad('(a) cache (with disk tier)', 34)} ${pad(fmt(cacheOnly.min), 10)} min  ${pad(fmt(cacheOnly.gzip), 8)} gzip`);
const usesIdb = [...cacheOnly.modules.keys()].some((id) => id.includes('/node_modules/idb/'));
if (!usesIdb) console.log('  note: no `idb` code in (a): the disk tier is not wired into cache() yet');
if (process.argv.includes('--modules') || cacheOnly.gzip > BUDGET_CACHE) {
  console.log('  where (a)\'s bytes come from (each module minified and gzipped alone, an estimate):');
  for (const row of breakdown(cacheOnly)) console.log(`    ${pad(rel(row.id), 44)} ${pad(fmt(row.min), 10)} min  ${pad(fmt(row.gzip), 8)} gzip`);
}

let withFetch;
if (exportsFetch) {
  withFetch = await bundle('cache-fetch', `export { cache, cachedFetch } from ${JSON.stringify(INDEX)};`);
  console.log(`  ${pad('(b) cache + cachedFetch', 34)} ${pad(fmt(withFetch.min), 10)} min  ${pad(fmt(withFetch.gzip), 8)} gzip`);
  console.log(`  ${pad('    cachedFetch on top of (a)', 34)} ${pad(fmt(withFetch.min - cacheOnly.min), 10)} min  ${pad(fmt(withFetch.gzip - cacheOnly.gzip), 8)} gzip`);
} else {
  console.log('  (b) cache + cachedFetch: skipped, src/index.ts does not export cachedFetch yet');
}

// The inspector's own cost, for apps that import it (informational: it has no budget, and none of (a)'s).
const withInspector = await bundle('cache-inspect', `export { cache, inspect, inspectCaches } from ${JSON.stringify(INDEX)};`);
console.log(`  ${pad('    inspect() on top of (a)', 34)} ${pad(fmt(withInspector.min - cacheOnly.min), 10)} min  ${pad(fmt(withInspector.gzip - cacheOnly.gzip), 8)} gzip`);

console.log('\nBudgets');
if (guard && cacheOnly.gzip > BUDGET_CACHE) {
  console.log(`  note (a) cache: ${fmt(cacheOnly.gzip)} gzip, above its ${fmt(BUDGET_CACHE)} budget (known, see the README's Size section; --guard checks the growth ceiling instead)`);
  check(cacheOnly.gzip <= GROWTH_CEILING_CACHE, `(a) cache: ${fmt(cacheOnly.gzip)} gzip ≤ growth ceiling ${fmt(GROWTH_CEILING_CACHE)}`);
} else {
  check(cacheOnly.gzip <= BUDGET_CACHE, `(a) cache: ${fmt(cacheOnly.gzip)} gzip ≤ ${fmt(BUDGET_CACHE)}`);
}
if (withFetch) {
  const extra = withFetch.gzip - cacheOnly.gzip;
  check(extra <= (guard ? GROWTH_CEILING_FETCH_EXTRA : BUDGET_FETCH_EXTRA), `(b) cachedFetch on top: ${fmt(extra)} gzip ≤ ${fmt(guard ? GROWTH_CEILING_FETCH_EXTRA : BUDGET_FETCH_EXTRA)}`);
}

console.log('\nTree-shaking (an app importing only `cache`)');
// The inspector (src/inspect/*) costs nothing to apps that do not import inspect() or inspectCaches().
const inspectorLeaks = [...cacheOnly.modules].filter(([id, length]) => length > 0 && rel(id).startsWith('src/inspect/')).map(([id]) => rel(id));
check(inspectorLeaks.length === 0, inspectorLeaks.length === 0 ? '(a) renders no code of src/inspect/* (the inspector)' : `(a) renders ${inspectorLeaks.join(', ')}`);
const found = FETCH_MARKERS.filter((marker) => cacheOnly.code.includes(marker));
check(found.length === 0, found.length === 0 ? '(a) holds none of the markers ' + FETCH_MARKERS.join(', ') : `(a) holds ${found.join(', ')}`);
if (withFetch) {
  // Modules that (b) renders and (a) does not are cachedFetch's own; none of them may leak into (a).
  const fetchOnly = [...withFetch.modules].filter(([id, length]) => length > 0 && !(cacheOnly.modules.get(id) > 0));
  const fetchFiles = [...withFetch.modules.keys()].filter((id) => /fetch/i.test(rel(id)) && rel(id).startsWith('src/'));
  const leaked = fetchFiles.filter((id) => cacheOnly.modules.get(id) > 0);
  check(leaked.length === 0, leaked.length === 0 ? `(a) renders no code of the ${fetchFiles.length} src/**/*fetch* modules` : `(a) renders code of ${leaked.map(rel).join(', ')}`);
  check(withFetch.gzip > cacheOnly.gzip, `(b) is larger than (a) (${fmt(withFetch.gzip - cacheOnly.gzip)} gzip)`);
  console.log(`  modules only in (b): ${fetchOnly.map(([id, length]) => `${rel(id)} (${fmt(length)})`).join(', ') || 'none'}`);
} else {
  console.log('  (module comparison with (b) skipped: no cachedFetch yet)');
}

if (process.argv.includes('--anchors')) {
  console.log('\nAnchors, measured the same way');
  for (const [name, source] of Object.entries(ANCHORS)) {
    const result = await bundle(name.replace(/\W+/g, '-'), source);
    console.log(`  ${pad(name, 34)} ${pad(fmt(result.min), 10)} min  ${pad(fmt(result.gzip), 8)} gzip`);
  }
}

console.log(failed ? '\nsize: FAILED' : '\nsize: ok');
process.exitCode = failed ? 1 : 0;
