#!/usr/bin/env node
// `npm run cycles` (part of `npm test`): fails when the modules of src/ import each other in a
// cycle. Counts every import that stays in the JavaScript: static imports and re-exports, and
// dynamic import() (a lazy chunk that imports its importer back is a cycle too); `import type` is erased.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const files = readdirSync(SRC, { recursive: true })
  .map(String)
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .map((file) => path.join(SRC, file));

/** The src/ modules `file` imports, resolved to files. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((match) => match[1]);
  return specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => {
      const base = path.resolve(path.dirname(file), specifier.replace(/\.(ts|js)$/, ''));
      return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => files.includes(candidate));
    })
    .filter(Boolean);
}

const graph = new Map(files.map((file) => [file, importsOf(file)]));
const cycles = [];
const state = new Map(); // 1: on the current path, 2: done
const stack = [];
function visit(file) {
  state.set(file, 1);
  stack.push(file);
  for (const next of graph.get(file)) {
    if (state.get(next) === 1) cycles.push([...stack.slice(stack.indexOf(next)), next]);
    else if (!state.has(next)) visit(next);
  }
  stack.pop();
  state.set(file, 2);
}
for (const file of files) if (!state.has(file)) visit(file);

const rel = (file) => path.relative(SRC, file);
if (cycles.length) {
  console.error(`cycles: ${cycles.length} import cycle(s) in src/:`);
  for (const cycle of cycles) console.error(`  ${cycle.map(rel).join(' -> ')}`);
  process.exitCode = 1;
} else console.log(`cycles: none among the ${files.length} modules of src/`);
