// `npm run chaos`: the long form of the chaos test (test/e2e/chaos.test.ts) in real Chromium.
// Defaults: 5 rounds of 4 tabs × 1,000 calls; override with CHAOS_ROUNDS, CHAOS_CALLS, CHAOS_TABS,
// CHAOS_SEED. The figures go to test/artifacts/chaos.json (or CHAOS_OUT), for docs/reliability.md.
// Extra arguments are passed to vitest (e.g. `npm run chaos -- -t "crash safety"`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureChromium } from './chromium.mjs';

ensureChromium();
const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const result = spawnSync(process.execPath, [vitest, 'run', '--project', 'e2e', 'test/e2e/chaos.test.ts', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CHAOS_LONG: '1' },
});
process.exit(result.status ?? 1);
