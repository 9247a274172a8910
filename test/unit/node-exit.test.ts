// Issue 11, finding 6: a Node process that made toDisk calls exits by itself (no open
// BroadcastChannel or timer keeps its event loop alive). Spawns a real `node` process on a bundle
// of the library.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'rolldown';
import { expect, it } from 'vitest';

it('a Node script using toDisk exits on its own, with its results computed', async () => {
  const root = resolve(import.meta.dirname, '../..');
  // Inside the project, so that the script resolves idb and fake-indexeddb from its node_modules.
  mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
  const dir = mkdtempSync(join(root, 'node_modules/.cache/node-exit-'));
  await build({
    input: join(root, 'src/index.ts'),
    external: ['idb'],
    // A directory: the disk tier is a chunk of its own, loaded by import().
    output: { dir, entryFileNames: 'idb-memo.mjs', format: 'esm' },
    logLevel: 'silent',
  });
  const script = join(dir, 'script.mjs');
  writeFileSync(
    script,
    `import 'fake-indexeddb/auto';
import { cache, cachedFetch } from './idb-memo.mjs';
const f = cache((n) => n * 2, { toDisk: true, maxItems: 10, cachePath: 'node-exit' });
const answers = [await f(1), await f(2), await f(1)];
globalThis.fetch = async () => new Response('{"ok":true}', { headers: { 'content-type': 'application/json' } });
const fetched = await (await cachedFetch('https://example.test/x', undefined, { cachePath: 'node-exit' })).json();
console.log(JSON.stringify({ answers, fetched }));
`,
  );
  const started = Date.now();
  const run = spawnSync(process.execPath, [script], {
    cwd: dir,
    timeout: 20_000,
    encoding: 'utf8',
  });
  expect(run.error, run.stderr).toBeUndefined();
  expect(run.status, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({ answers: [2, 4, 2], fetched: { ok: true } });
  expect(Date.now() - started).toBeLessThan(15_000);
}, 30_000);
