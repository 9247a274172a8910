#!/usr/bin/env node
// `npm run build`: the package's JavaScript in three builds of the same modules, which differ only
// in the library's development messages (`__DEV__` in src/):
//   dist/        `typeof process == 'object' && process.env.NODE_ENV !== 'production'`: bundlers that
//                replace NODE_ENV (esbuild's --define, webpack, Rollup's replace plugin) drop the
//                messages from production apps; loaded unbundled in a browser, it has short messages;
//   dist/dev/    the `development` export condition (Vite's and webpack's dev servers): messages kept;
//   dist/prod/   the `production` export condition (Vite and webpack production builds): messages gone.
// Then the bundled type declarations (dist/index.d.ts, unchecked: `npm run typecheck` checks src/) and those of idb-memo/vite.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = (command, ...args) => execFileSync(path.join(ROOT, 'node_modules', '.bin', command), args, { cwd: ROOT, stdio: 'inherit' });

const variants = [
  { outDir: 'dist', dev: '(typeof process == "object" && process.env.NODE_ENV !== "production")', entry: { index: 'src/index.ts', vite: 'src/vite.ts' } },
  { outDir: 'dist/dev', dev: 'true', entry: { index: 'src/index.ts' } },
  { outDir: 'dist/prod', dev: 'false', entry: { index: 'src/index.ts' } },
];
for (const { outDir, dev, entry } of variants) {
  await build({
    root: ROOT,
    mode: 'lib',
    logLevel: 'warn',
    define: { __DEV__: dev },
    build: { outDir, emptyOutDir: outDir === 'dist', lib: { entry, formats: ['es'] } },
  });
}
run('dts-bundle-generator', '--silent', '--no-banner', '--no-check', '--export-referenced-types=false', '--project', 'scripts/tsconfig.build.json', '-o', 'dist/index.d.ts', 'src/index.ts');
run('tsc', '-p', 'scripts/tsconfig.vite.json');
