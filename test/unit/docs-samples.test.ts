// The code samples of docs/ are the recipe app's own code (test/recipe/), which the adopter run
// (`npm run adopter`) builds, runs and tests in a fresh app: a sample that is not found there
// verbatim would be untested. (docs/panel.md's run in readme.test.ts.)
import { expect, it } from 'vitest';

const DOCS = import.meta.glob<string>('../../docs/*.md', { query: '?raw', import: 'default', eager: true });
const RECIPE = import.meta.glob<string>('../recipe/**/*.ts', { query: '?raw', import: 'default', eager: true });

/** The ```ts blocks of a Markdown text. */
function samples(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([^]*?)^```$/gm)].map((match) => match[1]!);
}

it('docs/*.md show only code that the recipe app holds verbatim', () => {
  // docs/panel.md's samples run in test/unit/readme.test.ts, with the README's.
  const found = Object.entries(DOCS)
    .filter(([page]) => !page.endsWith('/panel.md'))
    .flatMap(([page, text]) => samples(text).map((sample) => [page, sample] as const));
  expect(found.map(([page]) => page)).toEqual(expect.arrayContaining(['../../docs/testing.md', '../../docs/errors.md', '../../docs/decorators.md']));
  const sources = Object.values(RECIPE);
  for (const [page, sample] of found) expect(sources.some((source) => source.includes(sample)), `${page}:\n${sample}`).toBe(true);
});
