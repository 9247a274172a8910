// Found by a hostile review (second pass): the package's default build (dist/index.js, also `main`
// and `module`) read `process.env.NODE_ENV` for its messages. Loaded as is in a browser (an import
// map, a page without a build step), where `process` does not exist, every error the library threw
// became a ReferenceError, and a warning on the disk path left a toDisk call pending forever.
// It loads dist/: `npm test` builds it first (test:package, size).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHarness, type Harness } from './harness';

/** What the page below puts on window. */
interface UnbundledPage {
  errorOfBadCall(): string;
  diskCall(): Promise<number>;
}

const dist = fileURLToPath(new URL('../../dist', import.meta.url));
let h: Harness;

const PAGE = `<!doctype html>
<script type="importmap">{ "imports": { "idb-memo": "/zz-dist/index.js" } }</script>
<script type="module">
  import { cache } from 'idb-memo';
  window.errorOfBadCall = () => { try { cache(42); return 'no error'; } catch (e) { return e.name + ': ' + e.message; } };
  window.diskCall = () => cache(async (x) => x * 2, { toDisk: true, name: 'double', cachePath: 'held-by-other-script' })(21);
  window.ready = true;
</script>`;

beforeAll(async () => {
  h = await startHarness((req, res, next) => {
    if (req.url === '/zz-unbundled/index.html') return void res.setHeader('content-type', 'text/html').end(PAGE);
    if (req.url?.startsWith('/zz-dist/')) {
      try {
        return void res.setHeader('content-type', 'text/javascript').end(readFileSync(path.join(dist, req.url.slice('/zz-dist/'.length))));
      } catch {
        res.statusCode = 404;
        return void res.end();
      }
    }
    next();
  });
}, 120_000);
afterAll(async () => h?.close());

it('the default build loaded unbundled: an invalid call throws an IdbMemoTypeError (no ReferenceError)', async () => {
  const context = await h.newContext();
  const page = await h.open(context, '/zz-unbundled/index.html');
  expect(await page.evaluate(() => (window as unknown as UnbundledPage).errorOfBadCall())).toMatch(/^IdbMemoTypeError/);
  await context.close();
});

it('the default build loaded unbundled: a toDisk call whose database will not open answers from memory', async () => {
  const context = await h.newContext();
  const page = await h.open(context, '/zz-unbundled/index.html');
  const outcome = await page.evaluate(async () => {
    // Another script of the origin holds the database open at an older version and ignores versionchange.
    await new Promise((resolve) => (indexedDB.open('held-by-other-script', 1).onsuccess = resolve));
    const call = (window as unknown as UnbundledPage).diskCall().then(String, (e: Error) => `rejected: ${e.name}`);
    return Promise.race([call, new Promise((resolve) => setTimeout(() => resolve('still pending after 8 s'), 8000))]);
  });
  expect(outcome).toBe('42'); // memory only, with a warning: what the dev and prod builds do
  await context.close();
}, 30_000);
