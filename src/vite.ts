/**
 * `idb-memo/vite`: a Vite plugin for apps that use `@cache` as a decorator. Not part of the
 * library's main entry; it needs `typescript` (a devDependency of the app) at build time only.
 */
import ts from 'typescript';
import type { Plugin } from 'vite';

/**
 * A decorator first on its line or right after `{`, `;` or `(`: `@cache`, `@cache({ … })`. Not a
 * JSDoc tag (` * @param`), so that documented modules are not transformed in vain.
 */
const DECORATOR = /(^[ \t]*|[{;(][ \t]*)@[A-Za-z_$]/m;
/** The sources the plugin looks at: TypeScript and JavaScript modules, JSX included. */
const SOURCE = /\.[cm]?[jt]sx?(\?|$)/;

/**
 * Lowers TC39 standard decorators (`@cache`) with TypeScript before Vite's own transform: Vite 8's
 * Oxc parses them but does not lower them yet (oxc-project/oxc#9170), so without this plugin the
 * browser stops at the `@` with "Invalid or unexpected token". Only modules outside
 * `node_modules` that contain a decorator are touched; everything else goes straight to Vite.
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
  return {
    name: 'idb-memo:standard-decorators',
    enforce: 'pre',
    transform(code, id) {
      if (id.includes('/node_modules/') || !SOURCE.test(id) || !DECORATOR.test(code)) return null;
      const out = ts.transpileModule(code, {
        fileName: id.replace(/\?.*$/, ''),
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          jsx: ts.JsxEmit.Preserve,
          sourceMap: true,
          verbatimModuleSyntax: false,
        },
      });
      return { code: out.outputText, map: out.sourceMapText ?? null };
    },
  };
}
