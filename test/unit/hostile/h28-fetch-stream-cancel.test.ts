// Found by a hostile review (second pass): a streamed answer that never ends but is not text/event-stream (NDJSON, a log tail, a
// long poll): the caller cancels its body, or aborts its signal, yet cachedFetch goes on reading the
// network (its own AbortController is never aborted) and buffering it, up to 32 MiB, per request.
import { afterEach, expect, it, vi } from 'vitest';
import { freshLibrary, uniquePath } from '../helpers';

afterEach(() => vi.unstubAllGlobals());

function endlessFeed(counter: { pulled: number; cancelled: boolean; aborted: boolean }) {
  return async (input: RequestInfo | URL) => {
    const request = input instanceof Request ? input : new Request(input);
    request.signal.addEventListener('abort', () => (counter.aborted = true));
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((r) => setTimeout(r, 5));
        counter.pulled++;
        controller.enqueue(new TextEncoder().encode(`{"n":${counter.pulled}}\n`));
      },
      cancel() {
        counter.cancelled = true;
      },
    });
    return new Response(body, { headers: { 'content-type': 'application/x-ndjson' } });
  };
}

it('cancelling the body of an endless NDJSON answer stops reading the network', async () => {
  const counter = { pulled: 0, cancelled: false, aborted: false };
  vi.stubGlobal('fetch', endlessFeed(counter));
  const lib = await freshLibrary();
  const response = await lib.cachedFetch('https://api.test/feed', {}, { cachePath: uniquePath('zzfeed') });
  const reader = response.body!.getReader();
  await reader.read();
  await reader.cancel(); // the app is done with the feed
  await new Promise((r) => setTimeout(r, 200));
  const before = counter.pulled;
  await new Promise((r) => setTimeout(r, 300));
  expect(counter.pulled - before).toBe(0);
  expect(counter.cancelled || counter.aborted).toBe(true);
});

it("aborting the caller's signal stops reading the network", async () => {
  const counter = { pulled: 0, cancelled: false, aborted: false };
  vi.stubGlobal('fetch', endlessFeed(counter));
  const lib = await freshLibrary();
  const controller = new AbortController();
  const response = await lib.cachedFetch('https://api.test/feed2', { signal: controller.signal }, { cachePath: uniquePath('zzfeed2') });
  const reader = response.body!.getReader();
  await reader.read();
  controller.abort();
  await reader.read().catch(() => {});
  await new Promise((r) => setTimeout(r, 200));
  const before = counter.pulled;
  await new Promise((r) => setTimeout(r, 300));
  expect(counter.pulled - before).toBe(0);
});
