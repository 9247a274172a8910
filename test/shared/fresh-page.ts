// Opens a fresh page on the same IndexedDB for test/shared/peers.test.ts (see peer-page.ts).
import { vi } from 'vitest';
import * as library from '../../src/index.ts';
import { pageHandler, type PageOptions, type PageReply, type PageRequest } from './peer-page.ts';

/** A page driven by requests; `close()` ends it (a worker is terminated). */
export interface Page {
  send(request: PageRequest): Promise<PageReply>;
  /** Calls the fixture and returns its value, failing with the page's error if it threw. */
  call(options: PageOptions, a: number, b: number): Promise<unknown>;
  close(): void;
}

const inHappyDom = typeof navigator !== 'undefined' && navigator.userAgent.includes('HappyDOM');

function pageOf(send: (request: PageRequest) => Promise<PageReply>, close: () => void): Page {
  return {
    send,
    async call(options, a, b) {
      const reply = await send({ op: 'call', options, args: [a, b] });
      if (!reply.ok) throw new Error(reply.error);
      return reply.value;
    },
    close,
  };
}

/** This page: the library instance the tests imported. */
export function thisPage(): Page {
  return pageOf(pageHandler(library), () => {});
}

/**
 * A fresh page, as after a reload or in another tab: a module Worker in Chromium (its own module
 * graph: `vi.resetModules()` does not renew module state in Vitest's browser mode), a re-import
 * after `vi.resetModules()` under happy-dom.
 */
export async function freshPage(): Promise<Page> {
  if (inHappyDom) {
    vi.resetModules();
    const lib = (await import('../../src/index.ts')) as typeof library;
    const fresh = (await import('./peer-page.ts')) as { pageHandler: typeof pageHandler };
    return pageOf(fresh.pageHandler(lib), () => {});
  }
  const worker = new Worker(new URL('./peer-page.worker.ts', import.meta.url), { type: 'module' });
  const waiting = new Map<number, (reply: PageReply) => void>();
  let next = 0;
  worker.addEventListener('message', (event: MessageEvent<{ id: number; reply: PageReply }>) => {
    waiting.get(event.data.id)?.(event.data.reply);
    waiting.delete(event.data.id);
  });
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => reject(new Error(`fresh page worker failed: ${event.message}`)));
  });
  failed.catch(() => {});
  const send = (request: PageRequest) =>
    Promise.race([
      new Promise<PageReply>((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        worker.postMessage({ id, request });
      }),
      failed,
    ]);
  return pageOf(send, () => worker.terminate());
}
