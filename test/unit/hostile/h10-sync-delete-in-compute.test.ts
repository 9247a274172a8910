// Regression (hostile review of issues 11/14): a memoized function that deletes its own entry (a
// "refresh") and asks again. The delete ran before the call was registered as in progress, so the
// inner call joined the outer one, which waited for it: a deadlock (toDisk: on the page's own lock).
import { expect, it, vi } from 'vitest';
import { freshLibrary } from '../helpers';
vi.setConfig({ testTimeout: 30_000 });

type Memo = ((k: string) => Promise<string>) & { delete(k: string): Promise<boolean>; clear(): Promise<void> };

it.each([false, true])('self-refresh, toDisk: %s', async (toDisk) => {
  const lib = await freshLibrary();
  let nested = false;
  const f: Memo = lib.cache(
    async (k: string): Promise<string> => {
      if (!nested) {
        nested = true;
        await f.delete(k);
        return `outer(${await f(k)})`;
      }
      return 'inner';
    },
    { toDisk, name: `h10-${toDisk}` },
  );
  const value = await Promise.race([f('k'), new Promise((r) => setTimeout(() => r('still pending after 3 s'), 3000))]);
  expect(value).toBe('outer(inner)');
});

it('clear() in the synchronous part of the computation does not drop its result', async () => {
  const lib = await freshLibrary();
  let n = 0;
  const f: Memo = lib.cache(
    async (k: string): Promise<string> => {
      if (n === 0) void f.clear(); // made after the call started: its result must not be kept
      return `${k}@${n++}`;
    },
    { name: 'h10c' },
  );
  await f('k');
  const second = await f('k');
  expect(second).toBe('k@1');
});
