import ts from 'typescript';
import type { Plugin } from 'vite';

const DECORATOR = /(^|[\s{;(])@[A-Za-z_$]/m;

/**
 * Lowers TC39 standard decorators with TypeScript before Vite 8's Oxc transform, which parses
 * them but does not lower them (oxc-project/oxc#9170). Only TypeScript sources that contain a
 * decorator line are touched; everything else goes straight to Oxc.
 */
export function standardDecorators(): Plugin {
  return {
    name: 'idb-memo:standard-decorators',
    enforce: 'pre',
    transform(code, id) {
      if (id.includes('/node_modules/') || !/\.[cm]?tsx?(\?|$)/.test(id) || !DECORATOR.test(code)) return null;
      const out = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          sourceMap: true,
          verbatimModuleSyntax: false,
        },
      });
      return { code: out.outputText, map: out.sourceMapText ?? null };
    },
  };
}
