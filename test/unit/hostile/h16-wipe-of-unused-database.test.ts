// A page that has not used a database yet (remembered from an earlier visit) calls clearCaches()
// while another database's write is in flight; a call made meanwhile must not read the previous
// user's record (this page's disk operations wait for its logout).
import { expect, it } from 'vitest';
import { freshLibrary, uniquePath } from '../helpers';

it.each([undefined, 5])('a database first used during clearCaches() serves nothing from before it (maxItems %s)', async (maxItems) => {
  let user = 'alice';
  const options = { toDisk: true, cachePath: uniquePath('h16'), name: 'profile', maxItems };
  const earlierVisit = await freshLibrary();
  expect(await earlierVisit.cache(async () => `profile of ${user}`, options)()).toBe('profile of alice');
  await earlierVisit.flushCaches();
  const lib = await freshLibrary();
  const big = lib.cache(async (n: number) => new Uint8Array(8_000_000).fill(n), { toDisk: true, cachePath: uniquePath('h16-big'), name: 'big' });
  void big(1); // its write in flight when the logout comes
  const logout = lib.clearCaches();
  user = 'bob';
  const profile = lib.cache(async () => `profile of ${user}`, options);
  expect(await profile()).toBe('profile of bob');
  await logout;
  expect(await profile()).toBe('profile of bob');
}, 20_000);
