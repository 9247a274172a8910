#!/usr/bin/env node
// `npm run mutate`: breaks the library on purpose, one way at a time, and lists which tests fail
// (issue 25). Each mutation must be caught by at least one test whose title names what it breaks,
// in the unit project (and the browser project with `--browser`). Exits 1 when one is not.
// The sources are restored after each run, even when it is interrupted; a run killed outright
// (SIGKILL) leaves a journal that the next run restores first.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPORT = path.join(ROOT, 'node_modules', '.cache', 'idb-memo-mutate.json');
/** The file being mutated and its source, while it is. */
const JOURNAL = path.join(ROOT, 'node_modules', '.cache', 'idb-memo-mutate-journal.json');
const projects = process.argv.includes('--browser') ? ['unit', 'browser'] : ['unit'];

/** What each mutation changes (`find` must occur once), and the words a title that names it holds. */
const MUTATIONS = [
  {
    name: 'TTL ignored on disk',
    file: 'src/cache.ts',
    find: 'return isExpired(record.storedAt, expiresAt, Date.now()) ? undefined :',
    replace: 'return false ? undefined :',
    names: /\bttl\b/i,
  },
  {
    name: 'clear() not broadcast',
    file: 'src/tiers.ts',
    find: "tell({ type: 'clear', db: disk.db, ns: disk.ns, prefix }, this);",
    replace: '',
    names: /clear.*(other tab|tab [ab]|another tab)|(other tab|another tab|tab [ab]).*clear/i,
  },
  {
    name: 'every tab sharing one session id',
    file: 'src/disk/session.ts',
    find: '  const stored = readStored();\n',
    replace: "  return 'one-session-for-all';\n  const stored = readStored();\n",
    names: /session/i,
  },
  {
    name: 'nothing written to disk',
    file: 'src/disk/index.ts',
    find: '    write: (record, context, stillWanted) =>\n',
    replace: '    write: () => Promise.resolve(NOTHING_WRITTEN),\n    unused: (record: EntryRecord, context: store.WriteContext, stillWanted: () => boolean) =>\n',
    names: /reload|disk|stored/i,
  },
  {
    name: "a README sample's @cache removed (Panel's methods example, docs/panel.md)",
    file: 'docs/panel.md',
    find: '  @cache\n  async fetchData',
    replace: '  async fetchData',
    names: /sample .*Methods/i,
  },
];

/** The titles of the tests that fail now, in `projects`. */
function failingTests() {
  rmSync(REPORT, { force: true });
  try {
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'vitest'), ['run', ...projects.flatMap((p) => ['--project', p]), '--reporter=json', `--outputFile=${REPORT}`], {
      cwd: ROOT,
      stdio: 'ignore',
    });
  } catch {
    // Failing tests exit with 1: the report says which.
  }
  const report = JSON.parse(readFileSync(REPORT, 'utf8'));
  return report.testResults.flatMap((file) =>
    file.assertionResults.filter((test) => test.status === 'failed').map((test) => `${path.relative(ROOT, file.name)} > ${test.fullName}`),
  );
}

/** Puts back the file of the mutation in progress, if any. */
function restore() {
  if (!existsSync(JOURNAL)) return;
  const { file, source } = JSON.parse(readFileSync(JOURNAL, 'utf8'));
  writeFileSync(file, source);
  rmSync(JOURNAL);
  return file;
}

const left = restore();
if (left) console.log(`mutate: ${path.relative(ROOT, left)} restored, left mutated by a run that was killed`);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => (restore(), process.exit(130)));

let missed = 0;
for (const mutation of MUTATIONS) {
  const file = path.join(ROOT, mutation.file);
  const source = readFileSync(file, 'utf8');
  if (source.split(mutation.find).length !== 2) throw new Error(`mutate: "${mutation.name}" no longer applies to ${mutation.file}: update its \`find\``);
  writeFileSync(JOURNAL, JSON.stringify({ file, source }));
  writeFileSync(file, source.replace(mutation.find, mutation.replace));
  let failing;
  try {
    failing = failingTests();
  } finally {
    restore();
  }
  const naming = failing.filter((title) => mutation.names.test(title));
  if (naming.length === 0) missed++;
  console.log(`\n${naming.length ? 'caught' : 'MISSED'}: ${mutation.name} (${mutation.file}): ${failing.length} failing test(s), ${naming.length} whose title names it`);
  for (const title of failing.slice(0, 12)) console.log(`  ${mutation.names.test(title) ? '*' : ' '} ${title}`);
  if (failing.length > 12) console.log(`    … and ${failing.length - 12} more`);
}
console.log(missed ? `\nmutate: ${missed} mutation(s) not caught by a test that names them` : '\nmutate: every mutation caught');
process.exitCode = missed ? 1 : 0;
