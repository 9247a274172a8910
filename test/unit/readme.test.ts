// Every TypeScript sample of the README runs (issue 16), so that none can rot: each ```ts block is
// compiled as an app would compile it (TypeScript, standard decorators lowered), its imports of
// `idb-memo`, `idb-memo/vite` and `vite` bound to this repository's modules, and run on its own
// against happy-dom and fake-indexeddb. Its comments' claims are checked, not just run (issue 25):
// `await f(x); // computed` (or `// from memory`, `// from disk`) checks which counter of f the
// call moved; `x.stats(); // { hits: 1 }` checks those counters; `expr; // 'text'` checks the value;
// a `change` listener on the sample's `select` must render the selected data.
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as vite from 'vite';
import * as library from '../../src/index';
import * as vitePlugin from '../../src/vite';
import README from '../../README.md?raw';
import PANEL from '../../docs/panel.md?raw';
import * as vitestConfig from 'vitest/config';


const MODULES: Record<string, unknown> = { 'idb-memo': library, 'idb-memo/vite': vitePlugin, vite, 'vitest/config': vitestConfig };

/** Every ```ts block of `page` (the README, docs/panel.md), with the heading (or bold label) it sits under. */
function samples(page: string, text: string): { heading: string; code: string }[] {
  const found: { heading: string; code: string }[] = [];
  let heading = page;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#')) heading = line.replace(/^#+\s*/, '');
    // A paragraph led by a bold label (`**Methods.** …`) names the samples under it.
    const label = /^\*\*([^*]+?)\.?\*\*/.exec(line)?.[1];
    if (label) heading = `${heading.split(': ')[0]}: ${label}`;
    if (line.trim() !== '```ts') continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!);
    found.push({ heading: `${page} › ${heading}`, code: body.join('\n') });
  }
  return found;
}

/** What a call's comment claims: which counter of its function it moves. */
const CLAIMS: Record<string, { misses: number; memoryHits: number; diskHits: number }> = {
  computed: { misses: 1, memoryHits: 0, diskHits: 0 },
  'from memory': { misses: 0, memoryHits: 1, diskHits: 0 },
  'from disk': { misses: 0, memoryHits: 0, diskHits: 1 },
};

/** Turns the claims of a sample's comments into checks (see the header). */
function checkedClaims(code: string): string {
  return code
    .replace(/^(\s*)(.*\.stats\(\));\s*\/\/\s*(\{(?:\s*\w+:\s*\d+,?)+\s*\})\s*$/gm, (_all, indent: string, expr: string, claimed: string) => {
      return `${indent}__check(${expr}, ${claimed});`;
    })
    .replace(/^(\s*)(.*?);\s*\/\/\s*('[^']*')\s*$/gm, (_all, indent: string, expr: string, claimed: string) => `${indent}__check(${expr}, ${claimed});`)
    .replace(
      /^(\s*)((?:const|let)\s+\w+\s*=\s*)?await\s+([\w.]+)\((.*)\);\s*\/\/\s*(computed|from memory|from disk)\b.*$/gm,
      (_all, indent: string, declaration = '', callee: string, args: string, claim: string) =>
        `${indent}${declaration}await __claim(() => ${callee}, ${JSON.stringify(claim)}, () => ${callee}(${args}));`,
    );
}

/** Runs `call` of the memoized function `of()`, checking that it moved the counter its comment claims. */
async function claim(of: () => unknown, claimed: string, call: () => Promise<unknown>): Promise<unknown> {
  const stats = () => {
    const { misses, memoryHits, diskHits } = library.cacheOf(of() as (...args: unknown[]) => unknown).stats();
    return { misses, memoryHits, diskHits };
  };
  const before = stats();
  const result = await call();
  const after = stats();
  const moved = { misses: after.misses - before.misses, memoryHits: after.memoryHits - before.memoryHits, diskHits: after.diskHits - before.diskHits };
  expect(moved, `a call commented "${claimed}"`).toEqual(CLAIMS[claimed]);
  return result;
}

/** Compiles a sample as an app's build would, and turns its imports and exports into plain bindings. */
function compile(code: string): string {
  const js = ts.transpileModule(checkedClaims(code), {
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
    DATASETS: { Penguins: 'https://example.test/penguins.csv', Titanic: 'https://example.test/titanic.csv' },
    select,
    render: vi.fn(),
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
  const blocks = [...samples('README', README), ...samples('docs/panel.md', PANEL)];

  it('finds the samples, and the claims they make', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(11);
    const claims = blocks.map(({ code }) => (checkedClaims(code).match(/__check\(|__claim\(/g) ?? []).length);
    expect(claims.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(15);
  });

  for (const [index, { heading, code }] of blocks.entries()) {
    it(`runs sample ${index + 1} (${heading}) and checks its claims`, async () => {
      const given = await placeholders();
      const exports: { default?: unknown } = {};
      const checks: [unknown, unknown][] = [];
      const names = ['__import', '__exports', '__check', '__claim', ...Object.keys(given)];
      // The sample's body sits in its own block: its declarations may shadow the placeholders.
      const run = new AsyncFunction(...names, `{\n${compile(code)}\n}`);
      const importModule = (name: string) => {
        if (!(name in MODULES)) throw new Error(`the README imports ${name}, which this test does not provide`);
        return MODULES[name];
      };
      const listen = vi.spyOn(given.select as EventTarget, 'addEventListener');
      await run(importModule, exports, (actual: unknown, claimed: unknown) => checks.push([actual, claimed]), claim, ...Object.values(given));
      for (const [actual, claimed] of checks) {
        if (typeof claimed === 'object') expect(actual).toMatchObject(claimed as object);
        else expect(actual).toBe(claimed);
      }
      if (listen.mock.calls.some(([type]) => type === 'change')) {
        // The widget changes: the listener must render the selected dataset.
        (given.select as EventTarget).dispatchEvent(new Event('change'));
        await vi.waitFor(() => expect(given.render).toHaveBeenCalledWith(['species,island', 'Adelie,Torgersen']));
      }
      if (exports.default !== undefined) {
        // The Vite config sample: its plugin list holds the decorator plugin.
        expect(exports.default).toMatchObject({ plugins: [expect.objectContaining({ name: 'idb-memo:standard-decorators' })] });
      }
    });
  }
});
