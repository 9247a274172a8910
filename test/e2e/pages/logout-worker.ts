// A worker that memoizes the current user's profile on its own cachePath, as an app's data worker would.
import { cache, flushCaches } from '../../../src/index';

let user = 'alice';
const profile = cache(async (id: number) => `profile ${id} of ${user}`, { toDisk: true, name: 'profile', cachePath: 'worker-db' });
self.onmessage = async ({ data }: MessageEvent<{ id: number; user?: string; call: number }>) => {
  if (data.user) user = data.user;
  const value = await profile(data.call);
  await flushCaches();
  self.postMessage({ id: data.id, value });
};
