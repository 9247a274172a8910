// Every TypeScript sample of the README runs (issue 16), so that none can rot: each ```ts block is
// compiled as an app would compile it (TypeScript, standard decorators lowered), its imports of
// `idb-memo`, `idb-memo/vite` and `vite` bound to this repository's modules, and run on its own
// against happy-dom and fake-indexeddb. A line `x.stats(); // { hits: 1, … }` is checked, not just run.
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as vite from 'vite';
import * as library from '../../src/index';
import * as vitePlugin from '../../src/vite';
import README from '../../README.md?raw';


const MODULES: Record<string, unknown> = { 'idb-memo': library, 'idb-memo/vite': vitePlugin, vite };

/** Every ```ts block of the README, with the heading it sits under. */
function samples(): { heading: string; code: string }[] {
  const found: { heading: string; code: string }[] = [];
  let heading = '';
  const lines = README.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#')) heading = line.replace(/^#+\s*/, '');
    if (line.trim() !== '```ts') continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!);
    found.push({ heading, code: body.join('\n') });
  }
  return found;
}

/** Turns `expr; // { a: 1, b: 0 }` after a `.stats()` call into a check of those counters. */
function checkedStats(code: string): string {
  return code.replace(/^(\s*)(.*\.stats\(\));\s*\/\/\s*(\{(?:\s*\w+:\s*\d+,?)+\s*\})\s*$/gm, (_all, indent: string, expr: string, claimed: string) => {
    return `${indent}__expectStats(${expr}, ${claimed});`;
  });
}

/** Compiles a sample as an app's build would, and turns its imports and exports into plain bindings. */
function compile(code: string): string {
  const js = ts.transpileModule(checkedStats(code), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false },
  }).outputText;
  return js
    .replace(/^import\s+(\w+)\s+from\s+'([^']+)';/gm, (_all, name: string, from: string) => `const ${name} = __import(${JSON.stringify(from)}).default;`)
    .replace(/^import\s*\{([^}]*)\}\s*from\s+'([^']+)';/gm, (_all, names: string, from: string) => `const {${names.replace(/\bas\b/g, ':')}} = __import(${JSON.stringify(from)});`)
    .replace(/^export default /gm, '__exports.default = ')
    .replace(/^export /gm, '');
}

type AsyncFunctionConstructor = new (...args: string[]) => (...values: unknown[]) => Promise<void>;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as AsyncFunctionConstructor;

/** The names the samples use without defining them: an app's own parser, widgets and data. */
async function placeholders(): Promise<Record<string, unknown>> {
  const select = Object.assign(new EventTarget(), { value: 'https://example.test/penguins.csv' });
  const loadData = library.cache(async (path: string) => ({ path }));
  await loadData('/data.json');
  return {
    parse: (path: string) => ({ path }),
    parseCsv: (text: string) => text.trim().split('\n'),
    DATASETS: { Penguins: 'https://example.test/penguins.csv' },
    select,
    render: () => {},
    fetchDraft: async () => 'draft',
    fn: (n: unknown) => n,
    loadData,
    // The disk-caching sample sleeps 2 s: here it does not wait.
    setTimeout: (callback: () => void) => globalThis.setTimeout(callback, 0),
  };
}

function respond(input: RequestInfo | URL): Response {
  const url = String(input instanceof Request ? input.url : input);
  if (url.endsWith('.csv')) return new Response('species,island\nAdelie,Torgersen\n', { headers: { 'content-type': 'text/csv' } });
  return Response.json({ url });
}

beforeEach(() => {
  vi.stubGlobal('fetch', vi.fn(async (input: RequestInfo | URL) => respond(input)));
});

afterEach(async () => {
  vi.unstubAllGlobals();
  library.config.cachePath = './cache';
  await library.clearCaches();
});

describe('README samples', () => {
  const blocks = samples();

  it('finds the samples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
  });

  for (const [index, { heading, code }] of blocks.entries()) {
    it(`runs sample ${index + 1} (${heading})`, async () => {
      const given = await placeholders();
      const exports: { default?: unknown } = {};
      const checks: [unknown, unknown][] = [];
      const names = ['__import', '__exports', '__expectStats', ...Object.keys(given)];
      // The sample's body sits in its own block: its declarations may shadow the placeholders.
      const run = new AsyncFunction(...names, `{\n${compile(code)}\n}`);
      const importModule = (name: string) => {
        if (!(name in MODULES)) throw new Error(`the README imports ${name}, which this test does not provide`);
        return MODULES[name];
      };
      await run(importModule, exports, (actual: unknown, claimed: unknown) => checks.push([actual, claimed]), ...Object.values(given));
      for (const [actual, claimed] of checks) expect(actual).toEqual(claimed);
      if (exports.default !== undefined) {
        // The Vite config sample: its plugin list holds the decorator plugin.
        expect(exports.default).toMatchObject({ plugins: [expect.objectContaining({ name: 'idb-memo:standard-decorators' })] });
      }
    });
  }
});
