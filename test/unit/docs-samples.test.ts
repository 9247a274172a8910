// The code samples of docs/testing.md are the recipe app's own files (test/recipe/), which the
// adopter run (`npm run adopter`) runs in a fresh app: a sample that is not found there verbatim
// would be untested.
import { expect, it } from 'vitest';
import TESTING from '../../docs/testing.md?raw';

const RECIPE = import.meta.glob<string>('../recipe/**/*.ts', { query: '?raw', import: 'default', eager: true });

/** The ```ts blocks of a Markdown text. */
function samples(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([^]*?)^```$/gm)].map((match) => match[1]!);
}

it('docs/testing.md shows only code that the recipe app holds verbatim', () => {
  const found = samples(TESTING);
  expect(found.length).toBeGreaterThanOrEqual(4);
  const sources = Object.values(RECIPE);
  for (const sample of found) expect(sources.some((source) => source.includes(sample)), sample).toBe(true);
});
