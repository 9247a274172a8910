// A Node process that made toDisk calls exits by itself once its work is done (no open
// BroadcastChannel or timer keeps its event loop alive), and every awaited call settles first
// (issue 20: nothing a caller awaits depends on an unref'd timer). Spawns real `node` processes on
// a bundle of the library.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'rolldown';
import { expect, it } from 'vitest';

it('Node scripts using toDisk settle every call and exit on their own', async () => {
  const root = resolve(import.meta.dirname, '../..');
  // Inside the project, so that the script resolves idb and fake-indexeddb from its node_modules.
  mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
  const dir = mkdtempSync(join(root, 'node_modules/.cache/node-exit-'));
  await build({
    input: join(root, 'src/index.ts'),
    external: ['idb'],
    transform: { define: { __DEV__: 'true' } },
    // A directory: the disk tier is a chunk of its own, loaded by import().
    output: { dir, entryFileNames: 'idb-memo.mjs', format: 'esm' },
    logLevel: 'silent',
  });
  const run = (name: string, body: string, withIndexedDB = true) => {
    const script = join(dir, `${name}.mjs`);
    writeFileSync(script, `${withIndexedDB ? "import 'fake-indexeddb/auto';\n" : ''}import * as lib from './idb-memo.mjs';\n${body}`);
    const started = Date.now();
    const result = spawnSync(process.execPath, [script], { cwd: dir, timeout: 20_000, encoding: 'utf8' });
    expect(result.error, result.stderr).toBeUndefined();
    // 13: node exited in the middle of an await (a promise that nothing would ever settle).
    expect(result.status, `${name}: ${result.stderr}`).toBe(0);
    return { output: JSON.parse(result.stdout.trim().split('\n').at(-1)!) as unknown, ms: Date.now() - started };
  };
  const toDisk = "{ toDisk: true, maxItems: 10, cachePath: 'node-exit', name: 'double' }";
  expect(
    run(
      'calls',
      `const f = lib.cache((n) => n * 2, ${toDisk});
const answers = [await f(1), await f(2), await f(1)];
globalThis.fetch = async () => new Response('{"ok":true}', { headers: { 'content-type': 'application/json' } });
const fetched = await (await lib.cachedFetch('https://example.test/x', undefined, { cachePath: 'node-exit' })).json();
console.log(JSON.stringify({ answers, fetched }));`,
    ).output,
  ).toEqual({ answers: [2, 4, 2], fetched: { ok: true } });
  // clear() or delete() as a function's first operation, and a call after 100 ms idle, settle.
  expect(
    run(
      'removals',
      `async function main() {
  const f = lib.cache((n) => n * 2, ${toDisk});
  await f.clear();
  const g = lib.cache((n) => n * 3, { toDisk: true, cachePath: 'node-exit', name: 'triple' });
  const deleted = await g.delete(1);
  await f(1);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const later = await f(2);
  await lib.flushCaches();
  await lib.clearCaches();
  console.log(JSON.stringify({ deleted, later, misses: f.stats().misses }));
}
main();`,
    ).output,
  ).toEqual({ deleted: false, later: 4, misses: 0 });
  // Without IndexedDB (SSR): toDisk works from memory, and flushCaches() / clearCaches() resolve at once.
  const ssr = run(
    'ssr',
    `console.warn = () => {};
const f = lib.cache((n) => n + 1, ${toDisk});
const answers = [await f(1), await f(1)];
await lib.flushCaches();
await lib.clearCaches();
console.log(JSON.stringify({ answers, misses: f.stats().misses }));`,
    false,
  );
  expect(ssr.output).toEqual({ answers: [2, 2], misses: 0 });
  expect(ssr.ms).toBeLessThan(5000);
}, 60_000);
