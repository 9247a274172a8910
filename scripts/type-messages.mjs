// The type tests of the published API (test/types/), with TypeScript 5.9 (the repository's) and
// TypeScript 7 (the `typescript@7` an app created today installs): `npm run test:types`. Besides
// test/types/api.test-d.ts, which must compile, it checks what TypeScript says of a wrong option.
//
// Each fixture under test/types/messages/ marks the errors it expects with comments
// `// error at TOKEN: PATTERN`: the next code line has an error that starts at TOKEN (its first
// occurrence on that line) and whose full text, related lines included, matches PATTERN (a regular
// expression). Every error reported must be expected, so that a second, misleading error fails too.
// The published types (dist/, from `npm run build`) are checked, through the package's own name.
//
// TypeScript 7 is not a devDependency: its package's `tsc` binary would shadow TypeScript 5.9's.
// It is installed on first use into node_modules/.cache/ (pinned below), or taken from $TS7_TSC.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TS7_VERSION = '7.0.2';
const PROJECTS = ['test/types/tsconfig.json', 'test/types/messages/tsconfig.json', 'test/types/messages/tsconfig.legacy.json'];

/** The `tsc` of TypeScript 7: $TS7_TSC, or one installed into node_modules/.cache/ on first use. */
function typescript7() {
  if (process.env.TS7_TSC) return process.env.TS7_TSC;
  const prefix = path.join(ROOT, 'node_modules/.cache/idb-memo-typescript-7');
  const tsc = path.join(prefix, 'node_modules/typescript/bin/tsc');
  if (!existsSync(tsc)) {
    mkdirSync(prefix, { recursive: true });
    execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `typescript@${TS7_VERSION}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return tsc;
}

/** Runs `tsc` on a project and parses its diagnostics (`--pretty false`: one head line, then indented lines). */
function diagnose(tsc, project) {
  const run = spawnSync(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { cwd: ROOT, encoding: 'utf8' });
  const diagnostics = [];
  for (const line of run.stdout.split('\n')) {
    const head = /^(.+)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (head) diagnostics.push({ file: path.resolve(ROOT, head[1]), line: Number(head[2]), column: Number(head[3]), code: head[4], text: head[5] });
    else if (line.trim() && diagnostics.length > 0) diagnostics.at(-1).text += `\n${line}`;
    else if (line.trim()) throw new Error(`unexpected tsc output: ${line}`);
  }
  return diagnostics;
}

/** The expectations of a fixture: `{ line, column, token, pattern }`, 1-based like tsc's. */
function expectationsOf(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const expected = [];
  let pending = [];
  lines.forEach((text, index) => {
    const mark = /^\s*\/\/ error at (\S+): (.*)$/.exec(text);
    if (mark) return void pending.push({ token: mark[1], pattern: new RegExp(mark[2]) });
    if (pending.length === 0 || text.trim() === '' || text.trim().startsWith('//')) return;
    for (const { token, pattern } of pending) {
      const at = text.indexOf(token);
      if (at < 0) throw new Error(`${file}:${index + 1}: the line has no ${token}`);
      expected.push({ line: index + 1, column: at + 1, token, pattern });
    }
    pending = [];
  });
  return expected;
}

let failures = 0;
let passes = 0;
const compilers = [
  ['TypeScript 5.9', createRequire(import.meta.url).resolve('typescript/bin/tsc')],
  ['TypeScript 7', typescript7()],
];
for (const [compiler, tsc] of compilers) {
  const version = execFileSync(process.execPath, [tsc, '--version'], { encoding: 'utf8' }).trim();
  console.log(`${compiler} (${version}):`);
  for (const project of PROJECTS) {
    const { files } = JSON.parse(readFileSync(project, 'utf8'));
    const file = path.resolve(path.dirname(project), files[0]);
    const diagnostics = diagnose(tsc, project);
    for (const expectation of expectationsOf(file)) {
      const found = diagnostics.findIndex((d) => d.file === file && d.line === expectation.line && d.column === expectation.column && expectation.pattern.test(d.text));
      const where = `${path.relative(ROOT, file)}:${expectation.line}`;
      if (found < 0) {
        failures++;
        console.log(`  FAIL ${where} at ${expectation.token}: no error matching ${expectation.pattern}`);
      } else {
        const [diagnostic] = diagnostics.splice(found, 1);
        passes++;
        console.log(`  ok   ${where} at ${expectation.token}: ${diagnostic.code} ${diagnostic.text.split('\n').at(-1).trim()}`);
      }
    }
    for (const d of diagnostics) {
      failures++;
      console.log(`  FAIL unexpected ${path.relative(ROOT, d.file)}(${d.line},${d.column}) ${d.code}: ${d.text}`);
    }
  }
}
console.log(`type messages: ${passes} passed, ${failures} failed`);
if (failures > 0) process.exit(1);
