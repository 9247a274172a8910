/// <reference types="vitest/config" />
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vite';
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs';
import { standardDecorators } from './scripts/decorators-plugin.ts';

const libraryBuild = {
  lib: { entry: 'src/index.ts', formats: ['es' as const], fileName: 'index' },
  rollupOptions: { external: ['idb'] },
  outDir: 'dist',
  emptyOutDir: false,
  sourcemap: true,
};

export default defineConfig(({ mode }) => ({
  plugins: [standardDecorators()],
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: mode === 'lib' ? libraryBuild : { outDir: 'dist-demo', emptyOutDir: true },
  test: {
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
