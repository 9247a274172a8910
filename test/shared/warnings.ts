// Setup of the unit and browser projects: a test fails on a library warning ("idb-memo: … [CODE]")
// it did not expect. A test that expects one takes console.warn over itself
// (`vi.spyOn(console, 'warn').mockImplementation(…)`) and checks it; every other one goes through
// here, is printed, and fails the test it came from.
import { afterEach, beforeEach } from 'vitest';

const original = console.warn.bind(console);
let unexpected: string[] = [];

function watch(...args: unknown[]): void {
  const text = args.map(String).join(' ');
  if (text.startsWith('idb-memo')) unexpected.push(text);
  original(...args);
}

beforeEach(() => {
  unexpected = [];
  console.warn = watch;
});

afterEach(() => {
  const seen = unexpected;
  unexpected = [];
  if (seen.length > 0) throw new Error(`unexpected library warning(s):\n  ${seen.join('\n  ')}`);
});
