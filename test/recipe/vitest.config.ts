import { defineConfig } from 'vitest/config';
import { standardDecorators } from 'idb-memo/vite';

export default defineConfig({
  // A separate vitest.config.ts does not read vite.config.ts: `@cache` needs the plugin here too.
  plugins: [standardDecorators()],
  test: {
    environment: 'happy-dom',
    // A page URL, so that cachedFetch('/report.json') resolves as it does in the browser.
    environmentOptions: { happyDOM: { url: 'http://localhost:5173/' } },
    // IndexedDB for toDisk caches: fake-indexeddb, one database set for the whole test file.
    setupFiles: ['fake-indexeddb/auto'],
    // vi.resetModules() then import() gives a fresh idb-memo, as a reload does, only if idb-memo is
    // inlined (processed by Vitest like the app's own modules) rather than loaded once by Node.
    server: { deps: { inline: ['idb-memo'] } },
  },
});
