/// <reference types="vitest/config" />
import { playwright } from '@vitest/browser-playwright';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs';
import { standardDecorators } from './scripts/decorators-plugin.ts';
import { API_PATH, handle } from './test/fixtures/http-api.ts';

const libraryBuild = {
  // `idb-memo` and `idb-memo/vite` (the decorator plugin, for apps' build configs).
  lib: { entry: { index: 'src/index.ts', vite: 'src/vite.ts' }, formats: ['es' as const] },
  // One file per module, as in src/: an app's bundler then splits and tree-shakes the library as
  // it does the sources (the disk tier stays a chunk of its own, cachedFetch is dropped if unused).
  rollupOptions: { external: ['esbuild', 'vite'], output: { preserveModules: true, preserveModulesRoot: 'src', entryFileNames: '[name].js' } },
  outDir: 'dist',
  emptyOutDir: true,
  sourcemap: true,
};

/**
 * The demo's service worker (generateSW/Workbox): it precaches the app shell and the demo's small
 * copies of the datasets (demo/public/data/, shown when the data host cannot be reached). The
 * seaborn CSVs come from idb-memo's IndexedDB tier, so nothing is cached at run time.
 */
const demoPwa = () =>
  VitePWA({
    registerType: 'autoUpdate',
    injectRegister: false, // demo/offline.ts calls registerSW() itself, to show when it is offline-ready
    manifest: {
      name: 'idb-memo demo',
      short_name: 'idb-memo',
      description: 'Memoization in the browser: memory tier, IndexedDB disk tier, SHA-256 keys.',
      theme_color: '#1f2a44',
      background_color: '#f6f7fb',
      display: 'standalone',
      icons: [{ src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
    },
    workbox: {
      globPatterns: ['**/*.{js,css,html,svg,csv}'],
      navigateFallback: 'index.html',
      cleanupOutdatedCaches: true,
    },
  });

/** Serves the counting API of cachedFetch's shared tests (test/fixtures/http-api.ts) on the test server. */
const httpCacheApi = (): Plugin => ({
  name: 'idb-memo:http-cache-api',
  configureServer(server) {
    server.middlewares.use((req, res, next) => {
      if (!req.url?.startsWith(API_PATH)) return next();
      const headers = Object.entries(req.headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value] as [string, string]] : []));
      const response = handle(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers }));
      res.statusCode = response.status;
      response.headers.forEach((value, name) => res.setHeader(name, value));
      void response.arrayBuffer().then((body) => res.end(Buffer.from(body)));
    });
  },
});

export default defineConfig(({ mode }) => ({
  // Development messages in the tests and the demo; the library build makes three variants (scripts/build.mjs).
  define: { __DEV__: 'true' },
  // The library build gets neither the demo's service worker nor its static files.
  plugins: [standardDecorators(), ...(mode === 'lib' || mode === 'test' ? [] : [demoPwa()]), ...(mode === 'test' ? [httpCacheApi()] : [])],
  publicDir: mode === 'lib' ? false : 'demo/public',
  // The README gives these ports: `npm run demo` on 5173, `npm run demo:preview` on 4173.
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: mode === 'lib' ? libraryBuild : { outDir: 'dist-demo', emptyOutDir: true },
  test: {
    // Replays of random tests (test/shared/seed.ts), in Node and in the browser alike.
    env: { FC_SEED: process.env.FC_SEED ?? '', FC_RUNS: process.env.FC_RUNS ?? '' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'happy-dom',
          include: ['test/unit/**/*.test.ts', 'test/shared/**/*.test.ts'],
          setupFiles: ['test/unit/setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts', 'test/shared/**/*.test.ts'],
          setupFiles: ['test/shared/warnings.ts'],
          // Test files share one origin here, and clearCaches() is origin-wide by design (it empties
          // every tab's caches, over a BroadcastChannel): files run one at a time, or one file's
          // clearCaches() empties the caches another file is checking.
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
}));
