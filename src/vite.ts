/**
 * `idb-memo/vite`: a Vite (and Vitest) plugin for apps that use `@cache` as a decorator. Not part
 * of the library's main entry; it needs `esbuild` (a devDependency of the app) at build time only.
 */
import type { Plugin } from 'vite';

/**
 * A decorator first on its line or right after `{`, `;` or `(`: `@cache`, `@cache({ … })`. Not a
 * JSDoc tag (` * @param`), so that documented modules are not transformed in vain.
 */
const DECORATOR = /(^[ \t]*|[{;(][ \t]*)@[A-Za-z_$]/m;
/** The sources the plugin looks at: TypeScript and JavaScript modules, JSX included. */
const SOURCE = /\.([cm]?[jt]sx?)(\?|$)/;
/** The first esbuild release that lowers TC39 standard decorators. */
const LOWERS_FROM = [0, 21] as const;

/** What the plugin uses of esbuild: its version and `transform` (typed here so that the published types need no esbuild). */
interface Esbuild {
  readonly version: string;
  transform(
    code: string,
    options: {
      loader: 'js' | 'jsx' | 'ts' | 'tsx';
      sourcefile: string;
      sourcemap: boolean;
      target: string;
      supported: Record<string, boolean>;
      jsx: 'preserve';
      tsconfigRaw: { compilerOptions: Record<string, boolean> };
    },
  ): Promise<{ code: string; map: string }>;
}

/**
 * The error of a project without a usable esbuild: what is missing and the command that fixes it.
 * @internal exported for the plugin's tests
 */
export function missingEsbuild(found?: string): Error {
  const cause = found === undefined ? 'esbuild is not installed' : `esbuild ${found} is too old (0.21 or later lowers them)`;
  return new Error(
    `idb-memo/vite: standardDecorators() lowers @decorators with esbuild, but ${cause}. ` +
      'Install it in this project: npm i -D esbuild (Vite lists it as an optional peer dependency; idb-memo too).',
  );
}

async function loadEsbuild(): Promise<Esbuild> {
  let esbuild: Esbuild;
  try {
    esbuild = (await import(/* @vite-ignore */ 'esbuild')) as Esbuild;
  } catch {
    throw missingEsbuild();
  }
  const [major = 0, minor = 0] = esbuild.version.split('.').map(Number);
  if (major === LOWERS_FROM[0] && minor < LOWERS_FROM[1]) throw missingEsbuild(esbuild.version);
  return esbuild;
}

/**
 * Lowers TC39 standard decorators (`@cache`) with esbuild before Vite's own transform: Vite 8's
 * Oxc parses them but does not lower them, so without this plugin the browser stops at the `@` with
 * "Invalid or unexpected token". Only modules outside `node_modules` that contain a decorator are
 * touched; everything else goes straight to Vite. Decorators are lowered as standard ones whatever
 * the app's `experimentalDecorators` says (`@cache` is a standard decorator). Add it to
 * `vitest.config.ts` too when that file does not extend the Vite config. Without esbuild, the
 * first module with a decorator fails the build with an error that says `npm i -D esbuild`.
 *
 * ```ts
 * // vite.config.ts
 * import { defineConfig } from 'vite';
 * import { standardDecorators } from 'idb-memo/vite';
 *
 * export default defineConfig({ plugins: [standardDecorators()] });
 * ```
 */
export function standardDecorators(): Plugin {
  let esbuild: Promise<Esbuild> | undefined;
  return {
    name: 'idb-memo:standard-decorators',
    enforce: 'pre',
    async transform(code, id) {
      const extension = SOURCE.exec(id)?.[1];
      if (extension === undefined || id.includes('/node_modules/') || !DECORATOR.test(code)) return null;
      const { transform } = await (esbuild ??= loadEsbuild());
      const loader = extension.replace(/^[cm]/, '') as 'js' | 'jsx' | 'ts' | 'tsx';
      const out = await transform(code, {
        loader,
        sourcefile: id.replace(/\?.*$/, ''),
        sourcemap: true,
        // Only decorators are lowered; the rest (JSX included) is left to Vite.
        target: 'esnext',
        supported: { decorators: false },
        jsx: 'preserve',
        tsconfigRaw: { compilerOptions: { experimentalDecorators: false } },
      });
      return { code: out.code, map: out.map };
    },
  };
}
