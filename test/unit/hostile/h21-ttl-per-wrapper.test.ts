// Found by a hostile review of the rebuilt core: two functions of one `name` with different `ttl`
// shared one memory tier, so the one with the shorter ttl answered results older than it.
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary, uniquePath } from '../helpers';

afterEach(() => vi.useRealTimers());

it.each([true, false])('each function of one name answers by its own ttl (toDisk %s)', async (toDisk) => {
  vi.useFakeTimers({ toFake: ['Date'] });
  const lib = await freshLibrary();
  const options = { toDisk, cachePath: uniquePath('h21'), name: 'h21' };
  let n = 0;
  const fn = async (k: string) => `${k}@${n++}`;
  const long = lib.cache(fn, options);
  const short = lib.cache(fn, { ...options, ttl: 0.2 });
  const first = await long('a');
  vi.setSystemTime(Date.now() + 500); // older than short's ttl
  expect(await short('a')).not.toBe(first);
  expect(await long('a')).toBe(first);
});
