// A module worker of the test origin: answers { path, init } with cachedFetch's answer as plain data.
import { cachedFetch, cacheStatus, flushCaches } from '../../../src/index';

self.onmessage = async ({ data }: MessageEvent<{ path: string; init: RequestInit }>) => {
  const response = await cachedFetch(new URL(data.path, self.location.origin), data.init);
  const answer = { status: response.status, how: cacheStatus(response), body: await response.text() };
  await flushCaches(); // the page terminates the worker once answered: its writes must be committed first
  self.postMessage(answer);
};
