// @vitest-environment node
// idb-memo/vite: standardDecorators() lowers TC39 decorators with esbuild, before Vite 8's own
// transform (Oxc), which parses them but leaves them in place (issue 24).
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as vite from 'vite';
import { standardDecorators } from '../../src/vite';

const SAMPLE = `import { cache } from 'idb-memo';

class DataExplorer {
  dataset: string = 'penguins';

  @cache
  async fetchData(): Promise<string> {
    return this.dataset;
  }
}
export const explorer = new DataExplorer();
`;

type Transform = (code: string, id: string) => Promise<{ code: string; map: string } | null>;
const transformOf = (plugin = standardDecorators()) => (plugin.transform as Transform).bind(plugin);

afterEach(() => {
  vi.doUnmock('esbuild');
  vi.resetModules();
});

describe('standardDecorators()', () => {
  it('lowers a decorated TypeScript method, which Vite 8 alone leaves as it is', async () => {
    const lowered = await transformOf()(SAMPLE, '/app/src/explorer.ts');
    expect(lowered?.code).not.toMatch(/^\s*@cache/m);
    expect(lowered?.code).toContain('__decorateElement');
    // Types are gone and the import of `cache` is kept: it is used by the decorator.
    expect(lowered?.code).toMatch(/import \{ cache \} from ['"]idb-memo['"]/);
    expect(lowered?.code).not.toContain(': Promise<string>');
    expect(JSON.parse(lowered!.map).sources).toEqual(['/app/src/explorer.ts']);
    const untouched = await vite.transformWithOxc(SAMPLE, 'explorer.ts', { lang: 'ts' });
    expect(untouched.code).toMatch(/^\s*@cache/m);
  });

  it('leaves JSX to Vite and strips the query of a module id', async () => {
    const lowered = await transformOf()('class A { @cache m() { return <b>x</b>; } }', '/app/src/a.tsx?v=1');
    expect(lowered?.code).toContain('<b>x</b>');
    expect(lowered?.code).not.toMatch(/@cache/);
  });

  it('leaves modules without a decorator, JSDoc tags and node_modules to Vite', async () => {
    const transform = transformOf();
    expect(await transform('/** @param x a number */\nexport const f = (x: number) => x;', '/app/src/f.ts')).toBeNull();
    expect(await transform('class A { @cache m() {} }', '/app/node_modules/lib/a.ts')).toBeNull();
    expect(await transform('class A { @cache m() {} }', '/app/src/a.css')).toBeNull();
  });

  it('names the cause and the fix when esbuild is not installed', async () => {
    vi.doMock('esbuild', () => {
      throw new Error("Cannot find package 'esbuild'");
    });
    await expect(transformOf()(SAMPLE, '/app/src/explorer.ts')).rejects.toThrow(
      /standardDecorators\(\) lowers @decorators with esbuild, but esbuild is not installed\. Install it in this project: npm i -D esbuild/,
    );
  });

  it('names the version when esbuild is too old to lower decorators', async () => {
    vi.doMock('esbuild', () => ({ version: '0.20.2', transform: () => Promise.reject(new Error('not reached')) }));
    await expect(transformOf()(SAMPLE, '/app/src/explorer.ts')).rejects.toThrow(/esbuild 0\.20\.2 is too old \(0\.21 or later lowers them\)\. Install it in this project: npm i -D esbuild/);
  });
});
