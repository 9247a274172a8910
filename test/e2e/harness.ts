import type { Connect } from 'vite';
import { createServer, type ViteDevServer } from 'vite';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium.mjs';
import { standardDecorators } from '../../scripts/decorators-plugin';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A real headless Chromium and a Vite server on 127.0.0.1 serving the repository (pages under test/e2e/pages). */
export interface Harness {
  readonly browser: Browser;
  /** e.g. `http://127.0.0.1:41234` */
  readonly origin: string;
  /** A fresh browser context (its own storage) that refuses every host but 127.0.0.1. */
  newContext(): Promise<BrowserContext>;
  /** Runs `run` in a fresh context (see newContext), closed afterwards whatever happens. */
  withContext<T>(run: (context: BrowserContext) => Promise<T>): Promise<T>;
  /** Opens `path` (e.g. `/test/e2e/pages/lib.html`) and waits for `window.ready`. */
  open(context: BrowserContext, path?: string): Promise<Page>;
  close(): Promise<void>;
}

/** Starts the harness; `middleware` may answer extra routes (e.g. counted fixtures for fetch tests). */
export async function startHarness(middleware?: Connect.NextHandleFunction): Promise<Harness> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no Chromium: run `node scripts/chromium.mjs` (npm test does) or set CHROMIUM_PATH');
  const server: ViteDevServer = await createServer({
    configFile: false,
    root,
    logLevel: 'error',
    // The library's development messages, as the main config has them.
    define: { __DEV__: 'true' },
    plugins: [
      standardDecorators(),
      { name: 'e2e-routes', configureServer: (s) => void (middleware && s.middlewares.use(middleware)) },
    ],
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('vite did not listen on a port');
  const origin = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  const harness: Harness = {
    browser,
    origin,
    async newContext() {
      const context = await browser.newContext();
      await context.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => route.abort('blockedbyclient'));
      return context;
    },
    async withContext(run) {
      const context = await harness.newContext();
      try {
        return await run(context);
      } finally {
        await context.close();
      }
    },
    async open(context, path = '/test/e2e/pages/lib.html') {
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
      await page.goto(origin + path);
      await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
  return harness;
}
