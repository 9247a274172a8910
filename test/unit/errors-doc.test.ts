// docs/errors.md (shipped in the package) is where production messages point: every error and
// warning code has its section there, under the anchor the message links to.
import { expect, it } from 'vitest';
import ERRORS_SOURCE from '../../src/errors.ts?raw';
import ERRORS_DOC from '../../docs/errors.md?raw';
import PACKAGE from '../../package.json';

/** The members of an exported union of string literals in src/errors.ts. */
function codesOf(type: string): string[] {
  const body = new RegExp(`export type ${type} =([^;]*);`).exec(ERRORS_SOURCE)?.[1] ?? '';
  return [...body.matchAll(/'([A-Z_]+)'/g)].map((match) => match[1]!);
}

it('has a section for every error and warning code, and ships in the package', () => {
  const codes = [...codesOf('ErrorCode'), ...codesOf('WarningCode')];
  expect(codes).toContain('INVALID_OPTION');
  expect(codes).toContain('UNKEYABLE_VALUE');
  const headings = [...ERRORS_DOC.matchAll(/^### ([A-Z_]+)$/gm)].map((match) => match[1]);
  expect(headings.sort()).toEqual([...codes].sort());
  expect(PACKAGE.files).toContain('docs/errors.md');
});
