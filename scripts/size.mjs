#!/usr/bin/env node
// `npm run size`: the bundle-size budgets of issue 15. Builds minified production ESM bundles of the
// library with Vite (rolldown + oxc minifier), `idb` bundled in, and gzips each chunk at level 9:
//   (a) an app using `cache` without toDisk: the chunks loaded at start (the disk tier is a chunk of
//       its own, loaded by import() on the first toDisk use): at most 4096 B;
//   (c) an app using `cache` with toDisk: every chunk: at most 8192 B;
//   (b) an app also using `cachedFetch`: at most 1536 B more than (c);
// and checks code splitting and tree-shaking: (a) loads no IndexedDB code, (c) holds no cachedFetch
// code. Exits 1 when a check fails. `--guard` (run by `npm test`) holds a budget that is not met yet
// at its ceiling (today's measured size, below); every other check is enforced as usual.
// `--anchors` also measures p-memoize, lru-cache, memoizee, localforage and idb-keyval the same way;
// `--modules` lists each module's share of (c) (also printed whenever a budget is missed).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, minifySync } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const INDEX = path.join(ROOT, 'src', 'index.ts');
/** (a) an app using cache() without toDisk: what it loads at start. */
const BUDGET_MEMORY = 4096;
/** (c) an app using cache() with toDisk: every chunk, the lazy disk tier included. */
const BUDGET_DISK = 8192;
/** (b) cachedFetch on top of (c). */
const BUDGET_FETCH_EXTRA = 1536;
/*
 * Ceilings for --guard (run by `npm test`): a budget not met yet is held at today's measured size,
 * never raised without saying why in the commit; lower them as the figures shrink, and delete one
 * once its budget is met. Undefined: the budget is met and enforced as is.
 */
/**
 * 9,363 B measured on 2026-12-02 (issue 15): the memory-only path is the tier, encoder, options and
 * cache sequence. Raised the same day to 9,600 B (9,503 B measured): the hostile review of issues
 * 11/14 (calls waiting for their tier when caches are wiped, calls registered before they run).
 * Raised the same day to 14,000 B (13,906 B measured, +4.3 KB) for issue 12: the key rule (class
 * identity, private fields, prototype data, subclassed built-ins and brand checks, Files, Errors,
 * holes, symbols by identity, drafts that keep the place of each digest, long strings digested, the
 * synchronous SHA-256 where Web Crypto is missing) and its refusal messages, all loaded at start.
 * Raised again to 14,200 B (14,089 B measured): other tabs' clearCaches() heard from the first
 * toDisk cache on, before the disk chunk loads (a call made meanwhile is not stored after a wipe).
 */
// Raised again to 14,400 B (14,245 B measured) by the hostile review of the merged issues: `this`
// keyed when a function reads it (plain objects, built-ins, primitives), one channel per page.
const CEILING_MEMORY = 14_400;
/**
 * 18,556 B measured on 2026-12-02 (issue 15), each chunk gzipped on its own. Raised the same day to
 * 19,200 B (19,087 B measured): issue 13's secrets store and schema upgrade, and the fixes of the
 * hostile review of issues 11/14 (wiped databases found on reopen, queued results read by other tiers).
 */
// Raised the same day to 22,400 B (22,312 B measured) with issue 12's key rule (see above), then
// to 22,600 B (22,486 B measured): wipes heard early, and reads that never create a database;
// then to 22,800 B (22,644 B measured): bounded waits in the wipe path, a database made anew by a read deleted again.
// Then to 23,100 B (22,932 B measured): that review's fixes (reads blind and writes held while a
// wipe deletes, deletions tried again, retries timed to the connection, every tier cleared/deleted).
// Then to 23,300 B (23,168 B measured) by the second hostile review: stores made during a wipe held,
// the end of a wipe announced, deletions given up after 10 s, evictions let go past 1,000 retries.
// Then to 23,500 B (23,403 B measured) by the third: wipes heard before any store exists, `this`
// by prototype chain, moot removals dropped while the disk fails.
const CEILING_DISK = 23_500;
/**
 * cachedFetch met its budget with issue 15 (1,147 B); issue 13's private HTTP cache (no-store,
 * Range, revalidation with 304s, only-if-cached, freshness from max-age/Expires, HMAC keys over every
 * request header with a per-database secret, damaged records as misses) brings it to 2,589 B.
 */
// Raised to 4,700 B (4,632 B measured) by issue 22, which asks for what an RFC 9111 cache does and
// the earlier one did not: strict HTTP-dates and Age, heuristic freshness by status, the 304 update
// rules, stale-while-revalidate / stale-if-error, invalidation by unsafe methods (a key split by
// URL), byte ranges from the store, bodies streamed as they come and stored whole within a bound, a
// sweep date per entry, and the storage seam (src/fetch/shelf.ts) that holds the secret.
const CEILING_FETCH_EXTRA = 4_700;
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
  // What a page loads at start: the entry chunk and what it imports statically (not `import()`).
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const initial = new Set();
  const visit = (chunk) => {
    if (!chunk || initial.has(chunk)) return;
    initial.add(chunk);
    for (const name of chunk.imports) visit(byName.get(name));
  };
  for (const chunk of chunks) if (chunk.isEntry) visit(chunk);
  const gz = (text) => gzipSync(text, { level: 9 }).length;
  const initialModules = new Set([...initial].flatMap((chunk) => Object.entries(chunk.modules).filter(([, info]) => info.renderedLength > 0).map(([id]) => id)));
  const modules = new Map();
  const sources = new Map();
  for (const chunk of chunks) {
    for (const [id, info] of Object.entries(chunk.modules)) {
      modules.set(id, (modules.get(id) ?? 0) + info.renderedLength);
      if (info.code) sources.set(id, `${sources.get(id) ?? ''}${info.code}\n`);
    }
  }
  return {
    code,
    min: Buffer.byteLength(code),
    /** Every chunk, each gzipped on its own (as a server sends them), summed. */
    gzip: chunks.reduce((sum, chunk) => sum + gz(chunk.code), 0),
    /** The chunks loaded at start, gzipped each, summed. */
    initialGzip: [...initial].reduce((sum, chunk) => sum + gz(chunk.code), 0),
    initialMin: [...initial].reduce((sum, chunk) => sum + Buffer.byteLength(chunk.code), 0),
    initialModules,
    modules,
    sources,
    chunks: chunks.length,
  };
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

console.log('idb-memo bundle size: production build (Vite/rolldown, oxc), idb bundled in, each chunk gzipped at level 9\n');
const cacheOnly = await bundle('cache', `export { cache } from ${JSON.stringify(INDEX)};`);
const row = (label, min, gzip) => console.log(`  ${pad(label, 40)} ${pad(fmt(min), 10)} min  ${pad(fmt(gzip), 8)} gzip`);
row('(a) cache, memory only (loaded at start)', cacheOnly.initialMin, cacheOnly.initialGzip);
row('(c) cache with toDisk (+ the lazy disk chunk)', cacheOnly.min, cacheOnly.gzip);
if (process.argv.includes('--modules') || cacheOnly.initialGzip > BUDGET_MEMORY || cacheOnly.gzip > BUDGET_DISK) {
  console.log('  where (c)\'s bytes come from (each module minified and gzipped alone, an estimate; * = loaded at start):');
  for (const r of breakdown(cacheOnly)) {
    console.log(`   ${cacheOnly.initialModules.has(r.id) ? '*' : ' '} ${pad(rel(r.id), 42)} ${pad(fmt(r.min), 10)} min  ${pad(fmt(r.gzip), 8)} gzip`);
  }
}

let withFetch;
if (exportsFetch) {
  withFetch = await bundle('cache-fetch', `export { cache, cachedFetch } from ${JSON.stringify(INDEX)};`);
  row('    cache + cachedFetch', withFetch.min, withFetch.gzip);
  row('(b) cachedFetch on top of (c)', withFetch.min - cacheOnly.min, withFetch.gzip - cacheOnly.gzip);
} else {
  console.log('  (b) cache + cachedFetch: skipped, src/index.ts does not export cachedFetch yet');
}

// The inspector's own cost, for apps that import it (informational: it has no budget, and none of (a)'s).
const withInspector = await bundle('cache-inspect', `export { cache, inspect, inspectCaches } from ${JSON.stringify(INDEX)};`);
console.log(`  ${pad('    inspect() on top of (c)', 34)} ${pad(fmt(withInspector.min - cacheOnly.min), 10)} min  ${pad(fmt(withInspector.gzip - cacheOnly.gzip), 8)} gzip`);

console.log(`\nBudgets${guard ? ' (--guard: a budget not met yet is held at its ceiling, today\'s measured size)' : ''}`);
/** Checks `value` against its budget; under --guard, a budget with a ceiling is checked against the ceiling. */
const budget = (label, value, limit, ceiling) => {
  if (guard && ceiling !== undefined && value > limit) {
    console.log(`  MISS ${label}: ${fmt(value)} gzip > budget ${fmt(limit)} (held at its ceiling by --guard)`);
    check(value <= ceiling, `${label}: ${fmt(value)} gzip ≤ ceiling ${fmt(ceiling)}`);
  } else {
    check(value <= limit, `${label}: ${fmt(value)} gzip ≤ ${fmt(limit)}`);
  }
};
budget('(a) memory only', cacheOnly.initialGzip, BUDGET_MEMORY, CEILING_MEMORY);
budget('(c) with toDisk', cacheOnly.gzip, BUDGET_DISK, CEILING_DISK);
if (withFetch) budget('(b) cachedFetch on top', withFetch.gzip - cacheOnly.gzip, BUDGET_FETCH_EXTRA, CEILING_FETCH_EXTRA);

console.log('\nTree-shaking and code splitting');
// The inspector (src/inspect/*) costs nothing to apps that do not import inspect() or inspectCaches().
const inspectorLeaks = [...cacheOnly.modules].filter(([id, length]) => length > 0 && rel(id).startsWith('src/inspect/')).map(([id]) => rel(id));
check(inspectorLeaks.length === 0, inspectorLeaks.length === 0 ? '(c) renders no code of src/inspect/* (the inspector)' : `(c) renders ${inspectorLeaks.join(', ')}`);
const diskAtStart = [...cacheOnly.initialModules].filter((id) => id.includes('/node_modules/idb/') || /src\/disk\/(?!lazy\.ts|schema\.ts)/.test(id));
check(
  diskAtStart.length === 0,
  diskAtStart.length === 0 ? '(a) loads no IndexedDB code at start (idb and src/disk/* are in the lazy chunk)' : `(a) loads ${diskAtStart.map(rel).join(', ')} at start`,
);
const usesIdb = [...cacheOnly.modules.keys()].some((id) => id.includes('/node_modules/idb/'));
check(usesIdb, usesIdb ? '(c) holds the disk tier (idb) in its lazy chunk' : '(c) holds no idb code: the disk tier is not wired into cache()');
const found = FETCH_MARKERS.filter((marker) => cacheOnly.code.includes(marker));
check(found.length === 0, found.length === 0 ? '(c) holds none of the markers ' + FETCH_MARKERS.join(', ') : `(c) holds ${found.join(', ')}`);
if (withFetch) {
  // Modules that (b) renders and (c) does not are cachedFetch's own; none of them may leak into (c).
  const fetchOnly = [...withFetch.modules].filter(([id, length]) => length > 0 && !(cacheOnly.modules.get(id) > 0));
  const fetchFiles = [...withFetch.modules.keys()].filter((id) => /fetch/i.test(rel(id)) && rel(id).startsWith('src/'));
  const leaked = fetchFiles.filter((id) => cacheOnly.modules.get(id) > 0);
  check(leaked.length === 0, leaked.length === 0 ? `(c) renders no code of the ${fetchFiles.length} src/**/*fetch* modules` : `(c) renders code of ${leaked.map(rel).join(', ')}`);
  check(withFetch.gzip > cacheOnly.gzip, `cache + cachedFetch is larger than (c) (${fmt(withFetch.gzip - cacheOnly.gzip)} gzip)`);
  console.log(`  modules only in cache + cachedFetch: ${fetchOnly.map(([id, length]) => `${rel(id)} (${fmt(length)})`).join(', ') || 'none'}`);
}

if (process.argv.includes('--anchors')) {
  console.log('\nAnchors, measured the same way');
  for (const [name, source] of Object.entries(ANCHORS)) {
    const result = await bundle(name.replace(/\W+/g, '-'), source);
    row(name, result.min, result.gzip);
  }
}

console.log(failed ? '\nsize: FAILED' : '\nsize: ok');
process.exitCode = failed ? 1 : 0;
