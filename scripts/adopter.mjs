// The scripted adopter run (issue 24), `npm run adopter`: idb-memo as a developer adopting it meets
// it. Not part of `npm test`: it installs from the npm registry.
//
// 1. packs the library from a clean clone of the current commit (`npm pack` runs the prepack build);
// 2. creates a Vite + TypeScript 7 app with `npm create vite` (vanilla-ts) and installs the tarball;
// 3. gives it the recipe app of test/recipe/ (`@cache`, `toDisk` with a name, `cachedFetch`, the
//    vitest suite of docs/testing.md) and builds it (`tsc && vite build`);
// 4. runs the built app in Chromium, reloads it, and checks that the reload is answered from disk;
// 5. type-checks a misspelt option and a bad value, and checks that the messages name the option;
// 6. runs the app's vitest suite (happy-dom + fake-indexeddb);
// 7. runs the package in plain Node (fake-indexeddb/auto): a toDisk call, clearCaches(), and the
//    process exits by itself with code 0.
//
// `--keep` keeps the temporary folder (its path is printed).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RECIPE = path.join(ROOT, 'test/recipe');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(path.join(tmpdir(), 'idb-memo-adopter-'));
const results = [];

/**
 * Runs a command; returns its output (stdout and stderr, or stdout alone with `stdoutOnly`), or
 * throws with it when it fails (or, with `expectFailure`, when it succeeds).
 */
function run(command, args, cwd, { expectFailure = false, stdoutOnly = false, env = {} } = {}) {
  const done = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  const output = `${done.stdout ?? ''}${done.stderr ?? ''}`;
  if ((done.status === 0) === expectFailure) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) ${expectFailure ? 'succeeded' : `failed with ${done.status ?? done.signal}`}:\n${output}`);
  }
  return stdoutOnly ? done.stdout : output;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Runs one step, timed; a failure is recorded and ends the run. */
async function step(name, body) {
  const started = performance.now();
  process.stdout.write(`• ${name}… `);
  try {
    const detail = await body();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    results.push({ name, ok: true });
    console.log(`ok (${seconds} s)${detail ? `\n    ${detail.replaceAll('\n', '\n    ')}` : ''}`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`FAILED\n${error instanceof Error ? error.message : String(error)}`);
    finish();
  }
}

function finish() {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (keep) console.log(`kept: ${work}`);
  else rmSync(work, { recursive: true, force: true });
  console.log(`adopter: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

/** A free port on the loopback interface. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const clone = path.join(work, 'clone');
const app = path.join(work, 'app');
let tarball = '';

const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
if (execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim()) {
  console.log(`note: uncommitted changes are not part of this run: it packs commit ${commit.slice(0, 10)}`);
}

await step(`npm pack from a clean clone of ${commit.slice(0, 10)}`, () => {
  run('git', ['clone', '--quiet', '--no-checkout', ROOT, clone], work);
  run('git', ['checkout', '--quiet', commit], clone);
  run('npm', ['ci', '--no-audit', '--no-fund'], clone);
  // The prepack build prints first; npm's JSON report is last.
  const output = run('npm', ['pack', '--json', '--pack-destination', work], clone, { stdoutOnly: true });
  const packed = JSON.parse(output.slice(output.search(/^\[\s*\{/m)));
  tarball = path.join(work, packed[0].filename);
  const files = packed[0].files.map((file) => file.path);
  for (const needed of ['dist/index.js', 'dist/index.d.ts', 'dist/vite.js', 'dist/vite.d.ts', 'docs/errors.md']) {
    check(files.includes(needed), `the tarball has no ${needed}: ${files.join(', ')}`);
  }
  return `${packed[0].filename}: ${files.length} files, ${(packed[0].size / 1024).toFixed(1)} kB`;
});

await step('npm create vite (vanilla-ts), with the packed idb-memo', () => {
  run('npm', ['create', '--yes', 'vite@latest', 'app', '--', '--template', 'vanilla-ts', '--no-interactive', '--no-immediate'], work);
  const { devDependencies } = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8'));
  check(/^[~^]?7\./.test(devDependencies.typescript), `the template's TypeScript is ${devDependencies.typescript}, not 7`);
  run('npm', ['install', '--no-audit', '--no-fund', tarball], app);
  run('npm', ['install', '--no-audit', '--no-fund', '--save-dev', 'esbuild', 'vitest', 'happy-dom', 'fake-indexeddb'], app);
  // The recipe app replaces the template's counter.
  for (const file of ['src/counter.ts', 'src/style.css', 'src/assets']) rmSync(path.join(app, file), { recursive: true, force: true });
  cpSync(RECIPE, app, { recursive: true });
  const installed = (name) => JSON.parse(readFileSync(path.join(app, 'node_modules', name, 'package.json'), 'utf8')).version;
  return ['typescript', 'vite', 'esbuild', 'vitest', 'happy-dom', 'fake-indexeddb'].map((name) => `${name} ${installed(name)}`).join(', ');
});

await step('npm run build (tsc && vite build)', () => {
  const output = run('npm', ['run', 'build'], app);
  const assets = readdirSync(path.join(app, 'dist/assets'));
  const js = assets.filter((file) => file.endsWith('.js')).map((file) => readFileSync(path.join(app, 'dist/assets', file), 'utf8')).join('\n');
  check(!/^\s*@cache/m.test(js), 'the built app still holds an @cache decorator');
  return /built in .*/.exec(output)?.[0] ?? '';
});

await step('the built app in Chromium, across a reload', async () => {
  const port = await freePort();
  const preview = spawn(path.join(app, 'node_modules/.bin/vite'), ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const browser = await chromium.launch({ executablePath: ensureChromium(), args: CHROMIUM_ARGS });
  try {
    await new Promise((resolve, reject) => {
      preview.stdout.on('data', (data) => String(data).includes(`${port}`) && resolve());
      preview.once('exit', (code) => reject(new Error(`vite preview exited with ${code}`)));
    });
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // Console errors only explain a page that never gets ready (a missing favicon is one too).
    const logged = [];
    page.on('console', (message) => message.type() === 'error' && logged.push(message.text()));
    const read = async () => {
      // A page that never gets ready says why: its errors, and what it shows.
      await page.waitForSelector('#out[data-ready="true"]', { timeout: 30_000 }).catch(async (error) => {
        throw new Error(`${error.message}\npage errors: ${[...errors, ...logged].join('; ') || 'none'}\n#out: ${await page.textContent('#out').catch(() => '?')}`);
      });
      return JSON.parse(await page.textContent('#out'));
    };
    await page.goto(`http://127.0.0.1:${port}/`);
    const first = await read();
    await page.reload();
    const second = await read();
    check(errors.length === 0, `page errors: ${errors.join('; ')}`);
    check(first.total === 10 && second.total === 10 && JSON.stringify(second.years) === '[2023,2024]', `wrong results: ${JSON.stringify([first, second])}`);
    check(first.totalOf.misses === 1 && first.years_.misses === 1 && first.fetch === 'memory', `first load: ${JSON.stringify(first)}`);
    check(second.totalOf.diskHits === 1 && second.totalOf.misses === 0, `after the reload, totalOf was not answered from disk: ${JSON.stringify(second.totalOf)}`);
    check(second.years_.diskHits === 1 && second.years_.misses === 0, `after the reload, @cache years() was not answered from disk: ${JSON.stringify(second.years_)}`);
    check(second.fetch === 'disk', `after the reload, cachedFetch answered from ${second.fetch}, not from disk`);
    return `first load: ${JSON.stringify(first.totalOf)}; after the reload: totalOf ${JSON.stringify(second.totalOf)}, cachedFetch from ${second.fetch}`;
  } finally {
    await browser.close();
    preview.kill();
  }
});

await step('type errors of a misspelt option and a bad value name the option (TypeScript 7)', () => {
  const typo = path.join(app, 'src/typo.ts');
  const lines = [
    "import { cache } from 'idb-memo';",
    'export const square = cache((x: number) => x * x, { maxItem: 10 });',
    "export const byPolicy = cache((x: number) => x, { policy: 'MRU' });",
  ];
  writeFileSync(typo, `${lines.join('\n')}\n`);
  /** Where tsc must report an error: at the option, `src/typo.ts(line,column)`. */
  const at = (line, option) => `src/typo.ts(${line},${lines[line - 1].indexOf(option) + 1})`;
  try {
    const output = run(path.join(app, 'node_modules/.bin/tsc'), ['--noEmit', '-p', '.', '--pretty', 'false'], app, { expectFailure: true });
    const errors = output.split('\n').filter((line) => line.startsWith('src/'));
    check(errors.length === 2, `expected 2 errors, got:\n${output}`);
    const [typoError = '', policyError = ''] = errors;
    check(typoError.startsWith(at(2, 'maxItem')) && /'maxItem' does not exist/.test(output) && /Did you mean to write 'maxItems'\?/.test(output), `the typo:\n${output}`);
    check(policyError.startsWith(at(3, 'policy')) && /Type '"MRU"' is not assignable to type/.test(output), `the bad policy:\n${output}`);
    return output.trim();
  } finally {
    rmSync(typo);
  }
});

await step("the app's vitest suite (the recipe of docs/testing.md)", () => {
  const output = run(path.join(app, 'node_modules/.bin/vitest'), ['run'], app, { env: { CI: 'true', NO_COLOR: '1' } });
  const summary = /Tests\s+(\d+) passed/.exec(output);
  check(summary && Number(summary[1]) >= 4, `no passing tests in:\n${output}`);
  check(!/Error:|stack/i.test(output.replace(/Tests.*$/s, '')), `the suite printed errors:\n${output}`);
  return summary[0];
});

await step('plain Node: a toDisk call, clearCaches(), and a prompt exit', () => {
  const script = `
    import 'fake-indexeddb/auto';
    import { cache, clearCaches } from 'idb-memo';
    const double = cache(async (n) => n * 2, { toDisk: true, name: 'double' });
    if ((await double(21)) !== 42 || (await double(21)) !== 42) throw new Error('wrong result');
    if (double.stats().hits !== 1) throw new Error('no hit: ' + JSON.stringify(double.stats()));
    await clearCaches();
    console.log('done');
  `;
  const started = performance.now();
  // A process that does not exit by itself is killed, and the step fails.
  const done = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8', timeout: 20_000 });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  check(done.signal === null, `node did not exit by itself within 20 s:\n${done.stdout}${done.stderr}`);
  check(done.status === 0 && done.stdout.trim() === 'done', `node exited with ${done.status}:\n${done.stdout}${done.stderr}`);
  check(done.stderr.trim() === '', `node printed:\n${done.stderr}`);
  return `exited with 0 after ${seconds} s`;
});

finish();
